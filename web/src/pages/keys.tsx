/**
 * The customer's API keys (GET /v1/customers/{customer}/apiKeys, newest first, paged), those
 * inside the signed-in key's narrowing: create one (its secret is shown once), revoke one (after a
 * confirmation). Revoked keys stay listed with their revoke time.
 */
import { useState } from 'preact/hooks';
import type { components } from '../api/conversations';
import { conversations, ok } from '../api/client.ts';
import { lastSegment } from '../api/names.ts';
import { Page } from '../components/page.tsx';
import { Empty, ErrorNotice, Loading } from '../components/status.tsx';
import { Time } from '../components/time.tsx';
import { useApi } from '../components/use-api.ts';
import type { PageProps } from '../routes.tsx';
import { session, useSession } from '../session.ts';
import { ConfirmButton } from './keys/confirm-button.tsx';
import { CreateKey, type CreatedKey } from './keys/create-key.tsx';
import { ShownOnce } from './keys/shown-once.tsx';

type ApiKey = components['schemas']['ApiKey'];

const PAGE = 50;

export function KeysPage(_props: PageProps) {
  const identity = useSession().identity!;
  const customer = identity.customer;
  // The page tokens of the pages before this one, for "Previous".
  const [tokens, setTokens] = useState<string[]>([]);
  const [token, setToken] = useState('');
  const keys = useApi((signal) => ok(conversations.GET('/v1/customers/{customer}/apiKeys', {
    params: { path: { customer }, query: { pageSize: PAGE, ...(token ? { pageToken: token } : {}) } }, signal,
  })), [customer, token]);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  const onCreated = (key: CreatedKey) => {
    setCreated(key);
    setDone(null);
    setTokens([]);
    setToken('');
    keys.reload();
  };
  const revoke = async (key: ApiKey) => {
    setActionError(null);
    setDone(null);
    try {
      await ok(conversations.DELETE('/v1/customers/{customer}/apiKeys/{key}', { params: { path: { customer, key: lastSegment(key.name) } } }));
      if (key.name === identity.name) {
        session.signOut('You revoked the key you were signed in with.');
        return;
      }
      setDone(`The key “${key.displayName}” was revoked.`);
      keys.reload();
    } catch (err) {
      setActionError(err);
    }
  };

  const rows = keys.data?.apiKeys ?? [];
  return (
    <Page title="API keys">
      {created ? (
        <ShownOnce label={`The secret of “${created.displayName}”`} secret={created.secret} onDismiss={() => setCreated(null)}>
          <p>Present it as <code>Authorization: Bearer &lt;secret&gt;</code> (the key <code>{lastSegment(created.name)}</code>).</p>
        </ShownOnce>
      ) : null}
      <CreateKey onCreated={onCreated} />
      <h2>Keys</h2>
      {done ? <p class="notice success" role="status">{done}</p> : null}
      <ErrorNotice error={actionError}>The key was not revoked</ErrorNotice>
      <ErrorNotice error={keys.error}>The keys could not be listed</ErrorNotice>
      {keys.loading && !keys.data ? <Loading what="Loading the keys" /> : null}
      {keys.data && rows.length === 0 ? <Empty>No key to show.</Empty> : null}
      {rows.length > 0 ? (
        <table class="list keys" aria-busy={keys.loading}>
          <caption class="visually-hidden">API keys, newest first</caption>
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Key id</th><th scope="col">Narrowed to</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {rows.map((k) => (
              <tr key={k.name} class={k.revokeTime ? 'revoked' : undefined}>
                <th scope="row">{k.displayName || <span class="muted">(no name)</span>}{k.name === identity.name ? <span class="badge">this key</span> : null}</th>
                <td><code>{lastSegment(k.name)}</code></td>
                <td>{narrowing(k)}</td>
                <td>{k.scopes.map((s) => <span key={s} class="tag"><code>{s}</code></span>)}</td>
                <td><Time value={k.createTime} /></td>
                <td>{k.revokeTime ? <>Revoked <Time value={k.revokeTime} /></> : <span class="state-active">Active</span>}</td>
                <td>
                  {k.revokeTime ? null : (
                    <ConfirmButton label="Revoke" ariaLabel={`Revoke the key “${k.displayName}”`} title={`Revoke the key “${k.displayName}”?`}
                      confirmLabel="Revoke key" onConfirm={() => revoke(k)}>
                      <p>Every request made with it is refused from now on. This cannot be undone.</p>
                      {k.name === identity.name ? <p class="notice">This is the key you are signed in with: you will be signed out.</p> : null}
                    </ConfirmButton>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div class="pager">
        {tokens.length > 0 ? (
          <button type="button" class="secondary" onClick={() => { setToken(tokens[tokens.length - 1]); setTokens(tokens.slice(0, -1)); }}>Previous page</button>
        ) : null}
        {keys.data?.nextPageToken ? (
          <button type="button" class="secondary" onClick={() => { setTokens([...tokens, token]); setToken(keys.data!.nextPageToken); }}>Next page</button>
        ) : null}
      </div>
    </Page>
  );
}

function narrowing(k: ApiKey) {
  if (k.agent) return <>Agent <code>{lastSegment(k.agent)}</code> of profile <code>{k.agent.split('/')[3]}</code></>;
  if (k.profile) return <>Profile <code>{lastSegment(k.profile)}</code></>;
  return <span class="muted">Whole customer</span>;
}

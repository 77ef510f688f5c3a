/**
 * The ingest surface's webhook endpoints (GET/POST/PATCH/DELETE /api/v1/webhooks): add one (its
 * signing secret is shown once), pause or resume it, delete it (after a confirmation), and read
 * its delivery log. The endpoint whose log is open is kept in `?endpoint=`.
 */
import { useState } from 'preact/hooks';
import type { components } from '../api/ingest';
import { ingest, ok } from '../api/client.ts';
import { Link } from '../components/link.tsx';
import { Page } from '../components/page.tsx';
import { Empty, ErrorNotice, Loading } from '../components/status.tsx';
import { Time } from '../components/time.tsx';
import { useApi } from '../components/use-api.ts';
import { navigate, query as toQuery } from '../router.ts';
import type { PageProps } from '../routes.tsx';
import { ConfirmButton } from './keys/confirm-button.tsx';
import { ShownOnce } from './keys/shown-once.tsx';
import { CreateWebhook, type CreatedWebhook } from './webhooks/create-webhook.tsx';
import { Deliveries } from './webhooks/deliveries.tsx';

type Webhook = components['schemas']['Webhook'];

export function WebhooksPage({ query }: PageProps) {
  const list = useApi((signal) => ok(ingest.GET('/api/v1/webhooks', { signal })), []);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const open = query.get('endpoint') ?? '';

  const act = async (action: () => Promise<unknown>, message: string) => {
    setActionError(null);
    setDone(null);
    try {
      await action();
      setDone(message);
      list.reload();
    } catch (err) {
      setActionError(err);
    }
  };
  const remove = (w: Webhook) => act(async () => {
    await ok(ingest.DELETE('/api/v1/webhooks/{id}', { params: { path: { id: w.id } } }));
    if (open === w.id) navigate('/webhooks', { replace: true });
  }, `The endpoint ${w.url} was deleted.`);
  const setEnabled = (w: Webhook, enabled: boolean) => act(
    () => ok(ingest.PATCH('/api/v1/webhooks/{id}', { params: { path: { id: w.id } }, body: { enabled } })),
    `The endpoint ${w.url} was ${enabled ? 'resumed' : 'paused'}.`,
  );

  const rows = list.data?.data ?? [];
  const opened = rows.find((w) => w.id === open);
  return (
    <Page title="Webhooks">
      {created ? (
        <ShownOnce label={`The signing secret of ${created.url}`} secret={created.secret} onDismiss={() => setCreated(null)}>
          <p>Check each delivery's signature with it (the Standard Webhooks scheme, or Amigo's for the Amigo format).</p>
        </ShownOnce>
      ) : null}
      <CreateWebhook onCreated={(w) => { setCreated(w); setDone(null); list.reload(); }} />
      <h2>Endpoints</h2>
      {done ? <p class="notice success" role="status">{done}</p> : null}
      <ErrorNotice error={actionError}>Not done</ErrorNotice>
      <ErrorNotice error={list.error}>The endpoints could not be listed</ErrorNotice>
      {list.loading && !list.data ? <Loading what="Loading the endpoints" /> : null}
      {list.data && rows.length === 0 ? <Empty>No endpoint yet: events are not sent anywhere.</Empty> : null}
      {rows.length > 0 ? (
        <table class="list webhooks" aria-busy={list.loading}>
          <caption class="visually-hidden">Webhook endpoints</caption>
          <thead>
            <tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">Format</th><th scope="col">State</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {rows.map((w) => (
              <tr key={w.id} aria-current={w.id === open ? 'true' : undefined}>
                <th scope="row"><code class="url">{w.url}</code>{w.description ? <div class="help">{w.description}</div> : null}</th>
                <td>{w.events.length ? w.events.map((e) => <span key={e} class="tag"><code>{e}</code></span>) : <span class="muted">Every event</span>}</td>
                <td>{w.format === 'amigo' ? 'Amigo' : 'Standard'}</td>
                <td>
                  {w.enabled ? <span class="state-active">Enabled</span> : <span class="field-error">Paused{w.disabledReason ? `: ${w.disabledReason}` : ''}</span>}
                  {w.failingSince ? <div class="help">Failing since <Time value={w.failingSince} /></div> : null}
                </td>
                <td><Time value={w.createdAt} /></td>
                <td>
                  <div class="row-actions">
                    <Link href={`/webhooks${toQuery({ endpoint: w.id })}`} aria-label={`Deliveries to ${w.url}`}>Deliveries</Link>
                    <button type="button" class="secondary" onClick={() => void setEnabled(w, !w.enabled)} aria-label={`${w.enabled ? 'Pause' : 'Resume'} ${w.url}`}>
                      {w.enabled ? 'Pause' : 'Resume'}
                    </button>
                    <ConfirmButton label="Delete" ariaLabel={`Delete ${w.url}`} title="Delete this endpoint?" confirmLabel="Delete endpoint" onConfirm={() => remove(w)}>
                      <p>Parley stops sending events to <code>{w.url}</code> and its delivery log is gone with it. This cannot be undone.</p>
                    </ConfirmButton>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {opened ? <Deliveries key={opened.id} id={opened.id} url={opened.url} /> : null}
      {open && list.data && !opened ? <p class="notice">No endpoint <code>{open}</code>: it may have been deleted.</p> : null}
    </Page>
  );
}

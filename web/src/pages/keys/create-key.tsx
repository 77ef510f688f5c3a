/**
 * The form that makes an API key (POST /v1/customers/{customer}/apiKeys): a display name, the
 * profile or agent it is narrowed to, and its scopes. What is left out is the signed-in key's own
 * (Parley never makes a key wider than the one asking), so the choices offered are those inside it.
 */
import { useState } from 'preact/hooks';
import type { components } from '../../api/conversations';
import { conversations, ok } from '../../api/client.ts';
import { lastSegment } from '../../api/names.ts';
import { useProfiles } from '../../components/profiles.tsx';
import { ErrorNotice } from '../../components/status.tsx';
import { useSession } from '../../session.ts';
import { useAgents } from '../agents/use-agents.ts';

export type CreatedKey = components['schemas']['CreatedApiKey'];

/** `a, b c` -> `['a', 'b', 'c']`; empty means "the same as mine". */
const scopeList = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);

export function CreateKey({ onCreated }: { onCreated: (key: CreatedKey) => void }) {
  const identity = useSession().identity!;
  const customer = identity.customer;
  const { profiles } = useProfiles();
  const ownProfile = identity.profile ? lastSegment(identity.profile) : '';
  const [profile, setProfile] = useState(ownProfile);
  const [agent, setAgent] = useState(identity.agent);
  const agents = useAgents(customer, identity.agent ? undefined : profile || undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const scopes = scopeList(String(form.get('scopes') ?? ''));
    setBusy(true);
    setError(null);
    try {
      const created = await ok(conversations.POST('/v1/customers/{customer}/apiKeys', {
        params: { path: { customer } },
        body: {
          displayName: String(form.get('displayName') ?? '').trim(),
          ...(profile ? { profile: `customers/${customer}/profiles/${profile}` } : {}),
          ...(agent ? { agent } : {}),
          ...(scopes.length ? { scopes } : {}),
        },
      }));
      (event.target as HTMLFormElement).reset();
      setProfile(ownProfile);
      setAgent(identity.agent);
      onCreated(created);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const profileChoices = ownProfile ? (profiles ?? []).filter((p) => p.id === ownProfile) : profiles ?? [];
  return (
    <form class="card create-form" aria-labelledby="create-key-title" onSubmit={(e) => void submit(e)}>
      <h2 id="create-key-title">Create a key</h2>
      <div class="form-grid">
        <div class="field">
          <label for="key-name">Display name</label>
          <input id="key-name" name="displayName" required maxLength={256} aria-describedby="key-name-help" />
          <span id="key-name-help" class="help">Who or what uses it: “CRM export”, “Ana's laptop”.</span>
        </div>
        <div class="field">
          <label for="key-profile">Profile</label>
          <select id="key-profile" value={profile} disabled={!!ownProfile}
            onChange={(e) => { setProfile((e.target as HTMLSelectElement).value); setAgent(''); }}>
            {ownProfile ? null : <option value="">Every profile</option>}
            {profileChoices.map((p) => <option key={p.id} value={p.id}>{p.displayName === p.id ? p.id : `${p.displayName} (${p.id})`}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="key-agent">AI agent</label>
          <select id="key-agent" value={agent} disabled={!!identity.agent || !profile}
            onChange={(e) => setAgent((e.target as HTMLSelectElement).value)} aria-describedby="key-agent-help">
            {identity.agent ? <option value={identity.agent}>{lastSegment(identity.agent)}</option> : <option value="">Any</option>}
            {(agents.data?.agents ?? []).map((a) => <option key={a.name} value={a.name}>{a.displayName || lastSegment(a.name)}</option>)}
          </select>
          <span id="key-agent-help" class="help">{profile ? 'Narrow the key to one agent and its conversations.' : 'Choose a profile first.'}</span>
        </div>
        <div class="field grow">
          <label for="key-scopes">Scopes</label>
          <input id="key-scopes" name="scopes" aria-describedby="key-scopes-help" placeholder={identity.scopes.join(' ')} spellcheck={false} />
          <span id="key-scopes-help" class="help">
            Permissions such as <code>Conversation:ListConversations</code>, separated by spaces or commas. Empty: the same as this key's
            ({identity.scopes.join(', ')}).
          </span>
        </div>
      </div>
      <ErrorNotice error={agents.error}>The agents could not be listed</ErrorNotice>
      <ErrorNotice error={error}>The key was not created</ErrorNotice>
      <button type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create key'}</button>
    </form>
  );
}

/**
 * The profiles the signed-in key sees (GET /v1/customers/{customer}/profiles), loaded once per
 * session, and a labelled <select> of them. Pages keep the chosen profile in `?profile=`.
 */
import { useEffect, useState } from 'preact/hooks';
import { conversations, ok } from '../api/client.ts';
import { lastSegment } from '../api/names.ts';
import { useSession, type Identity } from '../session.ts';

export interface Profile {
  /** The profile id (`default`). */
  id: string;
  /** `customers/{c}/profiles/{p}` */
  name: string;
  displayName: string;
}

let cache: { customer: string; key: string; profiles: Promise<Profile[]> } | undefined;

export function loadProfiles(identity: Identity, key: string): Promise<Profile[]> {
  if (cache?.customer !== identity.customer || cache.key !== key) {
    const profiles = ok(conversations.GET('/v1/customers/{customer}/profiles', { params: { path: { customer: identity.customer } } }))
      .then((body) => body.profiles.map((p) => ({ id: lastSegment(p.name), name: p.name, displayName: p.displayName || lastSegment(p.name) })));
    profiles.catch(() => { cache = undefined; });
    cache = { customer: identity.customer, key, profiles };
  }
  return cache.profiles;
}

/** The profiles, or undefined while they load; `error` when they could not be read. */
export function useProfiles(): { profiles: Profile[] | undefined; error: unknown } {
  const { identity, key } = useSession();
  const [state, setState] = useState<{ profiles: Profile[] | undefined; error: unknown }>({ profiles: undefined, error: null });
  useEffect(() => {
    if (!identity || !key) return;
    let live = true;
    loadProfiles(identity, key).then((profiles) => live && setState({ profiles, error: null }), (error: unknown) => live && setState({ profiles: undefined, error }));
    return () => { live = false; };
  }, [identity, key]);
  return state;
}

/** The profile a page shows: `?profile=` when given, else the key's own profile, else the first (usually `default`). */
export function chosenProfile(requested: string | null, identity: Identity | null, profiles: Profile[] | undefined): string | undefined {
  if (requested) return requested;
  if (identity?.profile) return lastSegment(identity.profile);
  return profiles?.find((p) => p.id === 'default')?.id ?? profiles?.[0]?.id;
}

export function ProfileSelect({ value, onChange, id = 'profile' }: { value: string | undefined; onChange: (profile: string) => void; id?: string }) {
  const { profiles, error } = useProfiles();
  return (
    <div class="field">
      <label for={id}>Profile</label>
      <select id={id} name="profile" value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)} disabled={!profiles}>
        {(profiles ?? (value ? [{ id: value, name: value, displayName: value }] : [])).map((p) => (
          <option key={p.id} value={p.id}>{p.displayName === p.id ? p.id : `${p.displayName} (${p.id})`}</option>
        ))}
      </select>
      {error ? <span class="field-error" role="alert">Profiles could not be read: {(error as Error).message}</span> : null}
    </div>
  );
}

/**
 * Sign-in with a Parley API key. The key is checked with GET /v1/customers/-/apiKeys:introspect before it is
 * kept, and kept in sessionStorage only: closing the tab signs out.
 */
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.ts';
import { introspect } from '../api/identity.ts';
import { Page } from '../components/page.tsx';
import { navigate } from '../router.ts';
import type { PageProps } from '../routes.tsx';
import { session, useSession } from '../session.ts';

/** Only a console path: `next` never sends the reader to another site. */
const safeNext = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') ? next : '/conversations');

export function SignInPage({ query }: PageProps) {
  const { notice } = useSession();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError('Enter an API key.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const identity = await introspect(trimmed);
      session.signIn(trimmed, identity);
      navigate(safeNext(query.get('next')), { replace: true });
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'Parley does not accept this key.' : `Could not sign in: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Sign in">
      <form class="sign-in card" onSubmit={submit} aria-describedby="sign-in-help">
        {notice ? <p class="notice" role="status">{notice}</p> : null}
        <p id="sign-in-help">
          Sign in with a Parley API key (<code>parley keys create --customer &lt;id&gt;</code>). The console sees what the key sees;
          the key stays in this browser tab only and is forgotten when the tab closes.
        </p>
        <label for="api-key">API key</label>
        <input
          id="api-key" name="apiKey" type="password" autocomplete="off" spellcheck={false} required
          value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)}
          aria-invalid={error ? true : undefined} aria-errormessage={error ? 'sign-in-error' : undefined}
        />
        {error ? <p id="sign-in-error" class="notice error" role="alert">{error}</p> : null}
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </Page>
  );
}

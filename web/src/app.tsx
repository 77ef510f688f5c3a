/**
 * The console's shell: the header with who is signed in, the navigation built from routes.tsx,
 * and the page of the current path. A page that needs a key sends a signed-out reader to the
 * sign-in page, which comes back to it afterwards.
 */
import { useEffect, useState } from 'preact/hooks';
import { introspect } from './api/identity.ts';
import { ApiError } from './api/client.ts';
import { lastSegment } from './api/names.ts';
import { Link } from './components/link.tsx';
import { ErrorNotice, Loading } from './components/status.tsx';
import { navigate, query, useLocation } from './router.ts';
import { findRoute, NAV } from './routes.tsx';
import { session, useSession } from './session.ts';

export function App() {
  const loc = useLocation();
  const { key, identity } = useSession();
  const [identifyError, setIdentifyError] = useState<unknown>(null);
  const found = findRoute(loc.path);
  const needsKey = !found.route.public;

  useEffect(() => {
    if (needsKey && !key) navigate(`/sign-in${query({ next: `${loc.path}${loc.query.size ? `?${loc.query}` : ''}` })}`, { replace: true });
  }, [needsKey, key, loc.path]);

  // A key kept from before a reload: ask Parley again what it is.
  useEffect(() => {
    if (!key || identity) return;
    setIdentifyError(null);
    introspect().then((id) => session.identify(id), (error: unknown) => {
      if (!(error instanceof ApiError && error.status === 401)) setIdentifyError(error);
    });
  }, [key, identity]);

  const Page = found.route.page;
  let content;
  if (needsKey && !key) content = null;
  else if (needsKey && !identity) content = identifyError ? <ErrorNotice error={identifyError}>Could not reach Parley</ErrorNotice> : <Loading what="Signing in" />;
  else content = <Page key={loc.path} params={found.params} query={loc.query} />;

  return (
    <>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <Link class="brand" href="/conversations">Parley console</Link>
        {identity ? (
          <div class="who">
            <span class="identity" title={identity.name}>
              <strong>{identity.displayName || `key ${lastSegment(identity.name)}`}</strong>
              {' · '}customer {identity.customer}
              {identity.agent ? ` · agent ${lastSegment(identity.agent)}` : identity.profile ? ` · profile ${lastSegment(identity.profile)}` : ''}
            </span>
            <button type="button" class="secondary" onClick={() => session.signOut('Signed out.')}>Sign out</button>
          </div>
        ) : null}
      </header>
      <div class="layout">
        {identity ? (
          <nav class="sidebar" aria-label="Console">
            <ul>
              {NAV.map((item) => {
                const active = loc.path === item.path || loc.path.startsWith(`${item.path}/`);
                return <li key={item.path}><Link href={item.path} aria-current={active ? 'page' : undefined}>{item.label}</Link></li>;
              })}
            </ul>
          </nav>
        ) : null}
        <main id="main" tabIndex={-1}>{content}</main>
      </div>
    </>
  );
}

/**
 * A small history router under /console (import.meta.env.BASE_URL): paths such as
 * `/conversations/default/abc` map to pages through the table in routes.ts. The server answers
 * every /console/* path that is not a file with index.html (src/api/console.ts), so a reload or a
 * shared link opens the same page. Query strings hold a page's filters, so Back restores them.
 */
import { useEffect, useState } from 'preact/hooks';

/** `/console`, without the trailing slash. */
export const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

export interface Location {
  /** The path inside the console, starting with `/`. */
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return { path: path === '' ? '/' : path, query: new URLSearchParams(location.search) };
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

/** The browser URL of a console path: `href('/keys')` is `/console/keys`. */
export const href = (path: string): string => `${BASE}${path}`;

/** Goes to a console path (`/conversations?state=ACTIVE`); `replace` keeps it out of the history. */
export function navigate(path: string, { replace = false } = {}): void {
  const url = href(path);
  if (url === `${location.pathname}${location.search}`) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

/** The current console location; re-renders on every navigation. */
export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    listeners.add(update);
    update();
    return () => void listeners.delete(update);
  }, []);
  return loc;
}

/** A path pattern's parameters (`/conversations/:profile/:conversation`), or null when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const trim = (p: string) => p.replace(/\/+$/, '');
  const want = trim(pattern).split('/');
  const got = trim(path).split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      if (got[i] === '') return null;
      params[want[i].slice(1)] = decodeURIComponent(got[i]);
    } else if (want[i] !== got[i]) return null;
  }
  return params;
}

/** A query string from a record, leaving empty values out: `query({ state: 'ACTIVE', q: '' })` is `?state=ACTIVE`. */
export function query(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}

/**
 * Every page of the console: its path (`:name` segments become `params`), its title in the
 * navigation, and its component, one file each under pages/. To add a page, write
 * pages/<name>.tsx exporting a component that takes PageProps, and add a line here.
 */
import type { ComponentType } from 'preact';
import { useEffect } from 'preact/hooks';
import { AgentsPage } from './pages/agents.tsx';
import { AgentPage } from './pages/agents/agent-page.tsx';
import { ChartsPage } from './pages/charts.tsx';
import { ConversationPage } from './pages/conversation.tsx';
import { ConversationsPage } from './pages/conversations.tsx';
import { KeysPage } from './pages/keys.tsx';
import { NotFoundPage } from './pages/not-found.tsx';
import { SamplingPage } from './pages/sampling.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { WebhooksPage } from './pages/webhooks.tsx';
import { matchPath, navigate } from './router.ts';

export interface PageProps {
  /** The path's `:name` segments, decoded. */
  params: Record<string, string>;
  /** The query string: a page keeps its filters there, so Back and a shared link restore them. */
  query: URLSearchParams;
}

export interface Route {
  path: string;
  page: ComponentType<PageProps>;
  /** Its entry in the navigation, when it has one. */
  nav?: string;
  /** Shown without a key (only the sign-in page). */
  public?: boolean;
}

export const ROUTES: Route[] = [
  { path: '/sign-in', page: SignInPage, public: true },
  { path: '/', page: () => <Redirect to="/conversations" /> },
  { path: '/conversations', page: ConversationsPage, nav: 'Conversations' },
  { path: '/conversations/:profile/:conversation', page: ConversationPage },
  { path: '/charts', page: ChartsPage, nav: 'Charts' },
  { path: '/sampling', page: SamplingPage, nav: 'Sampling' },
  { path: '/agents', page: AgentsPage, nav: 'Agents' },
  { path: '/agents/:profile/:agent', page: AgentPage },
  { path: '/keys', page: KeysPage, nav: 'API keys' },
  { path: '/webhooks', page: WebhooksPage, nav: 'Webhooks' },
];

export const NAV = ROUTES.filter((r) => r.nav).map((r) => ({ path: r.path, label: r.nav! }));

/** A path that is another's name: replaced in the history, so Back skips it. */
function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

const NOT_FOUND: Route = { path: '*', page: NotFoundPage };

export function findRoute(path: string): { route: Route; params: Record<string, string> } {
  for (const route of ROUTES) {
    const params = matchPath(route.path, path);
    if (params) return { route, params };
  }
  return { route: NOT_FOUND, params: {} };
}

/** The AI agents of a profile (GET …/agents, newest first), for the pages that pick or list one. */
import type { components } from '../../api/conversations';
import { conversations, ok } from '../../api/client.ts';
import { useApi, type ApiState } from '../../components/use-api.ts';

export type Agent = components['schemas']['Agent'];

/** The most ListAgents answers in one page; a profile with more shows the newest this many. */
export const AGENTS_SHOWN = 1000;

export function useAgents(customer: string, profile: string | undefined): ApiState<{ agents: Agent[]; more: boolean } | undefined> {
  return useApi(async (signal) => {
    if (!profile) return undefined;
    const page = await ok(conversations.GET('/v1/customers/{customer}/profiles/{profile}/agents', {
      params: { path: { customer, profile }, query: { pageSize: AGENTS_SHOWN } }, signal,
    }));
    return { agents: page.agents, more: page.nextPageToken !== '' };
  }, [customer, profile]);
}

/** `customers/c/profiles/p/agents/a` -> `{ profile: 'p', agent: 'a' }`. */
export function parseAgentName(name: string): { profile: string; agent: string } | null {
  const m = /^customers\/[^/]+\/profiles\/([^/]+)\/agents\/([^/]+)$/.exec(name);
  return m ? { profile: m[1], agent: m[2] } : null;
}

/**
 * The AI agents of a profile (GET …/profiles/{profile}/agents, newest first), each linking to its
 * page (pages/agents/agent-page.tsx): versions and knowledge documents.
 */
import { lastSegment } from '../api/names.ts';
import { Link } from '../components/link.tsx';
import { Page } from '../components/page.tsx';
import { chosenProfile, ProfileSelect, useProfiles } from '../components/profiles.tsx';
import { Empty, ErrorNotice, Loading } from '../components/status.tsx';
import { Time } from '../components/time.tsx';
import { navigate, query as toQuery } from '../router.ts';
import type { PageProps } from '../routes.tsx';
import { useSession } from '../session.ts';
import { AGENTS_SHOWN, useAgents } from './agents/use-agents.ts';

export function AgentsPage({ query }: PageProps) {
  const identity = useSession().identity!;
  const { profiles } = useProfiles();
  const profile = chosenProfile(query.get('profile'), identity, profiles);
  const agents = useAgents(identity.customer, profile);
  const rows = (agents.data?.agents ?? []).filter((a) => !identity.agent || a.name === identity.agent);
  return (
    <Page title="Agents">
      <div class="toolbar">
        <ProfileSelect value={profile} onChange={(p) => navigate(`/agents${toQuery({ profile: p })}`)} />
      </div>
      <ErrorNotice error={agents.error}>The agents could not be listed</ErrorNotice>
      {agents.loading && !agents.data ? <Loading what="Loading the agents" /> : null}
      {agents.data && rows.length === 0 ? <Empty>This profile has no AI agent.</Empty> : null}
      {rows.length > 0 ? (
        <table class="list" aria-busy={agents.loading}>
          <caption class="visually-hidden">AI agents of profile {profile}, newest first</caption>
          <thead>
            <tr><th scope="col">Agent</th><th scope="col">Description</th><th scope="col">Newest version</th><th scope="col">Released version</th><th scope="col">Updated</th></tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.name}>
                <th scope="row"><Link href={`/agents/${profile}/${lastSegment(a.name)}`}>{a.displayName || lastSegment(a.name)}</Link></th>
                <td>{a.description || <span class="muted">—</span>}</td>
                <td>{a.version}</td>
                <td>{a.releasedVersion}{a.releasedVersion !== a.version ? <span class="badge">not the newest</span> : null}</td>
                <td><Time value={a.updateTime} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {agents.data?.more ? <p class="help">Showing the newest {AGENTS_SHOWN} agents.</p> : null}
    </Page>
  );
}

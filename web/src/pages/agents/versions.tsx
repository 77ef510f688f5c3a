/** An agent's versions (GET …/agents/{agent}/versions, newest first): what each knew, and which is released. */
import { useState } from 'preact/hooks';
import { conversations, ok } from '../../api/client.ts';
import { Empty, ErrorNotice, Loading } from '../../components/status.tsx';
import { Time } from '../../components/time.tsx';
import { useApi } from '../../components/use-api.ts';

const PAGE = 20;

export function Versions({ path, released, version }: { path: { customer: string; profile: string; agent: string }; released: number; version: number }) {
  const [limit, setLimit] = useState(PAGE);
  const versions = useApi((signal) => ok(conversations.GET('/v1/customers/{customer}/profiles/{profile}/agents/{agent}/versions', {
    params: { path, query: { pageSize: limit } }, signal,
  })), [path.customer, path.profile, path.agent, limit, version, released]);
  const rows = versions.data?.agentVersions ?? [];
  return (
    <section class="card" aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <ErrorNotice error={versions.error}>The versions could not be listed</ErrorNotice>
      {versions.loading && !versions.data ? <Loading what="Loading the versions" /> : null}
      {versions.data && rows.length === 0 ? <Empty>No version.</Empty> : null}
      {rows.length > 0 ? (
        <table class="list" aria-busy={versions.loading}>
          <caption class="visually-hidden">Versions of the agent, newest first</caption>
          <thead><tr><th scope="col">Version</th><th scope="col">Name then</th><th scope="col">Knowledge documents</th><th scope="col">Created</th></tr></thead>
          <tbody>
            {rows.map((v) => (
              <tr key={v.version}>
                <th scope="row">{v.version}{v.version === released ? <span class="badge live-dot">released</span> : null}</th>
                <td>{v.displayName}</td>
                <td>{v.knowledgeDocuments.length}</td>
                <td><Time value={v.createTime} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {versions.data?.nextPageToken ? <button type="button" class="secondary more" onClick={() => setLimit((l) => Math.min(1000, l + PAGE))}>Show older versions</button> : null}
    </section>
  );
}

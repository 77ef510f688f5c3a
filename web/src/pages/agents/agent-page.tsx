/**
 * One AI agent (route /agents/:profile/:agent): what it is, its release, its versions and its
 * knowledge documents. Releasing points the `release` set at the newest version.
 */
import { useState } from 'preact/hooks';
import { conversations, ok } from '../../api/client.ts';
import { Link } from '../../components/link.tsx';
import { Page } from '../../components/page.tsx';
import { ErrorNotice, Loading } from '../../components/status.tsx';
import { Time } from '../../components/time.tsx';
import { useApi } from '../../components/use-api.ts';
import { query as toQuery } from '../../router.ts';
import type { PageProps } from '../../routes.tsx';
import { useSession } from '../../session.ts';
import { Knowledge } from './knowledge.tsx';
import { Versions } from './versions.tsx';

export function AgentPage({ params }: PageProps) {
  const customer = useSession().identity!.customer;
  const path = { customer, profile: params.profile, agent: params.agent };
  const [generation, setGeneration] = useState(0);
  const agent = useApi((signal) => ok(conversations.GET('/v1/customers/{customer}/profiles/{profile}/agents/{agent}', { params: { path }, signal })),
    [customer, params.profile, params.agent, generation]);
  const [busy, setBusy] = useState(false);
  const [releaseError, setReleaseError] = useState<unknown>(null);
  const release = async () => {
    setBusy(true);
    setReleaseError(null);
    try {
      await ok(conversations.POST('/v1/customers/{customer}/profiles/{profile}/agents/{agent}:release', { params: { path }, body: {} }));
      setGeneration((g) => g + 1);
    } catch (err) {
      setReleaseError(err);
    } finally {
      setBusy(false);
    }
  };
  const a = agent.data;
  return (
    <Page title={a ? a.displayName || params.agent : 'Agent'}>
      <p class="breadcrumbs"><Link href={`/agents${toQuery({ profile: params.profile })}`}>Agents of {params.profile}</Link></p>
      <ErrorNotice error={agent.error}>The agent could not be read</ErrorNotice>
      {!a && agent.loading ? <Loading what="Loading the agent" /> : null}
      {a ? (
        <>
          <section class="card" aria-labelledby="agent-title">
            <h2 id="agent-title">About</h2>
            <dl class="facts">
              <div><dt>Id</dt><dd><code>{params.agent}</code></dd></div>
              <div><dt>Profile</dt><dd>{params.profile}</dd></div>
              <div><dt>Newest version</dt><dd>{a.version}</dd></div>
              <div><dt>Released version</dt><dd>{a.releasedVersion}</dd></div>
              <div><dt>Model</dt><dd>{a.modelSettings.model || '—'}</dd></div>
              <div><dt>Updated</dt><dd><Time value={a.updateTime} /></dd></div>
            </dl>
            {a.description ? <p>{a.description}</p> : null}
            <h3>Instructions</h3>
            {a.instructions ? <pre>{a.instructions}</pre> : <p class="empty">None.</p>}
            {a.releasedVersion !== a.version ? (
              <p class="release">
                <span>Version {a.version} is not released: conversations still run version {a.releasedVersion}.</span>
                <button type="button" onClick={() => void release()} disabled={busy}>Release version {a.version}</button>
              </p>
            ) : null}
            <ErrorNotice error={releaseError}>The version was not released</ErrorNotice>
          </section>
          <Knowledge path={path} version={a.version} onChange={() => setGeneration((g) => g + 1)} />
          <Versions path={path} released={a.releasedVersion} version={a.version} />
        </>
      ) : null}
    </Page>
  );
}

/**
 * A preview of a deterministic sample (POST …/conversations:sample): the filters in the query
 * string, the sampled conversations page by page (each links to its page), and the whole sample
 * as a JSONL download (sampling/download.tsx).
 */
import { useEffect, useState } from 'preact/hooks';
import type { components } from '../api/conversations';
import { conversations, ok } from '../api/client.ts';
import { lastSegment } from '../api/names.ts';
import { conversationTitle, humanEnum } from '../components/format.ts';
import { Link } from '../components/link.tsx';
import { Page } from '../components/page.tsx';
import { chosenProfile, ProfileSelect, useProfiles } from '../components/profiles.tsx';
import { Empty, ErrorNotice, Loading } from '../components/status.tsx';
import { Time } from '../components/time.tsx';
import { navigate, query as toQuery } from '../router.ts';
import type { PageProps } from '../routes.tsx';
import { useSession } from '../session.ts';
import { SampleDownload } from './sampling/download.tsx';
import { filterFromQuery, SAMPLE_KEYS, type SampleFilter } from './sampling/request.ts';
import { SampleForm } from './sampling/sample-form.tsx';

type Conversation = components['schemas']['Conversation'];

interface Row {
  name: string;
  startTime: string;
  messageCount?: string;
  conversation?: Conversation;
}

interface Preview {
  rows: Row[];
  nextPageToken: string;
  /** Conversations in the windows read so far (the base set the sample was drawn from). */
  baseCount: number;
}

/** Sampled conversations a preview page shows (BatchGetConversations' most). */
const PREVIEW_PAGE = 100;

export function SamplingPage({ query }: PageProps) {
  const identity = useSession().identity!;
  const customer = identity.customer;
  const { profiles } = useProfiles();
  const profile = chosenProfile(query.get('profile'), identity, profiles);
  const filterKey = SAMPLE_KEYS.map((k) => query.get(k) ?? '').join('\u0000');
  const filter = filterFromQuery(query);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // The page "Show more" asked for, valid only for the filters it was asked under.
  const key = `${profile}\u0000${filterKey}`;
  const [cursor, setCursor] = useState({ key: '', token: '' });
  const pageToken = cursor.key === key ? cursor.token : '';

  useEffect(() => {
    if (!profile) return;
    const controller = new AbortController();
    if (!pageToken) setPreview(null);
    setLoading(true);
    setError(null);
    loadPage(customer, profile, filter, pageToken, controller.signal).then((page) => {
      setPreview((p) => (pageToken && p ? { rows: [...p.rows, ...page.rows], nextPageToken: page.nextPageToken, baseCount: p.baseCount + page.baseCount } : page));
      setLoading(false);
    }, (err: unknown) => {
      if (controller.signal.aborted) return;
      setError(err);
      setLoading(false);
    });
    return () => controller.abort();
  }, [customer, key, pageToken]);

  const apply = (values: Record<string, string | undefined>) => navigate(`/sampling${toQuery({ profile, ...values })}`);
  const rows = preview?.rows ?? [];
  return (
    <Page title="Sampling">
      <div class="toolbar">
        <ProfileSelect value={profile} onChange={(p) => navigate(`/sampling${toQuery({ profile: p })}`)} />
      </div>
      <SampleForm query={query} onApply={apply} />
      <p class="help">The same filters always give the same sample; a larger ratio keeps every conversation a smaller one kept.</p>
      {profile ? <SampleDownload customer={customer} profile={profile} filter={filter} filterKey={filterKey} /> : null}
      <h2>Sampled conversations</h2>
      <ErrorNotice error={error}>The sample could not be read</ErrorNotice>
      {loading && !preview ? <Loading what="Sampling" /> : null}
      {preview && rows.length === 0 && !preview.nextPageToken ? <Empty>The sample is empty: no conversation matches these filters.</Empty> : null}
      {rows.length > 0 ? (
        <p class="count" data-sampled={rows.length}>
          {preview?.nextPageToken
            ? `${rows.length} sampled conversations shown so far, oldest first`
            : `${rows.length} sampled conversations of ${preview?.baseCount ?? 0} in the range, oldest first`}
        </p>
      ) : null}
      {rows.length > 0 ? (
        <table class="list sample" aria-busy={loading}>
          <caption class="visually-hidden">Sampled conversations, oldest first</caption>
          <thead><tr><th scope="col">Conversation</th><th scope="col">Channel</th><th scope="col">State</th><th scope="col">Messages</th><th scope="col">Started</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name} data-name={r.name}>
                <th scope="row">
                  <Link href={`/conversations/${r.name.split('/')[3]}/${lastSegment(r.name)}`}>{r.conversation ? conversationTitle(r.conversation) : lastSegment(r.name)}</Link>
                </th>
                <td>{humanEnum(r.conversation?.channel)}</td>
                <td>{humanEnum(r.conversation?.state)}</td>
                <td>{r.messageCount ?? '—'}</td>
                <td><Time value={r.startTime} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {preview?.nextPageToken ? (
        <button type="button" class="secondary more" disabled={loading} onClick={() => setCursor({ key, token: preview.nextPageToken })}>Show more</button>
      ) : null}
    </Page>
  );
}

/** One page of the sample, with each conversation's title, channel and state. */
async function loadPage(customer: string, profile: string, filter: SampleFilter, pageToken: string, signal: AbortSignal): Promise<Preview> {
  const page = await ok(conversations.POST('/v1/customers/{customer}/profiles/{profile}/conversations:sample', {
    params: { path: { customer, profile } }, body: { filter, pageSize: PREVIEW_PAGE, ...(pageToken ? { pageToken } : {}) }, signal,
  }));
  const names = page.sampledConversations.map((s) => s.conversation);
  // Titles are a nicety: a conversation deleted meanwhile fails the batch, and the rows show ids instead.
  const found = names.length === 0 ? [] : await ok(conversations.GET('/v1/customers/{customer}/profiles/{profile}/conversations:batchGet', {
    params: { path: { customer, profile }, query: { names } }, signal,
  })).then((r) => r.conversations, () => [] as Conversation[]);
  const byName = new Map(found.map((c) => [c.name, c]));
  return {
    rows: page.sampledConversations.map((s) => ({ name: s.conversation, startTime: s.startTime, messageCount: s.messageCount, conversation: byName.get(s.conversation) })),
    nextPageToken: page.nextPageToken,
    baseCount: page.pageConversationCount,
  };
}

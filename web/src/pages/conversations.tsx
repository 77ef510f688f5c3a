/**
 * The conversations of a profile: filters (agent, channel, state, time range, tags), search over
 * the support desk's ranked index, and live updates from the profile's event stream. The filters
 * live in the query string, so Back and a shared link restore them.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { components } from '../api/conversations';
import { conversations, ok } from '../api/client.ts';
import { followProfile, type StreamStatus } from '../api/event-stream.ts';
import { lastSegment, parseConversationName } from '../api/names.ts';
import { conversationTitle, humanEnum } from '../components/format.ts';
import { Link } from '../components/link.tsx';
import { LiveBadge } from '../components/live-badge.tsx';
import { Page } from '../components/page.tsx';
import { chosenProfile, ProfileSelect, useProfiles } from '../components/profiles.tsx';
import { Empty, ErrorNotice, Loading } from '../components/status.tsx';
import { Time } from '../components/time.tsx';
import { useApi } from '../components/use-api.ts';
import { navigate, query as toQuery } from '../router.ts';
import type { PageProps } from '../routes.tsx';
import { useSession } from '../session.ts';
import { ConversationFilters, filterFromQuery, FILTER_KEYS } from './conversations/filters.tsx';

type Conversation = components['schemas']['Conversation'];

const PAGE = 50;
/** Events that change what a row shows (a message changes its update time, a tag its tags). */
const RELOADING = /^(CONVERSATION_|MESSAGE_CREATE|MESSAGE_DELETE|TAG_)/;

export function ConversationsPage({ query }: PageProps) {
  const { identity } = useSession();
  const { profiles } = useProfiles();
  const profile = chosenProfile(query.get('profile'), identity, profiles);
  const customer = identity!.customer;
  const [limit, setLimit] = useState(PAGE);
  const filterKey = FILTER_KEYS.map((k) => query.get(k) ?? '').join('\u0000');
  const search = query.get('q')?.trim() ?? '';

  const list = useApi(async (signal) => {
    if (!profile) return undefined;
    return ok(conversations.POST('/v1/customers/{customer}/profiles/{profile}/conversations', {
      params: { path: { customer, profile } },
      // Search answers in rank order; otherwise the newest first.
      body: { pageSize: limit, filter: filterFromQuery(query), ...(search ? {} : { orderBy: 'startTime desc' }) },
      signal,
    }));
  }, [customer, profile, filterKey, limit]);

  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    if (!profile) return;
    const stop = followProfile({ customer, profile }, {
      onStatus: setStatus,
      onEvent(event) {
        if (!RELOADING.test(event.type)) return;
        const ref = parseConversationName(event.name);
        if (ref) setFresh((s) => new Set(s).add(ref.conversation));
        // At most one reload a second however busy the profile: a burst (a call's transcript) is one reload.
        pending.current ??= setTimeout(() => {
          pending.current = undefined;
          list.reload();
        }, 1000);
      },
    });
    return () => {
      stop();
      clearTimeout(pending.current);
      pending.current = undefined;
    };
  }, [customer, profile]);

  const apply = (values: Record<string, string | undefined>) => {
    setLimit(PAGE);
    setFresh(new Set());
    navigate(`/conversations${toQuery({ profile, ...values })}`);
  };

  const rows = list.data?.conversations ?? [];
  return (
    <Page title="Conversations" actions={<LiveBadge status={status} />}>
      <div class="toolbar">
        <ProfileSelect value={profile} onChange={(p) => navigate(`/conversations${toQuery({ profile: p })}`)} />
      </div>
      <ConversationFilters query={query} onApply={apply} />
      <ErrorNotice error={list.error}>The conversations could not be listed</ErrorNotice>
      {list.loading && !list.data ? <Loading what="Loading conversations" /> : null}
      {list.data && rows.length === 0 ? <Empty>No conversation matches these filters.</Empty> : null}
      {rows.length > 0 ? (
        <p class="count">{rows.length}{list.data?.nextPageToken ? '+' : ''} conversation{rows.length === 1 ? '' : 's'}{search ? `, best match first` : ', newest first'}</p>
      ) : null}
      {rows.length > 0 ? (
        <table class="list" aria-busy={list.loading}>
          <caption class="visually-hidden">
            Conversations of profile {profile}{search ? `, ranked by relevance to “${search}”` : ', newest first'}
          </caption>
          <thead>
            <tr><th scope="col">Conversation</th><th scope="col">Channel</th><th scope="col">State</th><th scope="col">Agent</th><th scope="col">Started</th><th scope="col">Last update</th></tr>
          </thead>
          <tbody>{rows.map((c) => <Row key={c.name} conversation={c} fresh={fresh.has(lastSegment(c.name ?? ''))} />)}</tbody>
        </table>
      ) : null}
      {list.data?.nextPageToken ? (
        <button type="button" class="secondary more" onClick={() => setLimit((l) => Math.min(1000, l + PAGE))} disabled={limit >= 1000}>
          Show more
        </button>
      ) : null}
      <p class="visually-hidden" role="status" aria-live="polite">{fresh.size ? `${fresh.size} conversations updated live` : ''}</p>
    </Page>
  );
}

function Row({ conversation: c, fresh }: { conversation: Conversation; fresh: boolean }) {
  const ref = parseConversationName(c.name ?? '');
  const title = conversationTitle(c);
  return (
    <tr class={fresh ? 'fresh' : undefined}>
      <th scope="row">
        {ref ? <Link href={`/conversations/${ref.profile}/${ref.conversation}`}>{title}</Link> : title}
        {fresh ? <span class="badge live-dot" title="Updated while you watched">new activity</span> : null}
      </th>
      <td>{humanEnum(c.channel)}</td>
      <td><span class={`state state-${(c.state ?? '').toLowerCase()}`}>{humanEnum(c.state)}</span></td>
      <td>{c.agent ? lastSegment(c.agent) : <span class="muted">—</span>}</td>
      <td><Time value={c.startTime} /></td>
      <td><Time value={c.updateTime} /></td>
    </tr>
  );
}

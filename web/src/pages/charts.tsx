/**
 * Charts of a profile over time (GET …/conversationStats): conversations, sentiment, task
 * completion rate and handoff rate a bucket, and the range's top topics; for the last 7, 30 or 90
 * days, by hour, day or week, for every agent or one. Each chart says its numbers in words too
 * (charts/time-chart.tsx). The choices live in the query string.
 */
import { useMemo } from 'preact/hooks';
import type { components } from '../api/conversations';
import { conversations, ok } from '../api/client.ts';
import { lastSegment } from '../api/names.ts';
import { Page } from '../components/page.tsx';
import { chosenProfile, ProfileSelect, useProfiles } from '../components/profiles.tsx';
import { ErrorNotice, Loading } from '../components/status.tsx';
import { useApi } from '../components/use-api.ts';
import { navigate, query as toQuery } from '../router.ts';
import type { PageProps } from '../routes.tsx';
import { useSession } from '../session.ts';
import { useAgents } from './agents/use-agents.ts';
import { allowedIntervals, bucketLabel, defaultInterval, INTERVAL_NOUN, lastDays, RANGES, type Interval } from './charts/range.ts';
import { TimeChart, type Series } from './charts/time-chart.tsx';
import { TopTopics } from './charts/topics.tsx';

type Bucket = components['schemas']['ConversationStatsBucket'];

const percent = (part: number, whole: number) => `${Math.round((100 * part) / whole)}%`;
const sum = (buckets: Bucket[], key: keyof Bucket) => buckets.reduce((n, b) => n + (b[key] as number), 0);

export function ChartsPage({ query }: PageProps) {
  const identity = useSession().identity!;
  const customer = identity.customer;
  const { profiles } = useProfiles();
  const profile = chosenProfile(query.get('profile'), identity, profiles);
  const days = RANGES.find((d) => String(d) === query.get('days')) ?? 30;
  const allowed = allowedIntervals(days);
  const interval = allowed.find((i) => i === query.get('interval')) ?? defaultInterval(days);
  const agent = identity.agent || query.get('agent') || '';
  const agents = useAgents(customer, identity.agent ? undefined : profile);
  // The range is fixed when the choices change, not at every render: today's midnight moves only at midnight.
  const range = useMemo(() => lastDays(days), [days, profile, agent, interval]);

  const stats = useApi(async (signal) => {
    if (!profile) return undefined;
    return ok(conversations.GET('/v1/customers/{customer}/profiles/{profile}/conversationStats', {
      params: { path: { customer, profile }, query: { interval, ...range, ...(agent ? { agent } : {}) } }, signal,
    }));
  }, [customer, profile, interval, range.startTime, range.endTime, agent]);

  const set = (values: Record<string, string | undefined>) =>
    navigate(`/charts${toQuery({ profile, days: String(days), interval, agent: identity.agent ? undefined : agent, ...values })}`);

  return (
    <Page title="Charts">
      <form class="filters" aria-label="What the charts show" onSubmit={(e) => e.preventDefault()}>
        <ProfileSelect value={profile} onChange={(p) => set({ profile: p, agent: undefined })} />
        <div class="field">
          <label for="c-days">Time range</label>
          <select id="c-days" value={String(days)} onChange={(e) => {
            const d = Number((e.target as HTMLSelectElement).value);
            set({ days: String(d), interval: allowedIntervals(d).includes(interval) ? interval : defaultInterval(d) });
          }}>
            {RANGES.map((d) => <option key={d} value={String(d)}>Last {d} days</option>)}
          </select>
        </div>
        <div class="field">
          <label for="c-interval">Grouped by</label>
          <select id="c-interval" value={interval} onChange={(e) => set({ interval: (e.target as HTMLSelectElement).value })}>
            {allowed.map((i) => <option key={i} value={i}>{INTERVAL_NOUN[i]}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="c-agent">AI agent</label>
          <select id="c-agent" value={agent} disabled={!!identity.agent} onChange={(e) => set({ agent: (e.target as HTMLSelectElement).value || undefined })}>
            {identity.agent ? <option value={identity.agent}>{lastSegment(identity.agent)}</option> : <option value="">All conversations</option>}
            {(agents.data?.agents ?? []).map((a) => <option key={a.name} value={a.name}>{a.displayName || lastSegment(a.name)}</option>)}
          </select>
        </div>
      </form>
      <ErrorNotice error={agents.error}>The agents could not be listed</ErrorNotice>
      <ErrorNotice error={stats.error}>The statistics could not be read</ErrorNotice>
      {stats.loading && !stats.data ? <Loading what="Loading the statistics" /> : null}
      {stats.data ? <Charts buckets={stats.data.buckets} topics={stats.data.topTopics} interval={interval} days={days} busy={stats.loading} /> : null}
    </Page>
  );
}

function Charts({ buckets, topics, interval, days, busy }: { buckets: Bucket[]; topics: { topic: string; count: number }[]; interval: Interval; days: number; busy: boolean }) {
  const noun = INTERVAL_NOUN[interval];
  const charts = useMemo(() => {
    const times = buckets.map((b) => Date.parse(b.startTime) / 1000);
    const labels = buckets.map((b) => bucketLabel(b.startTime, interval));
    const total = sum(buckets, 'conversationCount');
    const analyzed = sum(buckets, 'analyzedCount');
    const count = (label: string, color: string, key: keyof Bucket, bar?: number): Series => ({ label, color, bar, values: buckets.map((b) => b[key] as number) });
    const rate = (label: string, part: keyof Bucket, whole: keyof Bucket): Series => ({
      label, color: '--accent',
      values: buckets.map((b) => ((b[whole] as number) > 0 ? (100 * (b[part] as number)) / (b[whole] as number) : null)),
      text: (_v, i) => ((buckets[i][whole] as number) > 0 ? `${percent(buckets[i][part] as number, buckets[i][whole] as number)} (${buckets[i][part]} of ${buckets[i][whole]})` : '—'),
    });
    const busiest = buckets.reduce<Bucket | undefined>((best, b) => (!best || b.conversationCount > best.conversationCount ? b : best), undefined);
    const positive = sum(buckets, 'positiveCount');
    const neutral = sum(buckets, 'neutralCount');
    const negative = sum(buckets, 'negativeCount');
    const completed = sum(buckets, 'taskCompletedCount');
    const handedOff = sum(buckets, 'handedOffCount');
    return {
      times, labels, total, analyzed,
      volume: {
        series: [count('Conversations', '--accent', 'conversationCount', 0.7), count('Analysed', '--visitor', 'analyzedCount', 0.35)],
        summary: `${total} conversations started in the last ${days} days, ${analyzed} of them analysed.`
          + (busiest && total > 0 ? ` The busiest ${noun}: ${bucketLabel(busiest.startTime, interval)}, with ${busiest.conversationCount}.` : ''),
      },
      sentiment: {
        series: [count('Positive', '--success', 'positiveCount'), count('Neutral', '--muted', 'neutralCount'), count('Negative', '--danger', 'negativeCount')],
        summary: analyzed > 0 ? `Of ${analyzed} analysed conversations: ${positive} positive, ${neutral} neutral, ${negative} negative.` : 'No analysed conversation in this range.',
      },
      tasks: {
        series: [rate('Task completed', 'taskCompletedCount', 'analyzedCount')],
        summary: analyzed > 0 ? `The task was completed in ${completed} of ${analyzed} analysed conversations (${percent(completed, analyzed)}).` : 'No analysed conversation in this range.',
      },
      handoffs: {
        series: [rate('Handed off', 'handedOffCount', 'conversationCount')],
        summary: total > 0 ? `${handedOff} of ${total} conversations were handed to a human (${percent(handedOff, total)}).` : 'No conversation in this range.',
      },
    };
  }, [buckets, interval, days, noun]);

  const { times, labels } = charts;
  return (
    <div class="charts" aria-busy={busy}>
      <TimeChart title={`Conversations per ${noun}`} summary={charts.volume.summary} times={times} labels={labels} series={charts.volume.series} />
      <TimeChart title={`Sentiment per ${noun}`} summary={charts.sentiment.summary} times={times} labels={labels} series={charts.sentiment.series} />
      <TimeChart title="Task completion rate" summary={charts.tasks.summary} times={times} labels={labels} series={charts.tasks.series} unit="%" />
      <TimeChart title="Handoff rate" summary={charts.handoffs.summary} times={times} labels={labels} series={charts.handoffs.series} unit="%" />
      <TopTopics topics={topics} analyzed={charts.analyzed} />
    </div>
  );
}

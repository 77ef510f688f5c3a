/**
 * The sampling page's query string (`from`, `to`, `ratio`, `max`, `maxMessages`) as a
 * SampleConversations filter. The same query string always asks for the same sample (the server's
 * sampling is deterministic), so a shared link shows the same conversations.
 */
import type { operations } from '../../api/conversations';

export const SAMPLE_KEYS = ['from', 'to', 'ratio', 'max', 'maxMessages'] as const;

type SampleBody = NonNullable<operations['ConversationService_SampleConversations']['requestBody']>['content']['application/json'];
export type SampleFilter = NonNullable<SampleBody['filter']>;

/** A local `YYYY-MM-DD` day's midnight as RFC 3339 UTC (`after`: the next day's). */
function midnight(day: string | null, after = false): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day ?? '');
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (after ? 1 : 0)).toISOString();
}

const positiveInteger = (value: string | null) => (value && /^[1-9][0-9]{0,17}$/.test(value) ? value : undefined);

export function filterFromQuery(query: URLSearchParams): SampleFilter {
  const filter: SampleFilter = {};
  const start = midnight(query.get('from'));
  const end = midnight(query.get('to'), true);
  if (start) filter.startTime = start;
  if (end) filter.endTime = end;
  const ratio = Number(query.get('ratio'));
  if (query.get('ratio') && ratio > 0 && ratio <= 1) filter.maxConversationRatio = ratio;
  const max = positiveInteger(query.get('max'));
  if (max) filter.maxConversations = max;
  const maxMessages = positiveInteger(query.get('maxMessages'));
  if (maxMessages) filter.maxMessages = maxMessages;
  return filter;
}

/** A local day `days - 1` days ago and today, as `YYYY-MM-DD`, for the quick ranges. */
export function lastDaysInput(days: number, now = new Date()): { from: string; to: string } {
  const day = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  return { from: day(new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1))), to: day(now) };
}

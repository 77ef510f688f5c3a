/**
 * The charts' time ranges: the last 7, 30 or 90 local days, today included, in buckets of an hour,
 * a day or a week. The server anchors buckets at `startTime` exactly (not on calendar days), so the
 * range starts at a local midnight and a day bucket is a local day (contract 4).
 */
export type Interval = 'HOUR' | 'DAY' | 'WEEK';

export const RANGES = [7, 30, 90] as const;
export const INTERVALS: Interval[] = ['HOUR', 'DAY', 'WEEK'];
/** The server's limit on buckets per request. */
export const MAX_BUCKETS = 400;

const BUCKET_MS: Record<Interval, number> = { HOUR: 3_600_000, DAY: 86_400_000, WEEK: 7 * 86_400_000 };

export interface TimeRange {
  startTime: string;
  endTime: string;
}

/** From the local midnight `days - 1` days ago to the next local midnight. */
export function lastDays(days: number, now = new Date()): TimeRange {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1));
  const end = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return { startTime: start.toISOString(), endTime: end.toISOString() };
}

export function bucketCount(days: number, interval: Interval): number {
  return Math.ceil((days * 86_400_000) / BUCKET_MS[interval]);
}

/** The intervals a range may use (at most MAX_BUCKETS buckets, and at least two points to draw). */
export const allowedIntervals = (days: number): Interval[] => INTERVALS.filter((i) => bucketCount(days, i) <= MAX_BUCKETS && bucketCount(days, i) >= 2);

/** The interval a range gets when none (or one it cannot use) is asked for. */
export const defaultInterval = (days: number): Interval => (days > 60 ? 'WEEK' : 'DAY');

export const INTERVAL_NOUN: Record<Interval, string> = { HOUR: 'hour', DAY: 'day', WEEK: 'week' };

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
const hourFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/** A bucket as a reader names it: `Mon 3 Jan`, `3 Jan, 14:00`, `week of Mon 3 Jan`. */
export function bucketLabel(startTime: string, interval: Interval): string {
  const date = new Date(startTime);
  if (interval === 'HOUR') return hourFormat.format(date);
  return interval === 'WEEK' ? `week of ${dayFormat.format(date)}` : dayFormat.format(date);
}

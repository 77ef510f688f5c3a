import type { Queryable } from './driver.ts';

/**
 * SQL of SampleConversations. Each conversation's rank is a keyed 64-bit hash of its id computed
 * in SQL, `hashtextextended(id, seed)`: the function hash partitioning relies on, the same on
 * PostgreSQL ≥ 11 and PGlite (little-endian builds; both drivers agree, see the property test),
 * so every process, restart and driver ranks a conversation the same way. A conversation is
 * sampled when its hash is at most the threshold, ratio·2^64 − 2^63 − 1: raising the ratio only
 * adds conversations. md5 would do the same job at 4× the cost: on 1M conversations the page scan
 * took 1.9 s with md5 and 0.43 s with hashtextextended (EXPLAIN ANALYZE on the bench/sampling.ts data).
 *
 * Times cross this boundary as text with microseconds (`SAMPLE_TIME`), never as a JS Date:
 * timestamptz holds microseconds and a page boundary rounded to milliseconds would drop or
 * repeat conversations between pages.
 */
const HASH = (seed: string) => `hashtextextended(c.id, ${seed})`;
const TEXT = (expr: string) => `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** `2024-05-01T10:00:00.123456Z`: the format of every time in this module. */
export const SAMPLE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export interface SampleScope {
  customerId: string;
  profileId: string;
  /** Signed int64, decimal. */
  seed: string;
  /** Largest hash sampled, signed int64, decimal. */
  threshold: string;
  /** The request's window, SAMPLE_TIME text; null is unbounded. */
  startTime: string | null;
  endTime: string | null;
  /** Last (hash, id) kept under maxConversations / maxMessages; null when uncapped. */
  cutoff: { hash: string; id: string } | null;
}

export interface SampledRow {
  nameId: string;
  startTime: string;
  messageCount: number;
}

/** Parameters $1..$5 and the predicate of the sampled set on rows with start_time >= $6. */
function sampledWhere(scope: SampleScope, params: unknown[]): string {
  params.push(scope.customerId, scope.profileId, scope.seed, scope.threshold, scope.endTime);
  let where = `c.customer_id = $1 AND c.profile_id = $2 AND ($5::timestamptz IS NULL OR c.start_time < $5::timestamptz)
    AND ${HASH('$3::bigint')} <= $4::bigint`;
  if (scope.cutoff) {
    params.push(scope.cutoff.hash, scope.cutoff.id);
    where += ` AND (${HASH('$3::bigint')}, c.id) <= ($${params.length - 1}::bigint, $${params.length}::text)`;
  }
  return where;
}

/** Normalises request times (any RFC 3339 offset, up to microseconds) to SAMPLE_TIME text. */
export async function normalizeTimes(db: Queryable, times: (string | undefined)[]): Promise<(string | null)[]> {
  const rows = await db.query<Record<string, string | null>>(
    `SELECT ${times.map((_, i) => `${TEXT(`$${i + 1}::timestamptz`)} AS t${i}`).join(', ')}`,
    times.map((t) => t ?? null),
  );
  return times.map((_, i) => rows[0][`t${i}`]);
}

/** Earliest start in the base set, for a request without startTime. */
export async function firstStart(db: Queryable, customerId: string, profileId: string, endTime: string | null): Promise<string | null> {
  const rows = await db.query<{ t: string | null }>(
    `SELECT ${TEXT('min(c.start_time)')} AS t FROM conversations c
      WHERE c.customer_id = $1 AND c.profile_id = $2 AND ($3::timestamptz IS NULL OR c.start_time < $3::timestamptz)`,
    [customerId, profileId, endTime],
  );
  return rows[0].t;
}

/** One microsecond past the latest start at or after `from`: the end of an unbounded last page. */
export async function endAfterLastStart(db: Queryable, customerId: string, profileId: string, from: string): Promise<string | null> {
  const rows = await db.query<{ t: string | null }>(
    `SELECT ${TEXT(`max(c.start_time) + interval '1 microsecond'`)} AS t FROM conversations c
      WHERE c.customer_id = $1 AND c.profile_id = $2 AND c.start_time >= $3::timestamptz`,
    [customerId, profileId, from],
  );
  return rows[0].t;
}

export async function oneMicrosecondAfter(db: Queryable, time: string): Promise<string> {
  const rows = await db.query<{ t: string }>(`SELECT ${TEXT(`$1::timestamptz + interval '1 microsecond'`)} AS t`, [time]);
  return rows[0].t;
}

/**
 * The last (hash, id) of the longest prefix, in hash order, of the conversations below the
 * threshold that keeps at most maxConversations conversations and maxMessages messages (a running
 * sum over a window, computed where the rows are), or a key below every conversation when not even
 * the first fits.
 */
export async function sampleCutoff(
  db: Queryable,
  scope: Omit<SampleScope, 'cutoff'>,
  caps: { maxConversations: string | null; maxMessages: string | null },
): Promise<{ hash: string; id: string }> {
  const params: unknown[] = [];
  const where = sampledWhere({ ...scope, cutoff: null }, params);
  params.push(scope.startTime, caps.maxConversations, caps.maxMessages);
  const n = params.length;
  const rows = await db.query<{ hash: string; id: string }>(
    `WITH candidates AS (
       SELECT c.id, c.message_count, ${HASH('$3::bigint')} AS h FROM conversations c
        WHERE ${where} AND ($${n - 2}::timestamptz IS NULL OR c.start_time >= $${n - 2}::timestamptz)
     ), ranked AS (
       SELECT h, id, row_number() OVER w AS n, sum(message_count) OVER w AS messages
         FROM candidates WINDOW w AS (ORDER BY h, id)
     )
     SELECT h::text AS hash, id FROM ranked
      WHERE ($${n - 1}::bigint IS NULL OR n <= $${n - 1}::bigint) AND ($${n}::bigint IS NULL OR messages <= $${n}::bigint)
      ORDER BY h DESC, id DESC LIMIT 1`,
    params,
  );
  // Below every (hash, id): the smallest hash with an id shorter than any real one.
  return rows[0] ?? { hash: (-(2n ** 63n)).toString(), id: '' };
}

/**
 * Sampled conversations starting in [from, until ?? scope end), by start time, at most `limit`
 * (null: all). The inner query reads only columns of conversations_by_start (the hash needs only
 * the id), so it is an index-only scan in start order that stops at the limit; name and count
 * are then read for the sampled rows alone.
 */
export async function sampledRows(db: Queryable, scope: SampleScope, from: string, until: string | null, limit: number | null): Promise<SampledRow[]> {
  const params: unknown[] = [];
  const where = sampledWhere(scope, params);
  params.push(from, until, limit);
  const n = params.length;
  return db.query<SampledRow>(
    `SELECT c.name_id AS "nameId", ${TEXT('s.start_time')} AS "startTime", c.message_count AS "messageCount"
       FROM (SELECT c.id, c.start_time FROM conversations c
              WHERE ${where} AND c.start_time >= $${n - 2}::timestamptz AND ($${n - 1}::timestamptz IS NULL OR c.start_time < $${n - 1}::timestamptz)
              ORDER BY c.start_time, c.id LIMIT $${n}::bigint) s
       JOIN conversations c ON c.customer_id = $1 AND c.id = s.id
      ORDER BY s.start_time, s.id`,
    params,
  );
}

/** Conversations of the base set (all of them, sampled or not) starting in [from, until). */
export async function countStarts(db: Queryable, customerId: string, profileId: string, from: string, until: string): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM conversations c
      WHERE c.customer_id = $1 AND c.profile_id = $2 AND c.start_time >= $3::timestamptz AND c.start_time < $4::timestamptz`,
    [customerId, profileId, from, until],
  );
  return rows[0].n;
}

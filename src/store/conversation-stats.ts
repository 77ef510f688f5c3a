import type { Queryable } from './driver.ts';

/*
 * A profile's conversations counted in time buckets, for the console's charts
 * (core/insights/conversation-stats.ts). A conversation counts in the bucket of its start time;
 * its insights (analyses) and whether it was ever handed to a human (a CONVERSATION_TRANSFER to
 * MANUAL: one probe of events_by_type a conversation) come with it. The range is read through
 * conversations_by_start.
 */

export interface StatsQuery {
  /** Inclusive. */
  startTime: Date;
  /** Exclusive. */
  endTime: Date;
  /** A bucket's length, seconds; bucket i starts at startTime + i × bucketSeconds. */
  bucketSeconds: number;
  /** Only this agent's conversations. */
  agentId: string | null;
}

export interface StatsBucketRow {
  bucket: number;
  conversationCount: number;
  analyzedCount: number;
  positiveCount: number;
  neutralCount: number;
  negativeCount: number;
  taskCompletedCount: number;
  handedOffCount: number;
}

const SCOPE = `c.customer_id = $1 AND c.profile_id = $2 AND c.start_time >= $3::timestamptz AND c.start_time < $4::timestamptz
  AND ($5::text IS NULL OR c.agent_id = $5)`;

const params = (customerId: string, profileId: string, q: StatsQuery) =>
  [customerId, profileId, q.startTime.toISOString(), q.endTime.toISOString(), q.agentId];

/**
 * For the rest of the caller's transaction, no JIT compilation: a range's statement is estimated
 * above jit_above_cost, and compiling took longer than running it (100,000 conversations on
 * PostgreSQL 16: 2.3–3.0 s with JIT, 1.0–1.5 s without, on a loaded 2-core machine).
 */
export async function statsWithoutJit(db: Queryable): Promise<void> {
  await db.query('SET LOCAL jit = off');
}

/** The buckets that hold a conversation (empty ones are absent), by bucket index. */
export async function conversationStatBuckets(db: Queryable, customerId: string, profileId: string, q: StatsQuery): Promise<StatsBucketRow[]> {
  return db.query<StatsBucketRow>(
    `SELECT floor(extract(epoch FROM c.start_time - $3::timestamptz) / $6::float8)::int AS bucket,
            count(*)::int AS "conversationCount",
            count(a.conversation_id)::int AS "analyzedCount",
            count(*) FILTER (WHERE a.sentiment = 'positive')::int AS "positiveCount",
            count(*) FILTER (WHERE a.sentiment = 'neutral')::int AS "neutralCount",
            count(*) FILTER (WHERE a.sentiment = 'negative')::int AS "negativeCount",
            count(*) FILTER (WHERE a.task_completed)::int AS "taskCompletedCount",
            count(*) FILTER (WHERE EXISTS (
              SELECT 1 FROM events e WHERE e.customer_id = c.customer_id AND e.conversation_id = c.id
                 AND e.type = 'CONVERSATION_TRANSFER' AND e.payload->>'to' = 'MANUAL'))::int AS "handedOffCount"
       FROM conversations c
       LEFT JOIN analyses a ON a.customer_id = c.customer_id AND a.conversation_id = c.id
      WHERE ${SCOPE}
      GROUP BY 1 ORDER BY 1`,
    [...params(customerId, profileId, q), q.bucketSeconds],
  );
}

/** The topics of the range's analysed conversations, by how many conversations name each. */
export async function topConversationTopics(db: Queryable, customerId: string, profileId: string, q: StatsQuery, limit: number): Promise<{ topic: string; count: number }[]> {
  return db.query<{ topic: string; count: number }>(
    `SELECT t.topic, count(DISTINCT c.id)::int AS count
       FROM conversations c
       JOIN analyses a ON a.customer_id = c.customer_id AND a.conversation_id = c.id
       CROSS JOIN LATERAL unnest(a.topics) AS t (topic)
      WHERE ${SCOPE}
      GROUP BY t.topic ORDER BY count DESC, t.topic LIMIT $6`,
    [...params(customerId, profileId, q), limit],
  );
}

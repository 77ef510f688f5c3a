import type { Queryable } from './driver.ts';

/** One measured value of a conversation (what `compute-metrics` writes). */
export interface Metric {
  name: string;
  value: number;
  unit: string;
}

/** The post-processing kinds done for a conversation, by name. */
export async function listCompletedPostProcessings(db: Queryable, customerId: string, conversationId: string): Promise<string[]> {
  const rows = await db.query<{ type: string }>(
    `SELECT type FROM post_processings WHERE customer_id = $1 AND conversation_id = $2 ORDER BY type`,
    [customerId, conversationId],
  );
  return rows.map((r) => r.type);
}

export async function hasPostProcessing(db: Queryable, customerId: string, conversationId: string, type: string): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM post_processings WHERE customer_id = $1 AND conversation_id = $2 AND type = $3`,
    [customerId, conversationId, type],
  );
  return rows.length > 0;
}

/** Marks a kind done; false when it was done already (the caller then writes nothing else). */
export async function completePostProcessing(db: Queryable, customerId: string, conversationId: string, type: string, jobId: string | null): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO post_processings (customer_id, conversation_id, type, job_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING type`,
    [customerId, conversationId, type, jobId],
  );
  return rows.length > 0;
}

/** Replaces the conversation's metrics with these, in this order. */
export async function replaceMetrics(db: Queryable, customerId: string, conversationId: string, metrics: readonly Metric[]): Promise<void> {
  await db.query(`DELETE FROM conversation_metrics WHERE customer_id = $1 AND conversation_id = $2`, [customerId, conversationId]);
  if (metrics.length === 0) return;
  await db.query(
    `INSERT INTO conversation_metrics (customer_id, conversation_id, name, value, unit, position)
     SELECT $1::text, $2::text, m.name, m.value, m.unit, m.ord::int
       FROM unnest($3::text[], $4::float8[], $5::text[]) WITH ORDINALITY AS m(name, value, unit, ord)`,
    [customerId, conversationId, metrics.map((m) => m.name), metrics.map((m) => m.value), metrics.map((m) => m.unit)],
  );
}

export async function listMetrics(db: Queryable, customerId: string, conversationId: string): Promise<Metric[]> {
  return db.query<Metric>(
    `SELECT name, value, unit FROM conversation_metrics WHERE customer_id = $1 AND conversation_id = $2 ORDER BY position`,
    [customerId, conversationId],
  );
}

/** What the metrics are counted from: the conversation's messages that are not deleted, by kind. */
export interface MessageCounts {
  /** Messages whose speaker is one of `userSpeakers`. */
  userMessages: number;
  /** Messages whose speaker is one of `agentSpeakers`. */
  agentMessages: number;
  /** Messages whose speaker is one of `humanAgentSpeakers`. */
  humanAgentMessages: number;
  /** Distinct interactions (metadata `interactionId`) among the agent's messages. */
  interactions: number;
  /** The agent's messages whose metadata `answeredFromKnowledge` is true, and those where it is false. */
  answeredFromKnowledge: number;
  notAnsweredFromKnowledge: number;
}

/** The counts in one statement; which speakers are whose is the caller's rule. */
export async function countMessages(
  db: Queryable,
  customerId: string,
  conversationId: string,
  speakers: { userSpeakers: readonly string[]; agentSpeakers: readonly string[]; humanAgentSpeakers: readonly string[] },
): Promise<MessageCounts> {
  const rows = await db.query<MessageCounts>(
    `SELECT count(*) FILTER (WHERE speaker = ANY($3::text[]))::int AS "userMessages",
            count(*) FILTER (WHERE speaker = ANY($4::text[]))::int AS "agentMessages",
            count(*) FILTER (WHERE speaker = ANY($5::text[]))::int AS "humanAgentMessages",
            count(DISTINCT metadata ->> 'interactionId') FILTER (WHERE speaker = ANY($4::text[]))::int AS interactions,
            count(*) FILTER (WHERE speaker = ANY($4::text[]) AND metadata -> 'answeredFromKnowledge' = 'true'::jsonb)::int AS "answeredFromKnowledge",
            count(*) FILTER (WHERE speaker = ANY($4::text[]) AND metadata -> 'answeredFromKnowledge' = 'false'::jsonb)::int AS "notAnsweredFromKnowledge"
       FROM messages WHERE customer_id = $1 AND conversation_id = $2 AND state <> 'DELETED'`,
    [customerId, conversationId, speakers.userSpeakers, speakers.agentSpeakers, speakers.humanAgentSpeakers],
  );
  return rows[0];
}

import type { Queryable } from './driver.ts';

/*
 * Retention and erasure: which conversations are past their profile's (or their own) retention,
 * whose conversations and votes belong to a person, and what removing them takes away.
 */

/**
 * When a conversation's retention clock started: its end time when closed, else its last update
 * (an open conversation nobody writes to ages out too).
 */
const CLOCK = 'coalesce(c.end_time, c.update_time)';
/**
 * The earliest the clock can have started: the end time of a closed conversation, the creation of an
 * open one. The indexes of 028_conversation_updates_in_place.sql hold it (none holds the update time,
 * which every append changes); the clock itself is checked on the rows they find.
 */
const START = 'coalesce(c.end_time, c.create_time)';
/** Past `cutoff`: its clock is. The start's bound follows from it and is stated for the indexes to look up. */
const pastCutoff = (cutoff: string) => `${START} < ${cutoff} AND ${CLOCK} < ${cutoff}`;
/** The conversation's own retention (policyOverride.retentionDays); 0 or absent: the profile's. */
const OWN_DAYS = `CASE WHEN jsonb_typeof(c.policy_override->'retentionDays') = 'number'
  THEN (c.policy_override->>'retentionDays')::numeric ELSE 0 END`;

/**
 * Up to `limit` conversations of a customer past retention at `now`, earliest start first: per
 * profile with a retention, those without their own (an index range each), then those with their
 * own retention (the partial index). `onlyId` asks about one conversation (a re-check under its lock).
 */
export async function expiredConversations(db: Queryable, customerId: string, now: Date, limit: number, onlyId?: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `(SELECT c.id FROM profiles p
        CROSS JOIN LATERAL (
          SELECT c.id, ${START} AS start FROM conversations c
           WHERE c.customer_id = p.customer_id AND c.profile_id = p.id
             AND ${pastCutoff('$2::timestamptz - make_interval(days => p.retention_days)')}
             AND ($4::text IS NULL OR c.id = $4)
             AND NOT (${OWN_DAYS} > 0)
           ORDER BY ${START}, c.id LIMIT $3) c
       WHERE p.customer_id = $1 AND p.retention_days IS NOT NULL
       ORDER BY c.start, c.id LIMIT $3)
     UNION ALL
     (SELECT c.id FROM conversations c
       WHERE c.customer_id = $1 AND c.policy_override ? 'retentionDays' AND ($4::text IS NULL OR c.id = $4)
         AND ${OWN_DAYS} > 0 AND ${pastCutoff(`$2::timestamptz - make_interval(days => (${OWN_DAYS})::int)`)}
       ORDER BY ${START}, c.id LIMIT $3)
     LIMIT $3`,
    [customerId, now.toISOString(), limit, onlyId ?? null],
  );
  return rows.map((r) => r.id);
}

/** The blob keys of the conversations' voice messages' recordings (their metadata `source.key`). */
export async function voiceRecordingKeys(db: Queryable, customerId: string, conversationIds: readonly string[]): Promise<string[]> {
  if (conversationIds.length === 0) return [];
  const rows = await db.query<{ key: string }>(
    `SELECT metadata->'source'->>'key' AS key FROM messages
      WHERE customer_id = $1 AND conversation_id = ANY($2::text[])
        AND metadata->>'format' = 'voice' AND jsonb_typeof(metadata->'source'->'key') = 'string'`,
    [customerId, conversationIds],
  );
  return rows.map((r) => r.key);
}

/** Which of the conversations have a call (and so may have a call recording). */
export async function conversationsWithCalls(db: Queryable, customerId: string, conversationIds: readonly string[]): Promise<string[]> {
  if (conversationIds.length === 0) return [];
  const rows = await db.query<{ id: string }>(
    `SELECT conversation_id AS id FROM calls WHERE customer_id = $1 AND conversation_id = ANY($2::text[])`,
    [customerId, conversationIds],
  );
  return rows.map((r) => r.id);
}

/** Removes the webhook deliveries of the conversations (their bodies hold what the conversations said). */
export async function deleteWebhookDeliveriesOf(db: Queryable, customerId: string, conversationIds: readonly string[]): Promise<number> {
  if (conversationIds.length === 0) return 0;
  const rows = await db.query(
    `DELETE FROM webhook_deliveries WHERE customer_id = $1 AND conversation_id = ANY($2::text[]) RETURNING id`,
    [customerId, conversationIds],
  );
  return rows.length;
}

/** The conversations with a person: linked to their end user, or (older ones) naming their external id as the visitor's. */
export async function conversationsOfPerson(db: Queryable, customerId: string, endUserId: string | null, externalId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM conversations WHERE customer_id = $1 AND end_user_id = $2::text
     UNION
     SELECT id FROM conversations WHERE customer_id = $1 AND visitor ? 'externalUserId' AND visitor->>'externalUserId' = $3
     ORDER BY id`,
    [customerId, endUserId, externalId],
  );
  return rows.map((r) => r.id);
}

/** What the conversations hold, by kind: counted before they are removed, for an erasure's report. */
export interface ConversationContents {
  messages: number;
  analyses: number;
  agentFeedback: number;
  messageFeedback: number;
}

export async function countConversationContents(db: Queryable, customerId: string, conversationIds: readonly string[]): Promise<ConversationContents> {
  const rows = await db.query<ConversationContents>(
    `SELECT (SELECT count(*)::int FROM messages WHERE customer_id = $1 AND conversation_id = ANY($2::text[])) AS messages,
            (SELECT count(*)::int FROM analyses WHERE customer_id = $1 AND conversation_id = ANY($2::text[])) AS analyses,
            (SELECT count(*)::int FROM agent_feedback WHERE customer_id = $1 AND conversation_id = ANY($2::text[])) AS "agentFeedback",
            (SELECT count(*)::int FROM message_feedback WHERE customer_id = $1 AND conversation_id = ANY($2::text[])) AS "messageFeedback"`,
    [customerId, conversationIds],
  );
  return rows[0];
}

/**
 * Removes the votes and feedback a person cast on conversations that are not theirs: by the voter
 * id as stored (`userIds`: their Parley id and the caller's id for them) or, for votes, by the end
 * user the voter id named when it was cast (whatever spelling the surface took).
 */
export async function deleteFeedbackBy(
  db: Queryable, customerId: string, endUserId: string | null, userIds: readonly string[],
): Promise<{ agentFeedback: number; messageFeedback: number }> {
  const rows = await db.query<{ agentFeedback: number; messageFeedback: number }>(
    `WITH a AS (DELETE FROM agent_feedback WHERE customer_id = $1 AND user_id = ANY($3::text[]) RETURNING 1),
          m AS (DELETE FROM message_feedback WHERE customer_id = $1 AND (user_id = ANY($3::text[]) OR voter_end_user_id = $2::text) RETURNING 1)
     SELECT (SELECT count(*)::int FROM a) AS "agentFeedback", (SELECT count(*)::int FROM m) AS "messageFeedback"`,
    [customerId, endUserId, userIds],
  );
  return rows[0];
}

/** Removes the end user's record (conversations that named them were removed first). */
export async function deleteEndUser(db: Queryable, customerId: string, id: string): Promise<boolean> {
  const rows = await db.query(`DELETE FROM end_users WHERE customer_id = $1 AND id = $2 RETURNING id`, [customerId, id]);
  return rows.length > 0;
}

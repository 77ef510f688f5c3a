import type { JsonObject } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';

/** A conversation as a turn starts on it: what it runs, and whether the turn got the claim. */
export interface TurnStart {
  state: string;
  agentId: string | null;
  agentVersion: number | null;
  /** False while another interaction holds the conversation, or when it is CLOSED. */
  claimed: boolean;
}

/**
 * Claims a conversation for one interaction until `leaseSeconds` from now: true when it was free
 * (no claim, or an expired one), false while another interaction holds it. One statement, so two
 * processes claiming at once cannot both win.
 */
export async function claimInteraction(
  db: Queryable, customerId: string, conversationId: string, interactionId: string, leaseSeconds: number,
): Promise<boolean> {
  const rows = await db.query<{ interactionId: string }>(
    `INSERT INTO interaction_claims (customer_id, conversation_id, interaction_id, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4::int))
     ON CONFLICT (customer_id, conversation_id) DO UPDATE
       SET interaction_id = EXCLUDED.interaction_id, expires_at = EXCLUDED.expires_at
       WHERE interaction_claims.expires_at < now()
     RETURNING interaction_id AS "interactionId"`,
    [customerId, conversationId, interactionId, leaseSeconds],
  );
  return rows.length === 1;
}

/**
 * The start of a turn in ONE round trip: the conversation (within the caller's profile and agent
 * when its key is narrowed), the agent version it runs, and the claim taken when it is open and
 * free. undefined when no such conversation. The claim commits without waiting for the WAL flush
 * (`synchronous_commit` off for this statement's transaction only): a claim lost in a crash is a
 * lease nobody holds, which is harmless, and the turn's own write still waits for its flush. That
 * keeps an fsync out of the time to the first piece.
 */
export async function startTurn(
  db: Queryable,
  target: { customerId: string; conversationId: string; profileId: string | null; agentId: string | null },
  interactionId: string, leaseSeconds: number,
): Promise<TurnStart | undefined> {
  const rows = await db.query<TurnStart>(
    `WITH c AS (
       SELECT customer_id, id, state, agent_id, agent_version FROM conversations
        WHERE customer_id = $1 AND id = $2 AND ($3::text IS NULL OR profile_id = $3) AND ($4::text IS NULL OR agent_id = $4)
     ), claimed AS (
       INSERT INTO interaction_claims (customer_id, conversation_id, interaction_id, expires_at)
       SELECT customer_id, id, $5, now() + make_interval(secs => $6::int) FROM c WHERE state <> 'CLOSED'
       ON CONFLICT (customer_id, conversation_id) DO UPDATE
         SET interaction_id = EXCLUDED.interaction_id, expires_at = EXCLUDED.expires_at
         WHERE interaction_claims.expires_at < now()
       RETURNING 1
     )
     SELECT c.state, c.agent_id AS "agentId", c.agent_version AS "agentVersion", EXISTS (SELECT 1 FROM claimed) AS claimed,
            set_config('synchronous_commit', 'off', true) AS async
       FROM c`,
    [target.customerId, target.conversationId, target.profileId, target.agentId, interactionId, leaseSeconds],
    { prepare: true },
  );
  const row = rows[0];
  return row && { state: row.state, agentId: row.agentId, agentVersion: row.agentVersion, claimed: row.claimed };
}

/** What an interaction's answer was made from (run-turn.ts), as it was stored with the turn. */
export async function getInteractionRecord(
  db: Queryable, customerId: string, conversationId: string, interactionId: string,
): Promise<JsonObject | undefined> {
  const rows = await db.query<{ record: JsonObject }>(
    `SELECT record FROM interaction_records WHERE customer_id = $1 AND conversation_id = $2 AND interaction_id = $3`,
    [customerId, conversationId, interactionId],
  );
  return rows[0]?.record;
}

/** Gives a claim back; false when this interaction no longer holds it (its lease passed and another took it). */
export async function releaseInteraction(db: Queryable, customerId: string, conversationId: string, interactionId: string): Promise<boolean> {
  const rows = await db.query(
    `DELETE FROM interaction_claims WHERE customer_id = $1 AND conversation_id = $2 AND interaction_id = $3 RETURNING 1`,
    [customerId, conversationId, interactionId],
  );
  return rows.length === 1;
}

/** Whether an interaction holds the conversation now (an unexpired claim). */
export async function interactionRunning(db: Queryable, customerId: string, conversationId: string): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM interaction_claims WHERE customer_id = $1 AND conversation_id = $2 AND expires_at >= now()`,
    [customerId, conversationId],
  );
  return rows.length === 1;
}

/** Whether the conversation has a message written by an interaction (metadata `interactionId`). */
export async function hasInteractions(db: Queryable, customerId: string, conversationId: string): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM messages WHERE customer_id = $1 AND conversation_id = $2 AND metadata ->> 'interactionId' IS NOT NULL AND state <> 'DELETED' LIMIT 1`,
    [customerId, conversationId],
  );
  return rows.length === 1;
}

/**
 * The id of an end user's unfinished conversation with an agent, if any (Amigo's rule: one at a
 * time per user and service). The caller holds the agent's row lock, so two creates cannot both
 * see none.
 */
export async function openConversationOf(db: Queryable, customerId: string, agentId: string, externalUserId: string): Promise<string | undefined> {
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM conversations
      WHERE customer_id = $1 AND agent_id = $2 AND visitor ->> 'externalUserId' = $3 AND state <> 'CLOSED' LIMIT 1`,
    [customerId, agentId, externalUserId],
  );
  return rows[0]?.id;
}

/** The interaction of the conversation's latest message written by one (undefined when none). */
export async function latestInteractionOf(db: Queryable, customerId: string, conversationId: string): Promise<string | undefined> {
  const rows = await db.query<{ interactionId: string }>(
    `SELECT metadata ->> 'interactionId' AS "interactionId" FROM messages
      WHERE customer_id = $1 AND conversation_id = $2 AND metadata ->> 'interactionId' IS NOT NULL AND state <> 'DELETED'
      ORDER BY seq DESC LIMIT 1`,
    [customerId, conversationId],
  );
  return rows[0]?.interactionId;
}

import type { Queryable } from './driver.ts';

export type VoteType = 'up' | 'down';

/** A vote on one message (raia's conversation message feedback): one per voter and message. */
export interface MessageFeedbackRow {
  customerId: string;
  id: string;
  conversationId: string;
  messageId: string;
  /** Who voted, as the caller names them. */
  userId: string;
  voteType: VoteType;
  question: string | null;
  answer: string | null;
  comment: string | null;
  /** The voter's email when they are an end user Parley knows with one. */
  userEmail: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewVote = Pick<MessageFeedbackRow, 'id' | 'conversationId' | 'messageId' | 'userId' | 'voteType' | 'question' | 'answer' | 'comment'> & {
  /** The end user the voter id names in Parley's own id form, when it does (else the voter id is matched as an external id). */
  voterEndUserIds: string[];
};

const SELECT = `f.customer_id AS "customerId", f.id, f.conversation_id AS "conversationId", f.message_id AS "messageId",
  f.user_id AS "userId", f.vote_type AS "voteType", f.question, f.answer, f.comment, f.user_email AS "userEmail",
  f.created_at AS "createdAt", f.updated_at AS "updatedAt"`;

/** A message as a vote finds it: which conversation holds it. */
export interface VotableMessage {
  conversationId: string;
  messageId: string;
}

/**
 * The message with this id, unless deleted (a tombstone says nothing to vote on), in a conversation
 * the scope sees (its profile, its agent, when set).
 * Message ids are Parley's own (newId, never the caller's), so one id names one message of a
 * customer; the lookup runs on messages_by_customer_message_id (migration 020).
 */
export async function findVotableMessage(
  db: Queryable, customerId: string, messageId: string, scope: { profileId: string | null; agentId: string | null },
): Promise<VotableMessage | undefined> {
  const rows = await db.query<VotableMessage>(
    `SELECT m.conversation_id AS "conversationId", m.id AS "messageId"
       FROM messages m
       JOIN conversations c ON c.customer_id = m.customer_id AND c.id = m.conversation_id
      WHERE m.customer_id = $1 AND m.id = $2 AND m.state <> 'DELETED'
        AND ($3::text IS NULL OR c.profile_id = $3) AND ($4::text IS NULL OR c.agent_id = $4)
      LIMIT 1`,
    [customerId, messageId, scope.profileId, scope.agentId],
  );
  return rows[0];
}

/**
 * Writes the voter's vote on the message: the first creates it, a later one replaces every field
 * but the id and creation time. `created` tells which.
 */
export async function upsertMessageFeedback(db: Queryable, customerId: string, vote: NewVote): Promise<MessageFeedbackRow & { created: boolean }> {
  const [row] = await db.query<MessageFeedbackRow & { created: boolean }>(
    `INSERT INTO message_feedback AS f (customer_id, id, conversation_id, message_id, user_id, vote_type, question, answer, comment, user_email, voter_end_user_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
             (SELECT e.email FROM end_users e
               WHERE e.customer_id = $1 AND (e.id = ANY($10::text[]) OR e.external_id = $5) AND e.email <> '' LIMIT 1),
             (SELECT e.id FROM end_users e
               WHERE e.customer_id = $1 AND (e.id = ANY($10::text[]) OR e.external_id = $5) ORDER BY e.id = ANY($10::text[]) DESC LIMIT 1))
     ON CONFLICT (customer_id, conversation_id, message_id, user_id) DO UPDATE SET
       vote_type = EXCLUDED.vote_type, question = EXCLUDED.question, answer = EXCLUDED.answer, comment = EXCLUDED.comment,
       user_email = EXCLUDED.user_email, voter_end_user_id = EXCLUDED.voter_end_user_id, updated_at = now()
     RETURNING ${SELECT}, (f.id = $2) AS created`,
    [customerId, vote.id, vote.conversationId, vote.messageId, vote.userId, vote.voteType, vote.question, vote.answer, vote.comment, vote.voterEndUserIds],
  );
  return row;
}

/** The votes on the conversations' messages (only these messages' when given), oldest first. */
export async function listMessageFeedback(
  db: Queryable, customerId: string, conversationIds: readonly string[], messageIds?: readonly string[],
): Promise<MessageFeedbackRow[]> {
  if (conversationIds.length === 0 || messageIds?.length === 0) return [];
  return db.query<MessageFeedbackRow>(
    `SELECT ${SELECT} FROM message_feedback f
      WHERE f.customer_id = $1 AND f.conversation_id = ANY($2::text[]) AND ($3::text[] IS NULL OR f.message_id = ANY($3::text[]))
      ORDER BY f.created_at, f.id`,
    [customerId, conversationIds, messageIds ?? null],
  );
}

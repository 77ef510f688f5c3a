import type { Queryable } from './driver.ts';

/** A question asked for a later reply (migration 018). */
export interface AwaitedReply {
  customerId: string;
  conversationId: string;
  questionId: string;
  state: 'pending' | 'completed' | 'failed';
  replyId: string | null;
  error: string | null;
  createTime: Date;
  updateTime: Date;
}

const COLUMNS = `customer_id AS "customerId", conversation_id AS "conversationId", question_id AS "questionId", state,
  reply_id AS "replyId", error, create_time AS "createTime", update_time AS "updateTime"`;

export async function insertAwaitedReply(db: Queryable, customerId: string, conversationId: string, questionId: string): Promise<void> {
  await db.query(
    `INSERT INTO awaited_replies (customer_id, conversation_id, question_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [customerId, conversationId, questionId],
  );
}

export async function getAwaitedReply(db: Queryable, customerId: string, conversationId: string, questionId: string): Promise<AwaitedReply | undefined> {
  const rows = await db.query<AwaitedReply>(
    `SELECT ${COLUMNS} FROM awaited_replies WHERE customer_id = $1 AND conversation_id = $2 AND question_id = $3`,
    [customerId, conversationId, questionId],
  );
  return rows[0];
}

/** Settles a pending question (completed with its reply, or failed with why); false when it was settled already. */
export async function settleAwaitedReply(
  db: Queryable, customerId: string, conversationId: string, questionId: string,
  outcome: { state: 'completed'; replyId: string } | { state: 'failed'; error: string },
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE awaited_replies SET state = $4, reply_id = $5, error = $6, update_time = now()
      WHERE customer_id = $1 AND conversation_id = $2 AND question_id = $3 AND state = 'pending' RETURNING 1`,
    [customerId, conversationId, questionId, outcome.state, outcome.state === 'completed' ? outcome.replyId : null,
      outcome.state === 'failed' ? outcome.error : null],
  );
  return rows.length > 0;
}

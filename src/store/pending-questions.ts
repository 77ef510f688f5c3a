import type { Queryable } from './driver.ts';

/** A question still waiting for its reply (awaited_replies, migration 018), with what was asked. */
export interface PendingQuestion {
  messageId: string;
  text: string;
  createTime: Date;
}

/** A conversation's pending questions, oldest first; a deleted question is no longer asked. */
export async function listPendingQuestions(db: Queryable, customerId: string, conversationId: string, limit: number): Promise<PendingQuestion[]> {
  return db.query<PendingQuestion>(
    `SELECT m.id AS "messageId", m.text, m.create_time AS "createTime"
       FROM awaited_replies r
       JOIN messages m ON m.customer_id = r.customer_id AND m.conversation_id = r.conversation_id AND m.id = r.question_id
      WHERE r.customer_id = $1 AND r.conversation_id = $2 AND r.state = 'pending' AND m.state <> 'DELETED'
      ORDER BY m.seq LIMIT $3`,
    [customerId, conversationId, limit],
  );
}

import type { Queryable } from './driver.ts';

/** Feedback on a conversation (interactionId null) or on one of its interactions. */
export interface AgentFeedback {
  id: string;
  conversationId: string;
  interactionId: string | null;
  /** The end user who gave it (a sign-in token's); '' for a plain API key. */
  userId: string;
  /** What its kind holds: a comment, an interaction comment's `resolved`, a rating. */
  content: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type FeedbackSortField = 'createdAt' | 'userId' | 'conversationId' | 'interactionId';

export interface FeedbackQuery {
  /** Interaction feedback (true) or conversation feedback (false). */
  onInteractions: boolean;
  conversationIds?: string[];
  interactionIds?: string[];
  /** Set when the caller's key is narrowed to a profile or an agent: only its conversations' feedback. */
  profileId: string | null;
  agentId: string | null;
  order: { field: FeedbackSortField; descending: boolean }[];
}

const SELECT = `f.id, f.conversation_id AS "conversationId", f.interaction_id AS "interactionId", f.user_id AS "userId",
  f.content, f.created_at AS "createdAt", f.updated_at AS "updatedAt"`;

export async function insertFeedback(
  db: Queryable, customerId: string, feedback: Pick<AgentFeedback, 'id' | 'conversationId' | 'interactionId' | 'userId' | 'content'>,
): Promise<AgentFeedback> {
  const [row] = await db.query<AgentFeedback>(
    `INSERT INTO agent_feedback AS f (customer_id, id, conversation_id, interaction_id, user_id, content)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING ${SELECT}`,
    [customerId, feedback.id, feedback.conversationId, feedback.interactionId, feedback.userId, JSON.stringify(feedback.content)],
  );
  return row;
}

/** One feedback of a conversation (of one interaction, or of the conversation itself when interactionId is null). */
export async function getFeedback(
  db: Queryable, customerId: string, conversationId: string, interactionId: string | null, id: string, options: { forUpdate?: boolean } = {},
): Promise<AgentFeedback | undefined> {
  const rows = await db.query<AgentFeedback>(
    `SELECT ${SELECT} FROM agent_feedback f
      WHERE f.customer_id = $1 AND f.conversation_id = $2 AND f.interaction_id IS NOT DISTINCT FROM $3 AND f.id = $4
      ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [customerId, conversationId, interactionId, id],
  );
  return rows[0];
}

export async function updateFeedbackContent(db: Queryable, customerId: string, id: string, content: Record<string, unknown>): Promise<void> {
  await db.query(
    `UPDATE agent_feedback SET content = $3::jsonb, updated_at = now() WHERE customer_id = $1 AND id = $2`,
    [customerId, id, JSON.stringify(content)],
  );
}

export async function deleteFeedback(db: Queryable, customerId: string, id: string): Promise<boolean> {
  const rows = await db.query(`DELETE FROM agent_feedback WHERE customer_id = $1 AND id = $2 RETURNING 1`, [customerId, id]);
  return rows.length === 1;
}

const COLUMNS: Record<FeedbackSortField, string> = {
  createdAt: 'f.created_at', userId: 'f.user_id', conversationId: 'f.conversation_id', interactionId: 'f.interaction_id',
};

/** Feedback by filters, in the given order (then by id, a total order, so pages never overlap). */
export async function listFeedback(db: Queryable, customerId: string, query: FeedbackQuery, offset: number, limit: number): Promise<AgentFeedback[]> {
  const params: unknown[] = [customerId];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = ['f.customer_id = $1', query.onInteractions ? 'f.interaction_id IS NOT NULL' : 'f.interaction_id IS NULL'];
  if (query.conversationIds?.length) where.push(`f.conversation_id = ANY(${bind(query.conversationIds)}::text[])`);
  if (query.interactionIds?.length) where.push(`f.interaction_id = ANY(${bind(query.interactionIds)}::text[])`);
  if (query.profileId !== null) where.push(`c.profile_id = ${bind(query.profileId)}`);
  if (query.agentId !== null) where.push(`c.agent_id = ${bind(query.agentId)}`);
  const order = [...query.order.map((o) => `${COLUMNS[o.field]} ${o.descending ? 'DESC' : 'ASC'}`), 'f.id ASC'];
  return db.query<AgentFeedback>(
    `SELECT ${SELECT} FROM agent_feedback f
       JOIN conversations c ON c.customer_id = f.customer_id AND c.id = f.conversation_id
      WHERE ${where.join(' AND ')}
      ORDER BY ${order.join(', ')} OFFSET ${bind(offset)} LIMIT ${bind(limit)}`,
    params,
  );
}

/** Whether the conversation has an interaction with this id (a message it wrote). */
export async function hasInteraction(db: Queryable, customerId: string, conversationId: string, interactionId: string): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM messages WHERE customer_id = $1 AND conversation_id = $2 AND metadata ->> 'interactionId' = $3 AND state <> 'DELETED' LIMIT 1`,
    [customerId, conversationId, interactionId],
  );
  return rows.length === 1;
}

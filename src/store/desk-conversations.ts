import type { Conversation } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';
import { selectList } from './conversations.ts';
import { keywordMatch } from './search.ts';

/*
 * The support desk's list (raia's): one agent's conversations by filters, in numbered pages with a
 * total, which that vendor's envelope needs. The total counts every conversation the filters let
 * through, so all of them are read (conversations_by_agent_create) and the page is an OFFSET into
 * them in the order asked; core/conversations/desk.ts caps its depth. No index holds the update
 * time: every append changes it (migration 028).
 */

export interface DeskListQuery {
  agentId: string;
  /** Set when the caller's key is narrowed to one profile. */
  profileId: string | null;
  endUserId?: string;
  /** On the update time, inclusive. */
  updatedFrom?: Date;
  updatedTo?: Date;
  /** Only conversations with at least one message feedback. */
  withFeedbacksOnly?: boolean;
  /** Search (store/search.ts); ranked first unless `order` says otherwise. */
  keyword?: string;
  order: 'createTime' | 'updateTime' | 'rank';
  descending: boolean;
  offset: number;
  limit: number;
}

export async function listDeskConversations(db: Queryable, customerId: string, query: DeskListQuery): Promise<{ conversations: Conversation[]; total: number }> {
  const params: unknown[] = [customerId, query.agentId];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = ['c.customer_id = $1', 'c.agent_id = $2'];
  if (query.profileId !== null) where.push(`c.profile_id = ${bind(query.profileId)}`);
  if (query.endUserId) where.push(`c.end_user_id = ${bind(query.endUserId)}`);
  if (query.updatedFrom) where.push(`c.update_time >= ${bind(query.updatedFrom.toISOString())}`);
  if (query.updatedTo) where.push(`c.update_time <= ${bind(query.updatedTo.toISOString())}`);
  if (query.withFeedbacksOnly) {
    where.push('EXISTS (SELECT 1 FROM message_feedback f WHERE f.customer_id = c.customer_id AND f.conversation_id = c.id)');
  }
  let rank = '0';
  let join = '';
  if (query.keyword !== undefined) {
    const match = keywordMatch(query.keyword, bind, 'c');
    where.push(match.where);
    ({ rank, join } = match);
  }
  const filter = where.join(' AND ');
  const direction = query.descending ? 'DESC' : 'ASC';
  const orderOf = (t: string) => query.order === 'rank'
    ? `${t}.rank DESC, ${t}.update_time DESC, ${t}.id DESC`
    : `${t}.${query.order === 'createTime' ? 'create_time' : 'update_time'} ${direction}, ${t}.id ${direction}`;
  // The total comes with the page (one search, not two); a page past the end has no row to carry
  // it, so only then is it counted alone.
  const countParams = params.slice();
  // Prepared: a search statement takes longer to plan than to run, and its text comes in few
  // forms (the filters present and the keyword's number of words). The filter, the rank and the
  // count run over narrow rows; only the page's conversations are read whole.
  const rows = await db.query<Conversation & { total: number }>(
    `SELECT ${selectList('c')}, p.total FROM (
        SELECT m.*, count(*) OVER ()::int AS total FROM (
          SELECT c.id, c.create_time, c.update_time, ${rank} AS rank FROM conversations c ${join} WHERE ${filter}) m
         ORDER BY ${orderOf('m')} OFFSET ${bind(query.offset)} LIMIT ${bind(query.limit)}) p
      JOIN conversations c ON c.customer_id = $1 AND c.id = p.id
      ORDER BY ${orderOf('p')}`,
    params,
    { prepare: true },
  );
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && query.offset > 0) {
    [{ total }] = await db.query<{ total: number }>(`SELECT count(*)::int AS total FROM conversations c ${join} WHERE ${filter}`, countParams);
  }
  const conversations = rows.map(({ total: _total, ...conversation }) => conversation as Conversation);
  return { conversations, total };
}

/** The ids of a person's conversations with an agent (all of them: the desk deletes them together). */
export async function deskConversationsOf(db: Queryable, customerId: string, agentId: string, endUserId: string, profileId: string | null): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM conversations WHERE customer_id = $1 AND agent_id = $2 AND end_user_id = $3 AND ($4::text IS NULL OR profile_id = $4)
      ORDER BY create_time, id`,
    [customerId, agentId, endUserId, profileId],
  );
  return rows.map((r) => r.id);
}

/** Summaries and sentiment scores of analysed conversations, by conversation id. */
export async function deskAnalyses(db: Queryable, customerId: string, ids: readonly string[]): Promise<{ conversationId: string; summary: string; sentimentScore: number }[]> {
  if (ids.length === 0) return [];
  return db.query(
    `SELECT conversation_id AS "conversationId", summary, sentiment_score AS "sentimentScore" FROM analyses
      WHERE customer_id = $1 AND conversation_id = ANY($2::text[])`,
    [customerId, ids],
  );
}

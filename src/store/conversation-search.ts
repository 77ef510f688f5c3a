import type { Conversation } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';
import { filterClause, type ConversationFilter, type ConversationOrder } from './conversation-list.ts';
import { selectList } from './conversations.ts';
import { keywordMatch } from './search.ts';

/*
 * ListConversations with `filter.search`: the filters of conversation-list.ts and the support
 * desk's ranked keyword match (search.ts: title, agent name, person, summary, message words).
 * Best match first by default, or in a time order; either way a keyset page at a time.
 */

/** Best match first (ties: newest start first), or one of ListConversations' time orders. */
export type SearchOrder = { field: 'rank' } | ConversationOrder;

/** Where the previous page ended: [rank, startTime, id] in rank order, [time, id] in a time order. */
export type SearchCursor = readonly (string | number)[];

export interface RankedConversation {
  conversation: Conversation;
  rank: number;
}

export async function searchConversations(
  db: Queryable,
  customerId: string,
  profileId: string,
  /** Only this agent's conversations (a key narrowed to an agent). */
  agentId: string | null,
  filter: ConversationFilter,
  search: string,
  order: SearchOrder,
  after: SearchCursor | undefined,
  limit: number,
): Promise<RankedConversation[]> {
  const params: unknown[] = [customerId, profileId];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  let filters = filterClause(filter, params);
  if (agentId !== null) filters += ` AND c.agent_id = ${bind(agentId)}`;
  // `join`: a keyword too short for the indexes brings a LATERAL join (store/search.ts).
  const { join, where, rank } = keywordMatch(search, bind, 'c');
  // The rank is computed once a row, in the inner select; the outer one pages and orders by it.
  const inner = `SELECT ${selectList('c')}, ${rank} AS "searchRank" FROM conversations c ${join} WHERE ${filters} AND ${where}`;
  let seek = '';
  let orderBy: string;
  if (order.field === 'rank') {
    if (after) seek = `WHERE (x."searchRank", x."startTime", x.id) < (${bind(after[0])}::float8, ${bind(after[1])}::timestamptz, ${bind(after[2])}::text)`;
    orderBy = 'x."searchRank" DESC, x."startTime" DESC, x.id DESC';
  } else {
    const column = `x."${order.field}"`;
    const direction = order.descending ? 'DESC' : 'ASC';
    if (after) seek = `WHERE (${column}, x.id) ${order.descending ? '<' : '>'} (${bind(after[0])}::timestamptz, ${bind(after[1])}::text)`;
    orderBy = `${column} ${direction}, x.id ${direction}`;
  }
  const rows = await db.query<Conversation & { searchRank: number }>(
    `SELECT * FROM (${inner}) x ${seek} ORDER BY ${orderBy} LIMIT ${bind(limit)}`,
    params,
  );
  return rows.map(({ searchRank, ...conversation }) => ({ conversation: conversation as Conversation, rank: searchRank }));
}

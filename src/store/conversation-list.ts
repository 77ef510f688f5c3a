import type { Conversation } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';
import { selectList } from './conversations.ts';
import { messageSubstringMatch } from './search.ts';

/** ListConversations / CountConversations filter: repeated values are OR, fields are AND. */
export interface ConversationFilter {
  rangeStartTime?: Date;
  rangeEndTime?: Date;
  users?: { userName?: string; teamName?: string }[];
  teams?: string[];
  platformConversationId?: string;
  /** Seconds; an open conversation's duration runs until now. */
  minConversationDuration?: number;
  maxConversationDuration?: number;
  messageKeyword?: string;
  states?: string[];
  channels?: string[];
  sources?: string[];
  tags?: string[];
  languageCodes?: string[];
  usecases?: string[];
  agents?: string[];
  /** Metadata key → accepted values (any of them). */
  metadata?: Record<string, string[]>;
}

export type ConversationOrderField = 'startTime' | 'createTime';

export interface ConversationOrder {
  field: ConversationOrderField;
  descending: boolean;
}

const ORDER_COLUMNS: Record<ConversationOrderField, string> = { startTime: 'start_time', createTime: 'create_time' };

/** Builds the WHERE clause shared by list, count and search (conversation-search.ts); `params` already holds customer and profile. */
export function filterClause(filter: ConversationFilter, params: unknown[]): string {
  const where = ['c.customer_id = $1', 'c.profile_id = $2'];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const anyOf = (column: string, values: string[] | undefined) => {
    if (values?.length) where.push(`c.${column} = ANY(${bind(values)}::text[])`);
  };
  if (filter.rangeStartTime) where.push(`coalesce(c.end_time, 'infinity') >= ${bind(filter.rangeStartTime.toISOString())}::timestamptz`);
  if (filter.rangeEndTime) where.push(`c.start_time <= ${bind(filter.rangeEndTime.toISOString())}::timestamptz`);
  if (filter.users?.length) {
    const alternatives = filter.users.map((user) => {
      const parts = ['true'];
      if (user.userName) parts.push(`c.agent_user_name = ${bind(user.userName)}`);
      if (user.teamName) parts.push(`c.team = ${bind(user.teamName)}`);
      return `(${parts.join(' AND ')})`;
    });
    where.push(`(${alternatives.join(' OR ')})`);
  }
  anyOf('team', filter.teams);
  if (filter.platformConversationId) where.push(`c.platform_conversation_id = ${bind(filter.platformConversationId)}`);
  const duration = `extract(epoch FROM coalesce(c.end_time, now()) - c.start_time)`;
  if (filter.minConversationDuration !== undefined) where.push(`${duration} >= ${bind(filter.minConversationDuration)}::float8`);
  if (filter.maxConversationDuration !== undefined) where.push(`${duration} <= ${bind(filter.maxConversationDuration)}::float8`);
  if (filter.messageKeyword) where.push(messageSubstringMatch(filter.messageKeyword, bind));
  anyOf('state', filter.states);
  anyOf('channel', filter.channels);
  anyOf('source', filter.sources);
  anyOf('language_code', filter.languageCodes);
  anyOf('usecase', filter.usecases);
  anyOf('agent', filter.agents);
  if (filter.tags?.length) {
    where.push(`EXISTS (SELECT 1 FROM conversation_tags t WHERE t.customer_id = c.customer_id
      AND t.conversation_id = c.id AND t.tag_id = ANY(${bind(filter.tags)}::text[]))`);
  }
  for (const [key, values] of Object.entries(filter.metadata ?? {})) {
    where.push(`jsonb_exists_any(c.metadata -> ${bind(key)} -> 'values', ${bind(values)}::text[])`);
  }
  return where.join(' AND ');
}

export type ConversationCursor = [time: string, id: string];

export async function listConversations(
  db: Queryable,
  customerId: string,
  profileId: string,
  filter: ConversationFilter,
  order: ConversationOrder,
  after: ConversationCursor | undefined,
  limit: number,
): Promise<Conversation[]> {
  const params: unknown[] = [customerId, profileId];
  let where = filterClause(filter, params);
  const column = `c.${ORDER_COLUMNS[order.field]}`;
  const direction = order.descending ? 'DESC' : 'ASC';
  if (after) {
    params.push(after[0], after[1]);
    where += ` AND (${column}, c.id) ${order.descending ? '<' : '>'} ($${params.length - 1}::timestamptz, $${params.length})`;
  }
  params.push(limit);
  return db.query<Conversation>(
    `SELECT ${selectList('c')} FROM conversations c WHERE ${where}
     ORDER BY ${column} ${direction}, c.id ${direction} LIMIT $${params.length}`,
    params,
  );
}

export async function countConversations(
  db: Queryable,
  customerId: string,
  profileId: string,
  filter: ConversationFilter,
): Promise<number> {
  const params: unknown[] = [customerId, profileId];
  const where = filterClause(filter, params);
  const rows = await db.query<{ count: number }>(`SELECT count(*) AS count FROM conversations c WHERE ${where}`, params);
  return rows[0].count;
}

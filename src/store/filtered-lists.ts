import type { Conversation, Message, Role } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';
import { selectList } from './conversations.ts';
import { messageJson, messagesFromJson } from './messages.ts';

/*
 * Lists for vendors whose page token is a row count (Amigo's integer `continuation_token`): the
 * filters in SQL, the page by OFFSET, which core/conversations/filtered-list.ts caps in depth.
 */

/** A tag filter on the conversation's metadata: `value` null is "any value", '' is "no value". */
export interface MetadataTagFilter {
  key: string;
  value: string | null;
}

/** Repeated values are OR, fields are AND (as conversation-list.ts). */
export interface FilteredConversationQuery {
  /** Set when the caller's key is narrowed to one profile. */
  profileId: string | null;
  ids?: string[];
  /** The end users' external ids (`visitor.externalUserId`). */
  endUsers?: string[];
  agentIds?: string[];
  closed?: boolean;
  tags?: MetadataTagFilter[];
  descending: boolean;
}

/** A conversation with what the agent surface shows beside it. */
export type ConversationWithAgent = Conversation & {
  agentId: string | null;
  agentName: string | null;
  /** The agent version it runs and the set that named it at create (null when it runs none). */
  agentVersion: number | null;
  agentVersionSet: string | null;
  /** The text of its last message that is not deleted; '' when it has none. */
  finalMessage: string;
  /** Whether it has insights (an analyses row). */
  analyzed: boolean;
  /** The post-processing kinds done for it (post_processings), by name. */
  completedPostProcessings: string[];
};

const EXTRAS = `c.agent_id AS "agentId", a.name AS "agentName", c.agent_version AS "agentVersion", c.agent_version_set AS "agentVersionSet",
  coalesce((SELECT m.text FROM messages m WHERE m.customer_id = c.customer_id AND m.conversation_id = c.id AND m.state <> 'DELETED'
            ORDER BY m.seq DESC LIMIT 1), '') AS "finalMessage",
  EXISTS (SELECT 1 FROM analyses an WHERE an.customer_id = c.customer_id AND an.conversation_id = c.id) AS analyzed,
  coalesce((SELECT array_agg(p.type ORDER BY p.type) FROM post_processings p
             WHERE p.customer_id = c.customer_id AND p.conversation_id = c.id), '{}') AS "completedPostProcessings"`;

export async function listConversationsFiltered(
  db: Queryable,
  customerId: string,
  query: FilteredConversationQuery,
  offset: number,
  limit: number,
): Promise<ConversationWithAgent[]> {
  const params: unknown[] = [customerId];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = ['c.customer_id = $1'];
  if (query.profileId !== null) where.push(`c.profile_id = ${bind(query.profileId)}`);
  if (query.ids?.length) where.push(`c.id = ANY(${bind(query.ids)}::text[])`);
  if (query.endUsers?.length) where.push(`c.visitor ->> 'externalUserId' = ANY(${bind(query.endUsers)}::text[])`);
  if (query.agentIds?.length) where.push(`c.agent_id = ANY(${bind(query.agentIds)}::text[])`);
  if (query.closed !== undefined) where.push(query.closed ? `c.state = 'CLOSED'` : `c.state <> 'CLOSED'`);
  if (query.tags?.length) {
    const alternatives = query.tags.map(({ key, value }) => {
      const k = bind(key);
      if (value === null) return `jsonb_exists(c.metadata, ${k})`;
      if (value === '') return `(jsonb_exists(c.metadata, ${k}) AND coalesce(jsonb_array_length(c.metadata -> ${k} -> 'values'), 0) = 0)`;
      return `jsonb_exists(coalesce(c.metadata -> ${k} -> 'values', '[]'), ${bind(value)})`;
    });
    where.push(`(${alternatives.join(' OR ')})`);
  }
  const direction = query.descending ? 'DESC' : 'ASC';
  return db.query<ConversationWithAgent>(
    `SELECT ${selectList('c')}, ${EXTRAS}
       FROM conversations c LEFT JOIN agents a ON a.customer_id = c.customer_id AND a.id = c.agent_id
      WHERE ${where.join(' AND ')}
      ORDER BY c.create_time ${direction}, c.id ${direction} OFFSET ${bind(offset)} LIMIT ${bind(limit)}`,
    params,
  );
}

export interface FilteredMessageQuery {
  ids?: string[];
  speakers?: Role[];
  interactionIds?: string[];
  /** Sort keys in order; `interaction` is the message's interaction id (see interactionIdSql). */
  order: { field: 'interaction' | 'createTime'; descending: boolean }[];
}

/** A message's interaction: the one its writer recorded (metadata `interactionId`), else the message itself. */
const interactionIdSql = (m: string) => `coalesce(${m}.metadata ->> 'interactionId', ${m}.id)`;

/** A conversation's messages that are not deleted, filtered and ordered. */
export async function listMessagesFiltered(
  db: Queryable,
  customerId: string,
  conversationId: string,
  query: FilteredMessageQuery,
  offset: number,
  limit: number,
): Promise<Message[]> {
  const params: unknown[] = [customerId, conversationId];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = ['m.customer_id = $1', 'm.conversation_id = $2', `m.state <> 'DELETED'`];
  if (query.ids?.length) where.push(`m.id = ANY(${bind(query.ids)}::text[])`);
  if (query.speakers) where.push(`m.speaker = ANY(${bind(query.speakers)}::text[])`);
  if (query.interactionIds?.length) where.push(`${interactionIdSql('m')} = ANY(${bind(query.interactionIds)}::text[])`);
  const columns = { interaction: interactionIdSql('m'), createTime: 'm.create_time' };
  // seq last: a total order, so pages never overlap.
  const order = [...query.order.map((o) => `${columns[o.field]} ${o.descending ? 'DESC' : 'ASC'}`), 'm.seq ASC'];
  const rows = await db.query<{ doc: unknown }>(
    `SELECT ${messageJson('m')} AS doc FROM messages m WHERE ${where.join(' AND ')}
      ORDER BY ${order.join(', ')} OFFSET ${bind(offset)} LIMIT ${bind(limit)}`,
    params,
  );
  return messagesFromJson(rows.map((r) => r.doc) as Parameters<typeof messagesFromJson>[0]);
}

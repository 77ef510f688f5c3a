import type { CloseReason, Conversation, JsonObject, Message } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';
import { refPredicate, type ConversationRef } from './conversation-ref.ts';
import { selectList } from './conversations.ts';
import { announceEvents } from './events.ts';
import { MESSAGE_COLUMNS, MESSAGE_CREATE_PAYLOAD, MESSAGE_VALUES, messageDoc, messageJson, messagesFromJson, type NewMessage } from './messages.ts';

/** A conversation as the ingest surface sees it: the core row plus what ingest keeps beside it. */
export interface IngestConversation {
  conversation: Conversation;
  agentId: string | null;
  llmModel: string;
  companyName: string;
  metadata: JsonObject;
  /**
   * The caller's word for the conversation while it is open, kept only to be echoed back (the
   * ingest surface has two); the conversation's state and close reason are the lifecycle's.
   */
  openStatus: string;
  hasInsights: boolean;
  /** now() of the reading transaction: the update_time any write in it stamps. */
  transactionTime: Date;
  /** The seq the next message gets: an append guards on it (store/messages.ts AppendRequest.expectSeq). */
  nextMessageSeq: number;
  /**
   * The seq the conversation's next event gets. Every change to its messages appends an event in the
   * same transaction, so an unchanged version means unchanged messages (core/ingest/transcript-cache.ts).
   */
  version: number;
}

export interface IngestDetails {
  agentId: string;
  llmModel: string;
  companyName: string;
  metadata: JsonObject;
  openStatus: string;
}

const HAS_INSIGHTS = `EXISTS (SELECT 1 FROM analyses a WHERE a.customer_id = c.customer_id AND a.conversation_id = c.id)`;

const VIEW = `${selectList('c')}, c.agent_id AS "agentId", coalesce(i.llm_model, '') AS "llmModel",
  coalesce(i.company_name, '') AS "companyName", coalesce(i.metadata, '{}') AS "ingestMetadata",
  coalesce(i.open_status, 'active') AS "openStatus", ${HAS_INSIGHTS} AS "hasInsights", now() AS "transactionTime",
  c.next_message_seq AS "nextMessageSeq", c.next_event_seq AS "version"`;
const FROM = `conversations c LEFT JOIN ingest_conversations i ON i.customer_id = c.customer_id AND i.conversation_id = c.id`;

type ViewRow = Conversation & Omit<IngestConversation, 'conversation' | 'metadata'> & { ingestMetadata: JsonObject };

function fromRow({ agentId, llmModel, companyName, ingestMetadata, openStatus, hasInsights, transactionTime, nextMessageSeq, version, ...conversation }: ViewRow): IngestConversation {
  return {
    conversation: conversation as Conversation, agentId, llmModel, companyName, metadata: ingestMetadata, openStatus, hasInsights, transactionTime, nextMessageSeq, version,
  };
}

/** One conversation as ingest sees it; `forUpdate` takes the conversation's row lock (appends). */
export async function getIngestConversation(db: Queryable, ref: ConversationRef, options: { forUpdate?: boolean } = {}): Promise<IngestConversation | undefined> {
  const where = refPredicate(ref, 1, 'c');
  const rows = await db.query<ViewRow>(`SELECT ${VIEW} FROM ${FROM} WHERE ${where.sql}${options.forUpdate ? ' FOR UPDATE OF c' : ''}`, where.params);
  return rows[0] && fromRow(rows[0]);
}

/**
 * A conversation as ingest sees it, with the messages its transcript renders; `messages` is absent
 * when the caller already holds them (getIngestTranscript's `unlessVersion`).
 */
export interface IngestTranscriptRow extends IngestConversation {
  messages?: Message[];
}

/**
 * One conversation as ingest sees it AND its transcript, in one statement (one snapshot): the first
 * `limit` messages by seq, tombstones (DELETED) left out, as one json_agg value (store/messages.ts
 * messageJson). With `unlessVersion` the messages are neither read nor sent when the conversation is
 * still at that version. `forUpdate` takes the conversation's row lock.
 */
export async function getIngestTranscript(
  db: Queryable, ref: ConversationRef, limit: number, options: { forUpdate?: boolean; unlessVersion?: number } = {},
): Promise<IngestTranscriptRow | undefined> {
  const where = refPredicate(ref, 3, 'c');
  const rows = await db.query<ViewRow & { messages: Parameters<typeof messagesFromJson>[0] | null }>(
    `SELECT ${VIEW}, CASE WHEN c.next_event_seq = $2::int THEN NULL ELSE coalesce((
       SELECT json_agg(${messageJson('m')} ORDER BY m.seq) FROM (
         SELECT * FROM messages WHERE customer_id = c.customer_id AND conversation_id = c.id ORDER BY seq LIMIT $1
       ) m WHERE m.state <> 'DELETED'
     ), '[]') END AS messages
     FROM ${FROM} WHERE ${where.sql}${options.forUpdate ? ' FOR UPDATE OF c' : ''}`,
    [limit, options.unlessVersion ?? null, ...where.params],
    { prepare: true },
  );
  if (!rows[0]) return undefined;
  const { messages, ...view } = rows[0];
  return messages === null ? fromRow(view) : { ...fromRow(view), messages: messagesFromJson(messages) };
}

export interface NewIngestConversation {
  customerId: string;
  profileId: string;
  id: string;
  /** The agent it logs; nothing is written when the agent is absent (or outside `agentProfileId`). */
  agentId: string;
  /** The caller's profile narrowing the agent lookup (null: any of the customer's). */
  agentProfileId: string | null;
  actor: string;
  /** The row as the lifecycle starts (and, for a create that closes it, closes) it. */
  conversation: Pick<Conversation, 'state' | 'startTime' | 'channel' | 'source'> & Partial<Pick<Conversation, 'endTime' | 'closeReason'>>;
  details: Omit<IngestDetails, 'agentId'>;
  messages: readonly NewMessage[];
  /** Events before the messages' MESSAGE_CREATE events (the start), and after them (the close). */
  eventsBefore: readonly { type: string; payload: JsonObject }[];
  eventsAfter: readonly { type: string; payload: JsonObject }[];
}

/**
 * A logged conversation in ONE statement (no transaction needed, and nothing is written when the
 * agent is absent): the conversation row as the lifecycle left it, its ingest record, its messages
 * with seqs from 0, and its events (eventsBefore, one MESSAGE_CREATE per message, eventsAfter) with
 * seqs from 0. The column values are those of the step-by-step path (start, ingest record, append,
 * close) in one transaction: every step stamps the same now(). Undefined when the agent is absent.
 */
export async function createIngestConversation(
  db: Queryable, input: NewIngestConversation,
): Promise<{ conversation: Conversation; messages: Message[] } | undefined> {
  const c = input.conversation;
  const rows = await db.query<Conversation & { messages: Parameters<typeof messagesFromJson>[0] }>(
    `WITH agent AS (
       SELECT id FROM agents WHERE customer_id = $1 AND id = $4 AND ($5::text IS NULL OR profile_id = $5)
     ), input AS (
       SELECT doc, ord::int - 1 AS seq FROM jsonb_array_elements($12::jsonb) WITH ORDINALITY AS m(doc, ord)
     ), conv AS (
       INSERT INTO conversations AS c (customer_id, id, profile_id, name_id, agent_id, state, start_time, end_time, close_reason,
         channel, source, create_time, message_count, next_message_seq, next_event_seq)
       SELECT $1, $2, $3, $2, agent.id, $6, $7::timestamptz, $8::timestamptz, $9, $10, $11, date_trunc('milliseconds', now()),
              jsonb_array_length($12::jsonb), jsonb_array_length($12::jsonb),
              jsonb_array_length($13::jsonb) + jsonb_array_length($12::jsonb) + jsonb_array_length($14::jsonb)
         FROM agent
       RETURNING ${selectList('c')}
     ), described AS (
       INSERT INTO ingest_conversations (customer_id, conversation_id, llm_model, company_name, metadata, open_status)
       SELECT $1, id, $15, $16, $17::jsonb, $18 FROM conv
     ), inserted AS (
       INSERT INTO messages (customer_id, conversation_id, seq, ${MESSAGE_COLUMNS})
       SELECT $1, conv.id, seq, ${MESSAGE_VALUES} FROM conv, input
       RETURNING *
     ), logged AS (
       INSERT INTO events (customer_id, conversation_id, seq, type, actor, associated_message, payload)
       SELECT $1, conv.id, e.seq, e.type, $19, e.associated_message, e.payload FROM conv, (
         SELECT (ord - 1)::int AS seq, doc->>'type' AS type, '' AS associated_message, doc->'payload' AS payload
           FROM jsonb_array_elements($13::jsonb) WITH ORDINALITY AS b(doc, ord)
         UNION ALL
         SELECT jsonb_array_length($13::jsonb) + seq, 'MESSAGE_CREATE', doc->>'id', ${MESSAGE_CREATE_PAYLOAD} FROM input
         UNION ALL
         SELECT (jsonb_array_length($13::jsonb) + jsonb_array_length($12::jsonb) + ord - 1)::int, doc->>'type', '', doc->'payload'
           FROM jsonb_array_elements($14::jsonb) WITH ORDINALITY AS a(doc, ord)
       ) e
       ORDER BY e.seq
     )
     SELECT conv.*, (SELECT json_agg(${messageJson('m')} ORDER BY m.seq) FROM inserted m) AS messages FROM conv`,
    [
      input.customerId, input.id, input.profileId, input.agentId, input.agentProfileId,
      c.state, c.startTime.toISOString(), c.endTime?.toISOString() ?? null, c.closeReason ?? null, c.channel, c.source,
      JSON.stringify(input.messages.map(messageDoc)), JSON.stringify(input.eventsBefore), JSON.stringify(input.eventsAfter),
      input.details.llmModel, input.details.companyName, JSON.stringify(input.details.metadata), input.details.openStatus, input.actor,
    ],
    { prepare: true },
  );
  if (!rows[0]) return undefined;
  announceEvents(db);
  const { messages, ...conversation } = rows[0];
  return { conversation, messages: messagesFromJson(messages) };
}

export interface IngestFilter {
  /** One profile's conversations only; absent: every profile of the customer. */
  profileId?: string;
  agentId?: string;
  /** true: open conversations only; false: closed ones only. */
  open?: boolean;
  /** Closed ones closed for this reason only. */
  closeReason?: CloseReason;
  hasInsights?: boolean;
}

function filterClause(filter: IngestFilter, params: unknown[]): string {
  const where = ['c.customer_id = $1'];
  if (filter.profileId !== undefined) {
    params.push(filter.profileId);
    where.push(`c.profile_id = $${params.length}`);
  }
  if (filter.agentId !== undefined) {
    params.push(filter.agentId);
    where.push(`c.agent_id = $${params.length}`);
  }
  if (filter.open !== undefined) where.push(filter.open ? `c.state <> 'CLOSED'` : `c.state = 'CLOSED'`);
  if (filter.closeReason !== undefined) {
    params.push(filter.closeReason);
    where.push(`c.close_reason = $${params.length}`);
  }
  if (filter.hasInsights !== undefined) where.push(filter.hasInsights ? HAS_INSIGHTS : `NOT ${HAS_INSIGHTS}`);
  return where.join(' AND ');
}

/**
 * A page of a customer's conversations (of one profile with `filter.profileId`), newest first, and
 * the total matching count. One profile's pages are served by conversations_by_create; the count
 * reads every match either way, and the offset is capped (core/ingest/limits.ts).
 */
export async function listIngestConversations(
  db: Queryable,
  customerId: string,
  filter: IngestFilter,
  page: { limit: number; offset: number },
): Promise<{ conversations: IngestConversation[]; total: number }> {
  const params: unknown[] = [customerId];
  const where = filterClause(filter, params);
  const [rows, counted] = await Promise.all([
    db.query<ViewRow>(
      `SELECT ${VIEW} FROM ${FROM} WHERE ${where} ORDER BY c.create_time DESC, c.id DESC
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.limit, page.offset],
    ),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM conversations c WHERE ${where}`, params),
  ]);
  return { conversations: rows.map(fromRow), total: counted[0].total };
}

import type { JsonObject, Message, Redaction, Role, MessageState } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';
import { refPredicate, type ConversationRef } from './conversation-ref.ts';
import { announceEvents } from './events.ts';

const SELECT = `customer_id AS "customerId", conversation_id AS "conversationId", id, seq,
  legacy_message_id AS "legacyMessageId", text, text_html AS "textHtml", transcription_info AS "transcriptionInfo",
  agent, speaker, speaker_info AS "speakerInfo", state, create_time AS "createTime", update_time AS "updateTime",
  audio_start_offset AS "audioStartOffset", audio_end_offset AS "audioEndOffset",
  original_event_data AS "originalEventData", language, metadata, redactions`;

/**
 * A new message's columns, and their values read from its JSON document `doc` (a NewMessage with
 * createTime as an ISO string): every statement that inserts messages takes them from here.
 */
export const MESSAGE_COLUMNS = `id, legacy_message_id, text, text_html, transcription_info, agent, speaker, speaker_info, state,
  create_time, audio_start_offset, audio_end_offset, original_event_data, language, metadata`;
export const MESSAGE_VALUES = `doc->>'id', coalesce(doc->>'legacyMessageId', ''),
  doc->>'text', coalesce(doc->>'textHtml', ''), doc->'transcriptionInfo', coalesce(doc->>'agent', ''),
  doc->>'speaker', doc->'speakerInfo', doc->>'state', coalesce((doc->>'createTime')::timestamptz, now()),
  (doc->>'audioStartOffset')::float8, (doc->>'audioEndOffset')::float8, doc->'originalEventData',
  coalesce(doc->>'language', ''), coalesce(doc->'metadata', '{}')`;
/** The payload of a message's MESSAGE_CREATE event, from its document `doc` and its `seq`. */
export const MESSAGE_CREATE_PAYLOAD = `jsonb_build_object('sequencePosition', seq, 'speaker', doc->>'speaker')`;

/** A message as a document for the append statements. */
export function messageDoc(message: NewMessage): Record<string, unknown> {
  return { ...message, createTime: message.createTime?.toISOString() };
}

/**
 * One message row of table alias `m` as ONE json value, so that a whole transcript comes back as
 * one json_agg column: one JSON.parse instead of the driver's per-row, per-column work (a 100-message
 * transcript was ~40% of an ingest append's CPU as rows). Times go as epoch milliseconds, cut like the
 * driver's own timestamptz parsing; messagesFromJson makes them Dates again.
 */
export function messageJson(m: string): string {
  const ms = (column: string) => `floor(extract(epoch FROM ${m}.${column}) * 1000)`;
  return `json_build_object('customerId', ${m}.customer_id, 'conversationId', ${m}.conversation_id, 'id', ${m}.id, 'seq', ${m}.seq,
    'legacyMessageId', ${m}.legacy_message_id, 'text', ${m}.text, 'textHtml', ${m}.text_html, 'transcriptionInfo', ${m}.transcription_info,
    'agent', ${m}.agent, 'speaker', ${m}.speaker, 'speakerInfo', ${m}.speaker_info, 'state', ${m}.state,
    'createTime', ${ms('create_time')}, 'updateTime', ${ms('update_time')},
    'audioStartOffset', ${m}.audio_start_offset, 'audioEndOffset', ${m}.audio_end_offset,
    'originalEventData', ${m}.original_event_data, 'language', ${m}.language, 'metadata', ${m}.metadata, 'redactions', ${m}.redactions)`;
}

type MessageJson = Omit<Message, 'createTime' | 'updateTime'> & { createTime: number; updateTime: number };

/** The messages of a json_agg of messageJson (null: none). */
export function messagesFromJson(list: readonly MessageJson[] | null): Message[] {
  if (!list) return [];
  return list.map((m) => ({ ...m, createTime: new Date(m.createTime), updateTime: new Date(m.updateTime) }));
}

export interface NewMessage {
  id: string;
  text: string;
  textHtml?: string;
  legacyMessageId?: string;
  transcriptionInfo?: JsonObject | null;
  agent?: string;
  speaker: Role;
  speakerInfo?: JsonObject | null;
  state: MessageState;
  createTime?: Date;
  audioStartOffset?: number | null;
  audioEndOffset?: number | null;
  originalEventData?: JsonObject | null;
  language?: string;
  metadata?: JsonObject;
}

export interface AppendRequest {
  ref: ConversationRef;
  actor: string;
  messages: readonly NewMessage[];
  /** `closed`: only to a CLOSED conversation — a finished call's transcript (core/calls/transcripts.ts). Default `open`. */
  into?: 'open' | 'closed';
  /**
   * Optimistic guard: append only if the conversation's next message seq is still this one (no
   * message was appended since the caller read it), else refuse with []. Lets a caller check its
   * rules against a conversation read WITHOUT a lock and still lock the row once, here.
   */
  expectSeq?: number;
  /** Events written after the messages' MESSAGE_CREATE events, in the same statement. */
  events?: readonly { type: string; payload: JsonObject }[];
  /** The ingest record's metadata, replaced by this (already merged) object; the record is made when absent. */
  ingestMetadata?: JsonObject;
  /**
   * An agent interaction's turn (core/interactions/run-turn.ts), by a ref with the conversation's
   * id: appended only while `interactionId` still holds the conversation's claim
   * (store/interactions.ts), which the same statement gives back, with the record of what the
   * answer was made from (`record`, kept for the interaction's insights).
   */
  interaction?: { interactionId: string; record: JsonObject };
}

/**
 * Appends the messages of several requests, to one or many conversations, in ONE statement: each
 * conversation's row is locked (in key order, so two batches cannot deadlock), its gapless seqs are
 * handed out request by request in batch order, message_count is bumped, and the MESSAGE_CREATE
 * events (then each request's own events) are written alongside. One statement and one commit for
 * many requests is what lets the append path keep up with a bare insert
 * (core/messages/append-batcher.ts, bench/RESULTS.md). Returns, per request, its messages; [] when
 * its conversation is absent, not in the wanted state, or moved past its expectSeq (the caller
 * tells them apart). A guarded request (expectSeq) is accepted only when no request before it in
 * the batch appends to the same conversation, so a refused one leaves no gap in the seqs of the
 * requests after it.
 */
export async function appendMessageBatch(db: Queryable, requests: readonly AppendRequest[]): Promise<Message[][]> {
  const input = requests.map(({ ref, actor, messages, into = 'open', expectSeq, events, ingestMetadata, interaction }, req) => ({
    req,
    customer_id: ref.customerId,
    profile_id: ref.profileId ?? null,
    name_id: 'nameId' in ref ? ref.nameId : null,
    id: 'nameId' in ref ? null : ref.id,
    actor,
    messages: messages.map(messageDoc),
    into_state: into,
    expect_seq: expectSeq ?? null,
    events: events ?? [],
    ingest_metadata: ingestMetadata ?? null,
    interaction_id: interaction?.interactionId ?? null,
    interaction_record: interaction?.record ?? null,
  }));
  const rows = await db.query<Message & { req: number }>(
    `WITH request AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(req int, customer_id text, profile_id text, name_id text, id text,
         actor text, messages jsonb, into_state text, expect_seq int, events jsonb, ingest_metadata jsonb,
         interaction_id text, interaction_record jsonb)
     ), released AS (
       DELETE FROM interaction_claims ic USING request r
        WHERE r.interaction_id IS NOT NULL AND ic.customer_id = r.customer_id AND ic.conversation_id = r.id
          AND ic.interaction_id = r.interaction_id
       RETURNING r.req
     ), target AS (
       SELECT r.req, c.customer_id, c.id, jsonb_array_length(r.messages) AS n
         FROM request r JOIN conversations c
           ON c.customer_id = r.customer_id AND c.profile_id = r.profile_id AND c.name_id = r.name_id
       UNION ALL
       SELECT r.req, c.customer_id, c.id, jsonb_array_length(r.messages)
         FROM request r JOIN conversations c ON c.customer_id = r.customer_id AND c.id = r.id
        WHERE r.profile_id IS NULL OR c.profile_id = r.profile_id
     ), locked AS (
       SELECT c.customer_id, c.id, c.state, c.next_message_seq FROM conversations c
        WHERE (c.customer_id, c.id) IN (SELECT customer_id, id FROM target)
        ORDER BY c.customer_id, c.id FOR UPDATE
     ), ready AS (
       SELECT t.*, r.expect_seq, l.next_message_seq,
              count(*) OVER (PARTITION BY t.customer_id, t.id ORDER BY t.req) - 1 AS before
         FROM target t JOIN request r ON r.req = t.req JOIN locked l ON l.customer_id = t.customer_id AND l.id = t.id
        WHERE (l.state = 'CLOSED') = (r.into_state = 'closed')
          AND (r.interaction_id IS NULL OR t.req IN (SELECT req FROM released))
     ), slot AS (
       SELECT t.req, t.customer_id, t.id,
              sum(t.n + jsonb_array_length(r.events)) OVER (PARTITION BY t.customer_id, t.id ORDER BY t.req) - t.n - jsonb_array_length(r.events) AS earlier_events,
              sum(t.n) OVER (PARTITION BY t.customer_id, t.id ORDER BY t.req) - t.n AS earlier,
              sum(t.n) OVER (PARTITION BY t.customer_id, t.id) AS total,
              sum(t.n + jsonb_array_length(r.events)) OVER (PARTITION BY t.customer_id, t.id) AS total_events
         FROM ready t JOIN request r ON r.req = t.req
        WHERE t.expect_seq IS NULL OR (t.before = 0 AND t.expect_seq = t.next_message_seq)
     ), conv AS (
       UPDATE conversations c
          SET next_message_seq = next_message_seq + s.total, message_count = message_count + s.total,
              next_event_seq = next_event_seq + s.total_events, update_time = now()
         FROM (SELECT DISTINCT customer_id, id, total, total_events FROM slot) s
        WHERE c.customer_id = s.customer_id AND c.id = s.id
       RETURNING c.customer_id, c.id, c.next_message_seq - s.total AS first_seq, c.next_event_seq - s.total_events AS first_event_seq
     ), item AS (
       SELECT slot.req, conv.customer_id, conv.id AS conversation_id, r.actor, m.doc,
              (conv.first_seq + slot.earlier + m.ord - 1)::int AS seq,
              (conv.first_event_seq + slot.earlier_events + m.ord - 1)::int AS event_seq
         FROM slot JOIN conv USING (customer_id, id) JOIN request r ON r.req = slot.req,
              jsonb_array_elements(r.messages) WITH ORDINALITY AS m(doc, ord)
     ), inserted AS (
       INSERT INTO messages (customer_id, conversation_id, seq, ${MESSAGE_COLUMNS})
       SELECT customer_id, conversation_id, seq, ${MESSAGE_VALUES} FROM item
       RETURNING *
     ), logged AS (
       INSERT INTO events (customer_id, conversation_id, seq, type, actor, associated_message, payload)
       SELECT customer_id, conversation_id, event_seq, 'MESSAGE_CREATE', actor, doc->>'id', ${MESSAGE_CREATE_PAYLOAD}
         FROM item
       UNION ALL
       SELECT conv.customer_id, conv.id, (conv.first_event_seq + slot.earlier_events + jsonb_array_length(r.messages) + e.ord - 1)::int,
              e.doc->>'type', r.actor, '', e.doc->'payload'
         FROM slot JOIN conv USING (customer_id, id) JOIN request r ON r.req = slot.req,
              jsonb_array_elements(r.events) WITH ORDINALITY AS e(doc, ord)
     ), described AS (
       INSERT INTO ingest_conversations AS i (customer_id, conversation_id, metadata)
       SELECT slot.customer_id, slot.id, r.ingest_metadata FROM slot JOIN request r ON r.req = slot.req
        WHERE r.ingest_metadata IS NOT NULL
       ON CONFLICT (customer_id, conversation_id) DO UPDATE SET metadata = EXCLUDED.metadata
     ), recorded AS (
       INSERT INTO interaction_records (customer_id, conversation_id, interaction_id, record)
       SELECT slot.customer_id, slot.id, r.interaction_id, r.interaction_record FROM slot JOIN request r ON r.req = slot.req
        WHERE r.interaction_id IS NOT NULL
     )
     SELECT item.req, ${SELECT} FROM inserted JOIN item USING (customer_id, conversation_id, seq) ORDER BY item.req, seq`,
    [JSON.stringify(input)],
    { prepare: true },
  );
  // Also when only the request's events were written (the ingest surface's).
  announceEvents(db);
  const appended: Message[][] = requests.map(() => []);
  for (const { req, ...message } of rows) appended[req].push(message);
  return appended;
}

/** One request's append: appendMessageBatch with a batch of one. */
export async function appendMessages(db: Queryable, ref: ConversationRef, actor: string, messages: readonly NewMessage[]): Promise<Message[]> {
  const [appended] = await appendMessageBatch(db, [{ ref, actor, messages }]);
  return appended;
}

export interface MessagePage {
  /** False when the conversation does not exist (or is outside the ref's scope). */
  found: boolean;
  messages: Message[];
}

/**
 * A keyset page of a conversation's messages, with the conversation lookup in the same round
 * trip (LEFT JOIN LATERAL), so an empty page and a missing conversation are told apart.
 */
export async function listMessages(
  db: Queryable,
  ref: ConversationRef,
  options: { afterSeq?: number; descending?: boolean; limit: number },
): Promise<MessagePage> {
  const where = refPredicate(ref, 3, 'c');
  const descending = options.descending ?? false;
  const after = options.afterSeq ?? (descending ? 2 ** 31 - 1 : -1);
  const rows = await db.query<Message & { found: number }>(
    `SELECT 1 AS found, m.* FROM conversations c
       LEFT JOIN LATERAL (
         SELECT ${SELECT} FROM messages
          WHERE customer_id = c.customer_id AND conversation_id = c.id AND seq ${descending ? '<' : '>'} $1
          ORDER BY seq ${descending ? 'DESC' : 'ASC'} LIMIT $2
       ) m ON true
      WHERE ${where.sql}`,
    [after, options.limit, ...where.params],
    { prepare: true },
  );
  if (rows.length === 0) return { found: false, messages: [] };
  const messages = rows.filter((r) => r.id !== null).map(({ found: _found, ...m }) => m as Message);
  return { found: true, messages };
}

export async function getMessages(db: Queryable, customerId: string, conversationId: string, ids: readonly string[]): Promise<Message[]> {
  return db.query<Message>(
    `SELECT ${SELECT} FROM messages WHERE customer_id = $1 AND conversation_id = $2 AND id = ANY($3::text[]) ORDER BY seq`,
    [customerId, conversationId, ids],
  );
}

export async function getMessageForUpdate(db: Queryable, customerId: string, conversationId: string, id: string): Promise<Message | undefined> {
  const rows = await db.query<Message>(
    `SELECT ${SELECT} FROM messages WHERE customer_id = $1 AND conversation_id = $2 AND id = $3 FOR UPDATE`,
    [customerId, conversationId, id],
  );
  return rows[0];
}

/** Overwrites content in place: the previous text is not kept in any row. */
export async function rewriteMessageContent(
  db: Queryable,
  customerId: string,
  conversationId: string,
  id: string,
  content: { text: string; textHtml: string; originalEventData: JsonObject | null; redactions: Redaction[]; state?: MessageState },
): Promise<Message> {
  const rows = await db.query<Message>(
    `UPDATE messages SET text = $4, text_html = $5, original_event_data = $6::jsonb, redactions = $7::jsonb,
            state = coalesce($8, state), update_time = now()
      WHERE customer_id = $1 AND conversation_id = $2 AND id = $3 RETURNING ${SELECT}`,
    [customerId, conversationId, id, content.text, content.textHtml,
      content.originalEventData === null ? null : JSON.stringify(content.originalEventData),
      JSON.stringify(content.redactions), content.state ?? null],
  );
  return rows[0];
}

export async function adjustMessageCount(db: Queryable, customerId: string, conversationId: string, delta: number): Promise<void> {
  await db.query(`UPDATE conversations SET message_count = message_count + $3 WHERE customer_id = $1 AND id = $2`, [customerId, conversationId, delta]);
}

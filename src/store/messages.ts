import type { JsonObject, Message, Redaction, Role, MessageState } from '../core/types.ts';
import type { Queryable } from './driver.ts';
import { refPredicate, type ConversationRef } from './conversation-ref.ts';

const SELECT = `customer_id AS "customerId", conversation_id AS "conversationId", id, seq,
  legacy_message_id AS "legacyMessageId", text, text_html AS "textHtml", transcription_info AS "transcriptionInfo",
  agent, speaker, speaker_info AS "speakerInfo", state, create_time AS "createTime", update_time AS "updateTime",
  audio_start_offset AS "audioStartOffset", audio_end_offset AS "audioEndOffset",
  original_event_data AS "originalEventData", language, metadata, redactions`;

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

/**
 * Appends messages to an open conversation in ONE statement: the conversation's row lock assigns
 * gapless seqs, bumps message_count, and the MESSAGE_CREATE events are written alongside. One
 * round trip keeps the append path near a bare insert (bench/RESULTS.md). Returns [] when the
 * conversation is absent or closed; the caller tells the two apart.
 */
export async function appendMessages(
  db: Queryable,
  ref: ConversationRef,
  actor: string,
  messages: readonly NewMessage[],
  /** `closed`: only to a CLOSED conversation — a finished call's transcript (core/transcripts.ts). */
  into: 'open' | 'closed' = 'open',
): Promise<Message[]> {
  const where = refPredicate(ref, 4, 'c');
  const docs = messages.map((m) => ({ ...m, createTime: m.createTime?.toISOString() }));
  return db.query<Message>(
    `WITH conv AS (
       UPDATE conversations c
          SET next_message_seq = next_message_seq + $1::int, message_count = message_count + $1::int,
              next_event_seq = next_event_seq + $1::int, update_time = now()
        WHERE ${where.sql} AND c.state ${into === 'open' ? '<>' : '='} 'CLOSED'
       RETURNING c.customer_id, c.id, c.next_message_seq - $1::int AS first_seq,
                 c.next_event_seq - $1::int AS first_event_seq
     ), input AS (
       SELECT doc, ord::int AS ord FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(doc, ord)
     ), inserted AS (
       INSERT INTO messages (customer_id, conversation_id, seq, id, legacy_message_id, text, text_html,
         transcription_info, agent, speaker, speaker_info, state, create_time, audio_start_offset, audio_end_offset,
         original_event_data, language, metadata)
       SELECT conv.customer_id, conv.id, conv.first_seq + ord - 1, doc->>'id', coalesce(doc->>'legacyMessageId', ''),
              doc->>'text', coalesce(doc->>'textHtml', ''), doc->'transcriptionInfo', coalesce(doc->>'agent', ''),
              doc->>'speaker', doc->'speakerInfo', doc->>'state', coalesce((doc->>'createTime')::timestamptz, now()),
              (doc->>'audioStartOffset')::float8, (doc->>'audioEndOffset')::float8, doc->'originalEventData',
              coalesce(doc->>'language', ''), coalesce(doc->'metadata', '{}')
         FROM conv, input
       RETURNING ${SELECT}
     ), logged AS (
       INSERT INTO events (customer_id, conversation_id, seq, type, actor, associated_message, payload)
       SELECT conv.customer_id, conv.id, conv.first_event_seq + ord - 1, 'MESSAGE_CREATE', $3, doc->>'id',
              jsonb_build_object('sequencePosition', conv.first_seq + ord - 1, 'speaker', doc->>'speaker')
         FROM conv, input
     )
     SELECT * FROM inserted ORDER BY seq`,
    [messages.length, JSON.stringify(docs), actor, ...where.params],
  );
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

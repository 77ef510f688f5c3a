import type { ConversationEvent, EventType, JsonObject } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';

export interface NewEvent {
  type: EventType;
  associatedMessage?: string;
  payload?: JsonObject;
  createTime?: Date;
}

export const EVENT_SELECT = `customer_id AS "customerId", conversation_id AS "conversationId", seq, gid, type, actor,
  associated_message AS "associatedMessage", payload, create_time AS "createTime"`;

/*
 * No NOTIFY inside the write: a transaction that notifies takes a database-wide lock at commit,
 * which serialised every append in bench/RESULTS.md (1.8x slower). Consumers follow (tx, gid); each
 * statement that appends events asks for a NOTIFY after its commit instead (announceEvents), which
 * only wakes the stream followers early (core/streams/follower.ts).
 */

/** The channel the post-commit NOTIFY of appended events goes out on. */
export const EVENT_LOG_CHANNEL = 'parley_events';

/** Called by every statement that inserts events: wakes the followers once the write commits. */
export function announceEvents(db: Queryable): void {
  db.notifyAfterCommit?.(EVENT_LOG_CHANNEL);
}

/**
 * Appends events to one conversation's log. The UPDATE takes the conversation's row lock, so
 * concurrent appends get distinct, gapless seqs. Returns [] when the conversation does not exist.
 */
export async function appendEvents(
  db: Queryable,
  customerId: string,
  conversationId: string,
  actor: string,
  events: readonly NewEvent[],
): Promise<ConversationEvent[]> {
  if (events.length === 0) return [];
  const docs = events.map((e) => ({
    type: e.type,
    associatedMessage: e.associatedMessage ?? '',
    payload: e.payload ?? {},
    createTime: (e.createTime ?? null) && e.createTime!.toISOString(),
  }));
  const appended = await db.query<ConversationEvent>(
    `WITH conv AS (
       UPDATE conversations SET next_event_seq = next_event_seq + $4::int
        WHERE customer_id = $1 AND id = $2
       RETURNING next_event_seq - $4::int AS first_seq
     ), input AS (
       SELECT doc, ord FROM jsonb_array_elements($5::jsonb) WITH ORDINALITY AS e(doc, ord)
     ), inserted AS (
       INSERT INTO events (customer_id, conversation_id, seq, type, actor, associated_message, payload, create_time)
       SELECT $1, $2, conv.first_seq + input.ord::int - 1, input.doc->>'type', $3, input.doc->>'associatedMessage',
              input.doc->'payload', coalesce((input.doc->>'createTime')::timestamptz, now())
         FROM conv, input
       RETURNING ${EVENT_SELECT}
     )
     SELECT * FROM inserted ORDER BY seq`,
    [customerId, conversationId, actor, events.length, JSON.stringify(docs)],
  );
  if (appended.length) announceEvents(db);
  return appended;
}

export type EventCursor = number;

export async function listEvents(
  db: Queryable,
  customerId: string,
  conversationId: string,
  options: { types?: readonly string[]; afterSeq?: number; limit: number },
): Promise<ConversationEvent[]> {
  const params: unknown[] = [customerId, conversationId, options.afterSeq ?? -1, options.limit];
  let typeClause = '';
  if (options.types?.length) {
    params.push(options.types);
    typeClause = ` AND type = ANY($5::text[])`;
  }
  return db.query<ConversationEvent>(
    `SELECT ${EVENT_SELECT} FROM events WHERE customer_id = $1 AND conversation_id = $2 AND seq > $3${typeClause}
     ORDER BY seq LIMIT $4`,
    params,
  );
}

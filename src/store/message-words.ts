import type { Queryable } from './driver.ts';
import type { EventCursor } from './jobs.ts';

/*
 * The words of messages in message_words (the support desk's keyword search, store/search.ts),
 * written after the messages' commit from their MESSAGE_CREATE events (migration 027): in steps
 * along the event log by the background indexer (jobs/message-words.ts), and for one customer by
 * each keyword search before it reads (core/conversations/search-index.ts). Both may index the
 * same message; its words are keys, so the second finds them there.
 */

/** The background indexer's cursor in event_cursors. */
export const MESSAGE_WORDS_CURSOR = 'message_words';

/** Events whose transactions are older than every one still running (as store/jobs.ts reads them). */
const SETTLED = 'e.tx < pg_snapshot_xmin(pg_current_snapshot())';

/**
 * Writes the words of the live messages that the MESSAGE_CREATE events `where` selects (over
 * `events e`). In key order: two indexers adding the same keys then wait on each other in one
 * order, never in a cycle.
 */
async function indexWordsOf(db: Queryable, where: string, params: unknown[]): Promise<void> {
  await db.query(
    `INSERT INTO message_words (customer_id, word, conversation_id)
     SELECT DISTINCT m.customer_id, w.word, m.conversation_id
       FROM events e
       JOIN messages m ON m.customer_id = e.customer_id AND m.conversation_id = e.conversation_id
                      AND m.seq = (e.payload->>'sequencePosition')::int AND m.state <> 'DELETED'
      CROSS JOIN message_words_in(m.text) AS w (word)
      WHERE e.type = 'MESSAGE_CREATE' AND ${where}
      ORDER BY 1, 2, 3
     ON CONFLICT DO NOTHING`,
    params,
  );
}

/** Locks the conversations against a rewrite of their text until the transaction ends (migration 027). */
async function lockForIndexing(db: Queryable, customers: readonly string[], conversations: readonly string[]): Promise<void> {
  await db.query('SELECT message_words_lock($1::text[], $2::text[], false)', [customers, conversations]);
}

/**
 * One background step, in the caller's transaction holding the cursor: the next `limit` settled
 * events after it, and the words of the messages among them. Returns where the step ended and how
 * many events it read (0: nothing settled after the cursor).
 */
export async function indexSettledMessageWords(db: Queryable, cursor: EventCursor, limit: number): Promise<{ end: EventCursor; read: number }> {
  const [step] = await db.query<{ read: number; tx: string | null; gid: number | null; customers: string[] | null; conversations: string[] | null }>(
    `WITH next AS (
       SELECT e.tx, e.gid, e.customer_id, e.conversation_id, e.type FROM events e
        WHERE (e.tx, e.gid) > ($1::xid8, $2::bigint) AND ${SETTLED}
        ORDER BY e.tx, e.gid LIMIT $3
     ), last AS (
       SELECT tx, gid FROM next ORDER BY tx DESC, gid DESC LIMIT 1
     ), said AS (
       SELECT DISTINCT customer_id, conversation_id FROM next WHERE type = 'MESSAGE_CREATE'
     )
     SELECT (SELECT count(*)::int FROM next) AS read, (SELECT tx::text FROM last) AS tx, (SELECT gid FROM last) AS gid,
            (SELECT array_agg(customer_id) FROM said) AS customers, (SELECT array_agg(conversation_id) FROM said) AS conversations`,
    [cursor.tx, cursor.gid, limit],
  );
  if (step.read === 0) return { end: cursor, read: 0 };
  const end = { tx: step.tx!, gid: Number(step.gid) };
  if (step.conversations) {
    await lockForIndexing(db, step.customers!, step.conversations);
    // Every transaction up to `end` has ended, so the range holds the same events as above.
    await indexWordsOf(db, '(e.tx, e.gid) > ($1::xid8, $2::bigint) AND (e.tx, e.gid) <= ($3::xid8, $4::bigint)', [cursor.tx, cursor.gid, end.tx, end.gid]);
  }
  return { end, read: step.read };
}

/** A customer's messages the background indexer has not reached: where it stood, and their conversations. */
export interface AwaitingWords {
  after: EventCursor;
  conversations: string[];
}

/**
 * The conversations of a customer with MESSAGE_CREATE events after the background indexer's
 * cursor that this statement sees committed, settled or not.
 */
export async function messagesAwaitingWords(db: Queryable, customerId: string): Promise<AwaitingWords> {
  const [cursor] = await db.query<EventCursor>('SELECT tx::text AS tx, gid FROM event_cursors WHERE name = $1', [MESSAGE_WORDS_CURSOR]);
  // The cursor as a value, not a join: the planner then sees how near the log's end it is and reads
  // the range after it (events_by_tx), not every event of the customer.
  const [row] = await db.query<{ conversations: string[] | null }>(
    `SELECT array_agg(DISTINCT e.conversation_id) AS conversations FROM events e
      WHERE (e.tx, e.gid) > ($1::xid8, $2::bigint) AND e.customer_id = $3 AND e.type = 'MESSAGE_CREATE'`,
    [cursor.tx, cursor.gid, customerId],
  );
  return { after: { tx: cursor.tx, gid: Number(cursor.gid) }, conversations: row.conversations ?? [] };
}

/**
 * Indexes, in the caller's transaction, the words of the messages `awaiting` names. The cursor
 * stays where it is: the background indexer passes them later and finds their words there.
 */
export async function indexAwaitingWords(db: Queryable, customerId: string, awaiting: AwaitingWords): Promise<void> {
  if (awaiting.conversations.length === 0) return;
  await lockForIndexing(db, awaiting.conversations.map(() => customerId), awaiting.conversations);
  await indexWordsOf(
    db,
    '(e.tx, e.gid) > ($1::xid8, $2::bigint) AND e.customer_id = $3 AND e.conversation_id = ANY($4::text[])',
    [awaiting.after.tx, awaiting.after.gid, customerId, awaiting.conversations],
  );
}

import type { ConversationEvent, JsonObject } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';
import { EVENT_SELECT } from './events.ts';

/** Jobs of one conversation run in order: a call's transcription finishes before its analysis starts. */
export function conversationOrderingKey(conversationId: string): string {
  return `conversation:${conversationId}`;
}

export interface NewJob {
  queue: string;
  customerId: string;
  payload: JsonObject;
  orderingKey?: string;
  runAt?: Date;
  uniqueKey?: string;
}

export interface JobRow {
  id: string;
  queue: string;
  customerId: string;
  payload: JsonObject;
  orderingKey: string | null;
  attempt: number;
  createTime: Date;
}

const JOB_SELECT = `jobs.id::text AS id, jobs.queue, jobs.customer_id AS "customerId", jobs.payload,
  jobs.ordering_key AS "orderingKey", jobs.attempt, jobs.create_time AS "createTime"`;

/** Due, and queued or running under an expired lock (its process died). */
const RUNNABLE = `run_at <= now() AND (state = 'queued' OR (state = 'running' AND locked_until < now()))`;

/** Inserts jobs in the caller's transaction: they exist exactly when the change that caused them commits. */
export async function enqueueJobs(db: Queryable, jobs: readonly NewJob[]): Promise<void> {
  if (jobs.length === 0) return;
  const docs = jobs.map((j) => ({
    queue: j.queue,
    customerId: j.customerId,
    payload: j.payload,
    orderingKey: j.orderingKey ?? null,
    uniqueKey: j.uniqueKey ?? null,
    runAt: j.runAt?.toISOString() ?? null,
  }));
  await db.query(
    `INSERT INTO jobs (queue, customer_id, payload, ordering_key, unique_key, run_at)
     SELECT d->>'queue', d->>'customerId', d->'payload', d->>'orderingKey', d->>'uniqueKey',
            coalesce((d->>'runAt')::timestamptz, now())
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(d, ord)
      ORDER BY ord
     ON CONFLICT (queue, unique_key) WHERE unique_key IS NOT NULL AND state IN ('queued', 'running') DO NOTHING`,
    [JSON.stringify(docs)],
  );
}

/**
 * Claims up to `limit` runnable jobs of the given queues: queued and due, or running with an
 * expired lock (its process died). A job waits while an earlier unfinished job has its ordering key.
 */
export async function claimJobs(db: Queryable, queues: readonly string[], limit: number, lockMs: Record<string, number>): Promise<JobRow[]> {
  if (limit <= 0 || queues.length === 0) return [];
  return db.query<JobRow>(
    `WITH claimable AS (
       SELECT id FROM jobs j
        WHERE queue = ANY($1::text[]) AND ${RUNNABLE}
          AND (ordering_key IS NULL OR NOT EXISTS (
                SELECT 1 FROM jobs e
                 WHERE e.ordering_key = j.ordering_key AND e.id < j.id AND e.state IN ('queued', 'running')))
        ORDER BY run_at, id
        LIMIT $2
        FOR UPDATE SKIP LOCKED
     )
     UPDATE jobs SET state = 'running', attempt = attempt + 1,
            locked_until = now() + make_interval(secs => coalesce(($3::jsonb->>jobs.queue)::float8, 60000) / 1000)
       FROM claimable WHERE jobs.id = claimable.id
     RETURNING ${JOB_SELECT}`,
    [queues, limit, JSON.stringify(lockMs)],
  );
}

/** Fenced by attempt: a worker whose lock expired and whose job was re-claimed changes nothing. */
export async function completeJob(db: Queryable, id: string, attempt: number): Promise<void> {
  await db.query(
    `UPDATE jobs SET state = 'done', finish_time = now(), locked_until = NULL, last_error = NULL
      WHERE id = $1::bigint AND attempt = $2 AND state = 'running'`,
    [id, attempt],
  );
}

export async function retryJob(db: Queryable, id: string, attempt: number, delayMs: number, error: string): Promise<void> {
  await db.query(
    `UPDATE jobs SET state = 'queued', run_at = now() + make_interval(secs => $3::float8 / 1000), locked_until = NULL, last_error = $4
      WHERE id = $1::bigint AND attempt = $2 AND state = 'running'`,
    [id, attempt, delayMs, error],
  );
}

export async function failJob(db: Queryable, id: string, attempt: number, error: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE jobs SET state = 'failed', finish_time = now(), locked_until = NULL, last_error = $3
      WHERE id = $1::bigint AND attempt = $2 AND state = 'running' RETURNING id`,
    [id, attempt, error],
  );
  return rows.length > 0;
}

/** Finished jobs are kept a while for inspection, then removed. */
export async function purgeFinishedJobs(db: Queryable, olderThan: string): Promise<number> {
  const rows = await db.query(`DELETE FROM jobs WHERE state IN ('done', 'failed') AND finish_time < now() - $1::interval RETURNING id`, [olderThan]);
  return rows.length;
}

export async function countRunnableJobs(db: Queryable, queues: readonly string[]): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM jobs WHERE queue = ANY($1::text[]) AND ${RUNNABLE}`,
    [queues],
  );
  return rows[0].n;
}

export interface EventCursor {
  tx: string;
  gid: number;
}

/** Locks the dispatcher's cursor; undefined when another process holds it right now. */
export async function lockEventCursor(db: Queryable, name: string): Promise<EventCursor | undefined> {
  const rows = await db.query<EventCursor>(`SELECT tx::text AS tx, gid FROM event_cursors WHERE name = $1 FOR UPDATE SKIP LOCKED`, [name]);
  return rows[0];
}

export async function saveEventCursor(db: Queryable, name: string, cursor: EventCursor): Promise<void> {
  await db.query(`UPDATE event_cursors SET tx = $2::xid8, gid = $3 WHERE name = $1`, [name, cursor.tx, cursor.gid]);
}

export type CommittedEvent = ConversationEvent & { tx: string };

/** Which events a follower wants: one customer's, and within it one conversation's or one profile's (of one agent). */
export interface EventScope {
  customerId: string;
  conversationId?: string;
  profileId?: string;
  agentId?: string | null;
  types?: readonly string[];
}

/**
 * Committed, and older than every transaction still running: nothing at or before such an event can still appear.
 * The statements below order by `events.tx`, never bare `tx`: ORDER BY takes a bare name as the output column, and
 * the output's `tx` is text, which sorts transaction 1002 before 988.
 */
const SETTLED = 'tx < pg_snapshot_xmin(pg_current_snapshot())';

/**
 * Events after the cursor whose transactions are older than every transaction still running:
 * nothing before them can still appear, so following (tx, gid) never skips an event. The
 * dispatcher follows the whole log; a stream resuming from a cursor follows its scope of it.
 */
export async function committedEventsAfter(db: Queryable, cursor: EventCursor, limit: number, scope?: EventScope): Promise<CommittedEvent[]> {
  const params: unknown[] = [cursor.tx, cursor.gid, limit];
  let scoped = '';
  if (scope) {
    params.push(scope.customerId);
    scoped += ` AND customer_id = $${params.length}`;
    if (scope.conversationId !== undefined) {
      params.push(scope.conversationId);
      scoped += ` AND conversation_id = $${params.length}`;
    }
    if (scope.profileId !== undefined) {
      params.push(scope.profileId);
      let conversations = `SELECT id FROM conversations WHERE customer_id = $4 AND profile_id = $${params.length}`;
      if (scope.agentId) {
        params.push(scope.agentId);
        conversations += ` AND agent_id = $${params.length}`;
      }
      scoped += ` AND conversation_id IN (${conversations})`;
    }
    if (scope.types?.length) {
      params.push(scope.types);
      scoped += ` AND type = ANY($${params.length}::text[])`;
    }
  }
  return db.query<CommittedEvent>(
    `SELECT ${EVENT_SELECT}, tx::text AS tx FROM events
      WHERE (tx, gid) > ($1::xid8, $2::bigint) AND ${SETTLED}${scoped}
      ORDER BY events.tx, events.gid LIMIT $3`,
    params,
  );
}

/** The last settled event (the live end a follower starts from); (0, 0) while the log is empty. */
export async function lastCommittedEvent(db: Queryable): Promise<EventCursor> {
  const rows = await db.query<EventCursor>(`SELECT tx::text AS tx, gid FROM events WHERE ${SETTLED} ORDER BY events.tx DESC, events.gid DESC LIMIT 1`);
  return rows[0] ?? { tx: '0', gid: 0 };
}

/**
 * Which transactions' writes are visible right now (PostgreSQL's snapshot): every one before `xmin`,
 * and those before `xmax` that were not running. A stream opened at the live end skips the events it
 * could already see, also those committed but not yet settled.
 */
export interface VisibleTransactions {
  xmin: bigint;
  xmax: bigint;
  running: ReadonlySet<string>;
}

export async function visibleTransactions(db: Queryable): Promise<VisibleTransactions> {
  const rows = await db.query<{ xmin: string; xmax: string; running: string[] }>(
    `SELECT pg_snapshot_xmin(s)::text AS xmin, pg_snapshot_xmax(s)::text AS xmax,
            ARRAY(SELECT x::text FROM pg_snapshot_xip(s) AS x) AS running
     FROM pg_current_snapshot() AS s`,
  );
  const { xmin, xmax, running } = rows[0];
  return { xmin: BigInt(xmin), xmax: BigInt(xmax), running: new Set(running) };
}

/**
 * Whether events after the cursor are visible but not yet settled: committed behind a transaction
 * that is still running. A follower that finds some looks again soon rather than at its next poll.
 */
export async function eventsAwaitingSettlement(db: Queryable, cursor: EventCursor): Promise<boolean> {
  const rows = await db.query<{ waiting: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM events WHERE (tx, gid) > ($1::xid8, $2::bigint)) AS waiting`,
    [cursor.tx, cursor.gid],
  );
  return rows[0].waiting;
}

/** Whether any event lies past the cursor, committed or not yet safe to read (drain waits for those). */
export async function eventsPastCursor(db: Queryable, name: string): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM events e, event_cursors c WHERE c.name = $1 AND (e.tx, e.gid) > (c.tx, c.gid) LIMIT 1`,
    [name],
  );
  return rows.length > 0;
}

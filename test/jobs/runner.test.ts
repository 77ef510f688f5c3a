import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { forEachDriver, freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { systemCaller } from '../../src/core/tenancy/access.ts';
import { createCore, type Core } from '../../src/core/index.ts';
import { dispatchEvents } from '../../src/jobs/dispatcher.ts';
import { retryDelay, startJobRunner } from '../../src/jobs/runner.ts';
import type { EventBatch, Job, QueueSpec } from '../../src/jobs/types.ts';
import { stores } from '../../src/store/index.ts';

const log = pino({ level: 'silent' });
const fast = { baseMs: 1, maxMs: 5 };

/**
 * Dispatches until `done` holds. The dispatcher reads only events older than every transaction still
 * open on the server, and another test file's transaction on the same PostgreSQL can be open for a
 * while: a pass that dispatches nothing means "not yet", not "nothing left".
 */
async function dispatchUntil(db: Core['db'], reactors: Parameters<typeof dispatchEvents>[1], done: () => boolean): Promise<void> {
  while (!done()) {
    if ((await dispatchEvents(db, reactors)) === 0) await new Promise((r) => setImmediate(r));
  }
}

async function jobStates(core: Core, queue: string): Promise<{ state: string; attempt: number; lastError: string | null }[]> {
  return core.db.query(`SELECT state, attempt, last_error AS "lastError" FROM jobs WHERE queue = $1 ORDER BY id`, [queue]);
}

it('retryDelay doubles per attempt within [exact/2, exact] and is capped', () => {
  for (let attempt = 1; attempt <= 12; attempt++) {
    const exact = Math.min(1000, 10 * 2 ** (attempt - 1));
    const delay = retryDelay({ baseMs: 10, maxMs: 1000 }, attempt);
    assert.ok(delay >= exact / 2 && delay <= exact, `attempt ${attempt}: ${delay}`);
  }
});

forEachDriver('job runner', (kind) => {
  let database: TestDatabase;
  let core: Core;
  before(async () => {
    database = await freshDatabase(kind);
    core = createCore(database.db);
    await core.tenancy.createCustomer('acme');
  });
  after(async () => database?.drop());

  async function enqueue(queue: string, payloads: object[], extra: { orderingKey?: string; uniqueKey?: string } = {}): Promise<void> {
    await core.db.transaction((tx) =>
      stores(tx).jobs.enqueueJobs(payloads.map((payload) => ({ queue, customerId: 'acme', payload: payload as never, ...extra }))),
    );
  }

  it('runs a job enqueued in a committed transaction, and not one whose transaction rolled back', async () => {
    const seen: unknown[] = [];
    const queues: Record<string, QueueSpec> = { echo: { retry: fast, handler: async (job) => void seen.push(job.payload) } };
    await enqueue('echo', [{ n: 1 }]);
    await assert.rejects(
      core.db.transaction(async (tx) => {
        await stores(tx).jobs.enqueueJobs([{ queue: 'echo', customerId: 'acme', payload: { n: 2 } }]);
        throw new Error('rollback');
      }),
    );
    const runner = startJobRunner({ core, log, queues, reactors: [] });
    await runner.drain();
    await runner.stop();
    assert.deepEqual(seen, [{ n: 1 }]);
    assert.deepEqual(await jobStates(core, 'echo'), [{ state: 'done', attempt: 1, lastError: null }]);
  });

  it('retries a failing job with backoff until it succeeds', async () => {
    let calls = 0;
    const queues: Record<string, QueueSpec> = {
      flaky: {
        retry: fast,
        handler: async () => {
          calls += 1;
          if (calls < 3) throw new Error(`boom ${calls}`);
        },
      },
    };
    await enqueue('flaky', [{}]);
    const runner = startJobRunner({ core, log, queues, reactors: [], pollMs: 5 });
    while ((await jobStates(core, 'flaky'))[0].state !== 'done') await runner.drain();
    await runner.stop();
    assert.equal(calls, 3);
    assert.deepEqual(await jobStates(core, 'flaky'), [{ state: 'done', attempt: 3, lastError: null }]);
  });

  it('gives up after maxAttempts, calls onGiveUp once and marks the job failed', async () => {
    const gaveUp: Job[] = [];
    const queues: Record<string, QueueSpec> = {
      doomed: {
        retry: { ...fast, maxAttempts: 2 },
        handler: async () => {
          throw new Error('always');
        },
        onGiveUp: async (job) => void gaveUp.push(job),
      },
    };
    await enqueue('doomed', [{}]);
    const runner = startJobRunner({ core, log, queues, reactors: [], pollMs: 5 });
    while ((await jobStates(core, 'doomed'))[0].state !== 'failed') await runner.drain();
    await runner.stop();
    assert.equal(gaveUp.length, 1);
    assert.deepEqual(await jobStates(core, 'doomed'), [{ state: 'failed', attempt: 2, lastError: 'always' }]);
  });

  it('runs jobs sharing an ordering key one at a time and in order, even when one retries', async () => {
    const log_: string[] = [];
    const active = new Map<string, number>();
    let failedOnce = false;
    const queues: Record<string, QueueSpec> = {
      ordered: {
        retry: fast,
        handler: async (job) => {
          const key = String(job.payload.key);
          active.set(key, (active.get(key) ?? 0) + 1);
          if (active.get(key)! > 1) log_.push(`overlap ${key}`);
          await new Promise((r) => setTimeout(r, 2));
          active.set(key, active.get(key)! - 1);
          if (job.payload.n === 1 && !failedOnce) {
            failedOnce = true;
            throw new Error('first try fails');
          }
          log_.push(`${job.payload.key}:${job.payload.n}`);
        },
      },
    };
    for (let n = 0; n < 5; n++) {
      await enqueue('ordered', [{ key: 'a', n }], { orderingKey: 'a' });
      await enqueue('ordered', [{ key: 'b', n }], { orderingKey: 'b' });
    }
    const runner = startJobRunner({ core, log, queues, reactors: [], pollMs: 5, concurrency: 8 });
    while ((await core.db.query(`SELECT 1 FROM jobs WHERE queue = 'ordered' AND state <> 'done'`)).length > 0) await runner.drain();
    await runner.stop();
    assert.ok(!log_.some((e) => e.startsWith('overlap')), 'two jobs of one key ran at once');
    assert.deepEqual(log_.filter((e) => e.startsWith('a:')), ['a:0', 'a:1', 'a:2', 'a:3', 'a:4']);
    assert.deepEqual(log_.filter((e) => e.startsWith('b:')), ['b:0', 'b:1', 'b:2', 'b:3', 'b:4']);
  });

  it('a unique key admits one unfinished job; after it finishes the key is free again', async () => {
    let runs = 0;
    const queues: Record<string, QueueSpec> = { once: { retry: fast, handler: async () => void (runs += 1) } };
    await enqueue('once', [{}], { uniqueKey: 'k' });
    await enqueue('once', [{}], { uniqueKey: 'k' });
    assert.equal((await jobStates(core, 'once')).length, 1);
    const runner = startJobRunner({ core, log, queues, reactors: [] });
    await runner.drain();
    await enqueue('once', [{}], { uniqueKey: 'k' });
    await runner.drain();
    await runner.stop();
    assert.equal(runs, 2);
  });

  it('a job whose process died (lock expired) is claimed again and finished', async () => {
    await enqueue('orphan', [{}]);
    const claimed = await stores(core.db).jobs.claimJobs(['orphan'], 1, { orphan: 1 });
    assert.equal(claimed.length, 1);
    await new Promise((r) => setTimeout(r, 20));
    let runs = 0;
    const runner = startJobRunner({ core, log, queues: { orphan: { retry: fast, handler: async () => void (runs += 1) } }, reactors: [] });
    await runner.drain();
    await runner.stop();
    assert.equal(runs, 1);
    assert.deepEqual(await jobStates(core, 'orphan'), [{ state: 'done', attempt: 2, lastError: null }]);
  });

  it('the dispatcher hands each committed event to the reactors once, batched per transaction and conversation', async () => {
    await dispatchEvents(core.db, []); // skip what earlier tests wrote
    const batches: EventBatch[] = [];
    const reactor = async (_s: unknown, batch: EventBatch) => void batches.push(batch);
    const caller = systemCaller('acme');
    const { conversation } = await core.conversations.start(caller, 'acme', 'default', undefined, {});
    await core.conversations.setState(caller, { customerId: 'acme', id: conversation.id, profileId: null }, 'CLOSED');
    await dispatchUntil(core.db, [reactor], () => batches.length >= 2);
    assert.deepEqual(
      batches.map((b) => [b.conversationId, b.events.map((e) => e.type)]),
      [
        [conversation.id, ['CONVERSATION_START']],
        [conversation.id, ['CONVERSATION_END']],
      ],
    );
    assert.equal(await dispatchEvents(core.db, [reactor]), 0);
    assert.equal(batches.length, 2);
  });

  it('an event whose transaction commits after a later one is still dispatched', { skip: kind === 'pglite' && 'PGlite runs one transaction at a time' }, async () => {
    const caller = systemCaller('acme');
    const { conversation: slow } = await core.conversations.start(caller, 'acme', 'default', undefined, {});
    const { conversation: fast_ } = await core.conversations.start(caller, 'acme', 'default', undefined, {});
    // Only this test's two events count: the conversations' starts (and earlier tests' events) may
    // be dispatched at any point, as another test file's open transaction on the same server holds
    // the dispatcher back for a while.
    const seen: string[] = [];
    const reactor = async (_s: unknown, batch: EventBatch) =>
      void seen.push(...batch.events.filter((e) => e.type === 'CONVERSATION_METADATA').map((e) => e.conversationId));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let appended!: () => void;
    const slowAppended = new Promise<void>((r) => (appended = r));
    const slowTx = core.db.transaction(async (tx) => {
      await stores(tx).events.appendEvents('acme', slow.id, 'test', [{ type: 'CONVERSATION_METADATA' }]);
      appended();
      await held;
    });
    try {
      await slowAppended;
      await core.db.transaction((tx) => stores(tx).events.appendEvents('acme', fast_.id, 'test', [{ type: 'CONVERSATION_METADATA' }]));
      while ((await dispatchEvents(core.db, [reactor])) > 0);
      assert.deepEqual(seen, [], 'nothing after a still-running transaction is dispatched');
    } finally {
      // Also when an assertion failed: a transaction left open would hang the suite's teardown.
      release();
      await slowTx;
    }
    await dispatchUntil(core.db, [reactor], () => seen.length >= 2);
    assert.deepEqual(seen, [slow.id, fast_.id]);
  });
});

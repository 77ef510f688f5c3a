import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { forEachDriver } from '../../helpers/db.ts';
import { useTestApp, type TestContext } from '../../helpers/app.ts';
import type { Caller } from '../../../src/kernel/types.ts';
import { callAudioKey, FsBlobStore } from '../../../src/providers/blobs/blob-store.ts';
import { voiceMessageKey } from '../../../src/core/interactions/message-source.ts';
import { startJobRunner } from '../../../src/jobs/runner.ts';
import { RETENTION_QUEUE, retentionQueueWith } from '../../../src/jobs/retention.ts';
import { webhookQueue } from '../../../src/jobs/webhook-delivery.ts';
import { PERIODIC_KEY, schedulePeriodicJobs } from '../../../src/jobs/periodic.ts';
import { QUEUES } from '../../../src/jobs/queues.ts';
import { WebhookReceiver } from '../../jobs/webhook-receiver.ts';
import { until } from '../../api/agent-turns.ts';

const acme: Caller = { customerId: 'acme', keyId: 'test', profileId: null, agentId: null, scopes: ['*'] };
const DAY_MS = 86_400_000;
/** The purge's clock: `n` days from now (conversations' retention clocks are the database's now). */
const inDays = (n: number) => new Date(Date.now() + n * DAY_MS);

/** Starts a conversation in `profile` (closed unless `open`), with its own retention when given; its id. */
async function conversation(ctx: TestContext, profile: string, options: { open?: boolean; retentionDays?: number } = {}): Promise<string> {
  const { conversation: c } = await ctx.core.conversations.start(acme, 'acme', profile, undefined, {
    ...(options.retentionDays === undefined ? {} : { policyOverride: { retentionDays: options.retentionDays } }),
  });
  await ctx.core.messages.append(acme, { customerId: 'acme', id: c.id }, [{ text: 'my card is 4111-1111-1111-1111', speaker: 'VISITOR' }]);
  if (!options.open) await ctx.core.conversations.setState(acme, { customerId: 'acme', id: c.id }, 'CLOSED');
  return c.id;
}

const removedIds = (outcome: { removed: { conversationIds: string[] }[] }) => outcome.removed.flatMap((r) => r.conversationIds).sort();

forEachDriver('retention: the purge', (kind) => {
  const blobDir = mkdtempSync(join(tmpdir(), 'parley-retention-'));
  const blobs = new FsBlobStore(blobDir);
  const ctx = useTestApp(kind, { blobs });

  before(async () => {
    await ctx.core.tenancy.setProfileRetention('acme', 'support', 30);
  });

  it('keeps a profile\'s retention and reads it back; bad days are INVALID_ARGUMENT and change nothing', async () => {
    const profiles = await ctx.core.tenancy.listProfiles('acme');
    assert.deepEqual(profiles.map((p) => [p.id, p.retentionDays]), [['default', null], ['support', 30]]);
    for (const days of [0, -1, 1.5, 36_501]) {
      await assert.rejects(ctx.core.tenancy.setProfileRetention('acme', 'support', days), { code: 'INVALID_ARGUMENT' });
    }
    await assert.rejects(ctx.core.tenancy.setProfileRetention('acme', 'nope', 3), { code: 'NOT_FOUND' });
    assert.equal((await ctx.core.tenancy.listProfiles('acme')).find((p) => p.id === 'support')!.retentionDays, 30);
  });

  it('removes by the profile\'s days or the conversation\'s own (shorter or longer), closed ones by end time, open ones by last update', async () => {
    const closed = await conversation(ctx, 'support');
    const open = await conversation(ctx, 'support', { open: true });
    const shorter = await conversation(ctx, 'support', { retentionDays: 5 });
    const longer = await conversation(ctx, 'support', { retentionDays: 90 });
    const zero = await conversation(ctx, 'support', { retentionDays: 0 });
    const keptForever = await conversation(ctx, 'default');
    const ownInDefault = await conversation(ctx, 'default', { retentionDays: 10 });
    // Ended 40 days ago, updated just now: a closed conversation's clock is its end time.
    const endedLongAgo = await conversation(ctx, 'support');
    await ctx.database.db.query(`UPDATE conversations SET end_time = now() - interval '40 days' WHERE id = $1`, [endedLongAgo]);
    // Started 40 days ago, still open and written to now: an open conversation's clock is its last update.
    await ctx.database.db.query(`UPDATE conversations SET start_time = now() - interval '40 days', create_time = now() - interval '40 days' WHERE id = $1`, [open]);

    const purge = (days: number) => ctx.core.retention.purgeExpired({ now: inDays(days), limit: 100 });
    assert.deepEqual(removedIds(await purge(1)), [endedLongAgo]);
    assert.deepEqual(removedIds(await purge(4)), []);
    assert.deepEqual(removedIds(await purge(6)), [shorter]);
    assert.deepEqual(removedIds(await purge(11)), [ownInDefault]);
    assert.deepEqual(removedIds(await purge(29)), []);
    assert.deepEqual(removedIds(await purge(31)), [closed, open, zero].sort(), 'retentionDays 0 is the profile\'s');
    assert.deepEqual(removedIds(await purge(89)), []);
    assert.deepEqual(removedIds(await purge(91)), [longer]);
    assert.deepEqual(removedIds(await purge(100_000)), []);
    const left = await ctx.database.db.query<{ id: string }>(`SELECT id FROM conversations WHERE customer_id = 'acme'`);
    assert.deepEqual(left.map((r) => r.id), [keptForever]);
  });

  it('leaves each removed conversation\'s CONVERSATION_DELETE (ids only) and nothing else of it', async () => {
    const id = await conversation(ctx, 'support');
    await ctx.core.conversations.updateFields(acme, { customerId: 'acme', id }, { displayName: 'Jane Doe, +41 79 555 01 00' });
    assert.deepEqual(removedIds(await ctx.core.retention.purgeExpired({ now: inDays(31) })), [id]);
    const events = await ctx.database.db.query<{ type: string; actor: string; payload: object }>(
      `SELECT type, actor, payload FROM events WHERE customer_id = 'acme' AND conversation_id = $1`, [id]);
    assert.deepEqual(events, [{ type: 'CONVERSATION_DELETE', actor: 'system:jobs', payload: { profileId: 'support', nameId: id } }]);
    for (const table of ['messages', 'analyses', 'agent_feedback', 'message_feedback', 'calls', 'webhook_deliveries']) {
      const rows = await ctx.database.db.query(`SELECT 1 FROM ${table} WHERE customer_id = 'acme' AND conversation_id = $1`, [id]);
      assert.equal(rows.length, 0, table);
    }
  });

  it('deletes the conversation\'s recordings from the blob store, and only its own', async () => {
    const call = await conversation(ctx, 'support', { open: true });
    const kept = await conversation(ctx, 'default');
    await ctx.database.db.query(`INSERT INTO calls (customer_id, conversation_id, profile_id, platform_call_id) VALUES ('acme', $1, 'support', 'call-1')`, [call]);
    const voiceKey = voiceMessageKey('acme', call, 'm1', 'audio/wav');
    await ctx.core.messages.append(acme, { customerId: 'acme', id: call }, [{
      text: 'hello', speaker: 'VISITOR', metadata: { format: 'voice', source: { key: voiceKey, contentType: 'audio/wav' } },
    }]);
    await ctx.core.conversations.setState(acme, { customerId: 'acme', id: call }, 'CLOSED');
    await blobs.put(callAudioKey('acme', call), Buffer.from('RIFF call'), 'audio/wav');
    await blobs.put(voiceKey, Buffer.from('RIFF voice'), 'audio/wav');
    await blobs.put(callAudioKey('acme', kept), Buffer.from('RIFF other'), 'audio/wav');
    const files = [join(blobDir, callAudioKey('acme', call)), join(blobDir, voiceKey)];
    assert.ok(files.every((f) => existsSync(f)));

    const outcome = await ctx.core.retention.purgeExpired({ now: inDays(31) });
    assert.deepEqual(removedIds(outcome), [call]);
    assert.equal(outcome.recordings, 2);
    assert.deepEqual(files.filter((f) => existsSync(f)), [], 'both recordings are gone');
    assert.ok(existsSync(join(blobDir, callAudioKey('acme', kept))), 'another conversation\'s recording stays');
  });

  it('removes at most `limit` a run, oldest first, and says when more are left', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await conversation(ctx, 'support'));
    const first = await ctx.core.retention.purgeExpired({ now: inDays(31), limit: 2 });
    assert.deepEqual(removedIds(first), ids.slice(0, 2).sort());
    assert.equal(first.more, true);
    const second = await ctx.core.retention.purgeExpired({ now: inDays(31), limit: 2 });
    assert.deepEqual(removedIds(second), [ids[2]]);
    assert.equal(second.more, false);
  });

  it('leaves other customers alone: their profiles keep their own retention', async () => {
    const globex: Caller = { ...acme, customerId: 'globex' };
    const { conversation: theirs } = await ctx.core.conversations.start(globex, 'globex', 'default', undefined, {});
    await ctx.core.tenancy.setProfileRetention('globex', 'default', 365);
    await ctx.core.conversations.setState(globex, { customerId: 'globex', id: theirs.id }, 'CLOSED');
    assert.deepEqual(removedIds(await ctx.core.retention.purgeExpired({ now: inDays(31) })), []);
    assert.deepEqual((await ctx.core.retention.purgeExpired({ now: inDays(366) })).removed, [{ customerId: 'globex', conversationIds: [theirs.id] }]);
  });
});

forEachDriver('retention: the purge job', (kind) => {
  const receiver = new WebhookReceiver();
  const ctx = useTestApp(kind, { webhooks: { allowPrivateNetworks: true }, retention: { batch: 2, sweepMs: 15 * 60_000 } });
  let clock = new Date();

  before(async () => {
    await receiver.start();
    await ctx.core.tenancy.setProfileRetention('acme', 'support', 7);
  });
  after(() => receiver.stop());

  it('runs as a durable job with the clock it is given: batches of PARLEY_RETENTION_BATCH until done, each removal sent as conversation.deleted', { timeout: 60_000 }, async () => {
    await ctx.core.webhooks.create(acme, { url: receiver.url, events: ['conversation.created', 'conversation.deleted'] });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await conversation(ctx, 'support'));
    const runner = startJobRunner({
      core: ctx.core, log: pino({ level: 'silent' }), pollMs: 5,
      queues: { [RETENTION_QUEUE]: retentionQueueWith({ now: () => clock }), webhook: webhookQueue },
    });
    try {
      await runner.drain();
      clock = inDays(6);
      await ctx.core.db.query(`INSERT INTO jobs (queue, customer_id) VALUES ($1, '')`, [RETENTION_QUEUE]);
      await runner.drain();
      assert.equal((await ctx.database.db.query(`SELECT 1 FROM conversations WHERE customer_id = 'acme'`)).length, 5, 'none is past 7 days yet');

      clock = inDays(8);
      await ctx.core.db.query(`INSERT INTO jobs (queue, customer_id) VALUES ($1, '')`, [RETENTION_QUEUE]);
      await runner.drain();
      assert.equal((await ctx.database.db.query(`SELECT 1 FROM conversations WHERE customer_id = 'acme'`)).length, 0);
      // Runs of 2, 2 and 1: each full run queued the next at once; the clock-at-6-days run found none.
      const runs = await ctx.database.db.query<{ state: string }>(`SELECT state FROM jobs WHERE queue = $1 AND unique_key IS NULL ORDER BY id`, [RETENTION_QUEUE]);
      assert.deepEqual(runs.map((r) => r.state), ['done', 'done', 'done', 'done']);
      // drain() stops waiting for events another server transaction holds back (a shared test server): wait for them here.
      await until(() => receiver.received.filter((r) => r.json.type === 'conversation.deleted').length === ids.length, 'the conversation.deleted deliveries');
    } finally {
      await runner.stop();
    }
    const deleted = receiver.received.filter((r) => r.json.type === 'conversation.deleted');
    assert.deepEqual(deleted.map((r) => (r.json.data as { conversationId: string }).conversationId).sort(), ids.map((id) => `conv_${id}`).sort());
    // The creations' deliveries held what the conversations were: they went with them.
    const left = await ctx.database.db.query<{ event_type: string }>(`SELECT event_type FROM webhook_deliveries WHERE customer_id = 'acme' ORDER BY seq`);
    assert.deepEqual([...new Set(left.map((r) => r.event_type))], ['conversation.deleted']);
  });

  it('is scheduled by every runner as one job row, due a sweep interval later', async () => {
    const before = Date.now();
    await schedulePeriodicJobs(ctx.core, QUEUES);
    await schedulePeriodicJobs(ctx.core, QUEUES);
    const rows = await ctx.database.db.query<{ queue: string; run_at: Date }>(
      `SELECT queue, run_at FROM jobs WHERE unique_key = $1 AND state = 'queued'`, [PERIODIC_KEY]);
    assert.deepEqual(rows.map((r) => r.queue), [RETENTION_QUEUE]);
    const dueIn = new Date(rows[0].run_at).getTime() - before;
    assert.ok(dueIn > 14 * 60_000 && dueIn <= 15 * 60_000, `due in ${dueIn} ms`);
  });
});

import assert from 'node:assert/strict';
import { after, before, beforeEach, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { createCore, type Core } from '../../src/core/index.ts';
import type { Caller } from '../../src/kernel/types.ts';
import { startJobRunner, type JobRunner } from '../../src/jobs/runner.ts';
import type { QueueSpec, RetryPolicy } from '../../src/jobs/types.ts';
import { webhookQueue } from '../../src/jobs/webhook-delivery.ts';
import { stores } from '../../src/store/index.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

const log = pino({ level: 'silent' });
const base = '/v1/customers/acme/profiles/default/conversations';
const acme: Caller = { customerId: 'acme', keyId: 'test', profileId: null, agentId: null, scopes: ['*'] };
/** Real backoff shape, milliseconds instead of seconds. */
const fastRetry: RetryPolicy = { ...webhookQueue.retry, baseMs: 2, maxMs: 20 };

function runnerFor(core: Core, retry: RetryPolicy = fastRetry): JobRunner {
  const queues: Record<string, QueueSpec> = { webhook: { ...webhookQueue, retry } };
  return startJobRunner({ core, log, queues, pollMs: 5 });
}

forEachDriver('webhook delivery', (kind) => {
  const ctx = useTestApp(kind);
  const receiver = new WebhookReceiver();
  let core: Core;
  let runner: JobRunner;
  let endpointId: string;
  let secret: string;

  /**
   * Waits while the runner works until `done` holds. Polls instead of draining: with a receiver
   * that keeps failing, some retry is always due, so a drain would never end.
   */
  async function until(done: () => Promise<boolean> | boolean): Promise<void> {
    while (!(await done())) await sleep(5);
  }

  async function call(method: 'POST' | 'PATCH', url: string, payload: object = {}): Promise<Record<string, unknown>> {
    const res = await ctx.app.inject({ method, url, headers: ctx.a.auth, payload });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  }

  async function deliveryStates(id = endpointId): Promise<string[]> {
    const { deliveries } = await core.webhooks.listDeliveries(acme, id, { limit: 100, offset: 0 });
    return deliveries.map((d) => d.status);
  }

  /** Every delivery of the endpoint is delivered or failed, and there are at least `count`. */
  async function settled(count = 1, id = endpointId): Promise<boolean> {
    const states = await deliveryStates(id);
    return states.length >= count && states.every((s) => s !== 'pending');
  }

  /** The dispatcher has read every event in the log (only then is "nothing was sent" a result). */
  async function allDispatched(): Promise<boolean> {
    const rows = await ctx.database.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events, event_cursors c WHERE c.name = 'dispatcher' AND (events.tx, events.gid) > (c.tx, c.gid)`,
    );
    return rows[0].n === 0;
  }

  before(async () => {
    core = createCore(ctx.database.db, { webhooks: { allowPrivateNetworks: true } });
    await receiver.start();
    runner = runnerFor(core);
  });
  after(async () => {
    await runner?.stop();
    await receiver.stop();
  });
  beforeEach(async () => {
    for (const endpoint of await core.webhooks.list(acme)) await core.webhooks.remove(acme, endpoint.id);
    ({ endpoint: { id: endpointId }, secret } = await core.webhooks.create(acme, { url: receiver.url, description: 'test receiver' }));
    receiver.received.length = 0;
    receiver.seen.length = 0;
    receiver.mode = 'ok';
  });

  it('delivers signed events that verify with the standardwebhooks library', async () => {
    const conv = await call('POST', `${base}/signed-1:start`, { displayName: 'first' });
    await call('POST', `/v1/${conv.name}/conversationMessages`, { text: 'hello', speaker: 'VISITOR' });
    await until(async () => receiver.received.length >= 2 && (await settled(2)));
    const wh = new Webhook(secret);
    for (const r of receiver.received) {
      const verified = wh.verify(r.body, r.headers as Record<string, string>);
      assert.deepEqual(verified, r.json);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.headers['x-converra-signature'], r.headers['webhook-signature']);
      assert.equal(r.headers['webhook-id'], r.json.id);
      assert.match(r.json.id, /^evt_[a-f0-9]{24}$/);
      assert.match(String(r.headers['webhook-timestamp']), /^\d{10}$/);
    }
    assert.throws(() => new Webhook(`whsec_${Buffer.alloc(24, 7).toString('base64')}`).verify(receiver.received[0].body, receiver.received[0].headers as Record<string, string>));
    const tampered = receiver.received[0].body.replace('signed-1', 'signed-2');
    assert.throws(() => wh.verify(tampered, receiver.received[0].headers as Record<string, string>));

    const [created, updated] = receiver.received.map((r) => r.json);
    assert.equal(created.type, 'conversation.created');
    assert.match(String(created.data.conversationId), /^conv_[a-f0-9]{24}$/);
    assert.deepEqual(Object.keys(created), ['id', 'type', 'createdAt', 'data']);
    assert.deepEqual(created.data, { conversationId: created.data.conversationId, name: conv.name, source: 'API' });
    assert.equal(updated.type, 'conversation.updated');
    assert.deepEqual(updated.data, { conversationId: created.data.conversationId, name: conv.name, source: 'API', changedFields: ['messages'] });
    assert.ok(!Number.isNaN(Date.parse(updated.createdAt)));
  });

  it('sends one conversation.updated per transaction with the union of changed fields, and insights.generated', async () => {
    const conv = await call('POST', `${base}/union-1:start`);
    await call('POST', `/v1/${conv.name}/conversationMessages:batchCreate`, {
      conversationMessages: [{ text: 'a', speaker: 'VISITOR' }, { text: 'b', speaker: 'AGENT' }, { text: 'c', speaker: 'VISITOR' }],
    });
    await call('PATCH', `/v1/${conv.name}?updateMask=displayName,skill`, { displayName: 'x', skill: 'billing' });
    await call('POST', `/v1/${conv.name}:upsertMetadata`, { metadataValues: { plan: { values: ['gold'] } } });
    await call('POST', `/v1/${conv.name}:close`);
    const conversation = (await ctx.core.conversations.get({ customerId: 'acme', profileId: 'default', nameId: 'union-1' }));
    await ctx.database.db.transaction((tx) =>
      stores(tx).events.appendEvents('acme', conversation.id, 'system:jobs', [
        { type: 'ANALYSIS_COMPLETE', payload: { insights: { sentiment: 'positive', sentimentScore: 0.8, taskCompleted: true, topics: ['billing'], summary: 's', issues: [], analyzer: 'local' } } },
      ]),
    );
    await until(async () => receiver.received.length >= 6 && (await settled(6)));
    const got = receiver.received.map((r) => [r.json.type, r.json.data.changedFields ?? null]);
    assert.deepEqual(got, [
      ['conversation.created', null],
      ['conversation.updated', ['messages']],
      ['conversation.updated', ['displayName', 'skill']],
      ['conversation.updated', ['metadata']],
      ['conversation.updated', ['state']],
      ['insights.generated', null],
    ]);
    const insights = receiver.received[5].json.data.insights as Record<string, unknown>;
    assert.deepEqual(Object.keys(insights).sort(), ['conversationId', 'createdAt', 'issues', 'sentiment', 'sentimentScore', 'summary', 'taskCompleted', 'topics']);
    assert.equal(insights.conversationId, `conv_${conversation.id}`);
    assert.equal(insights.sentiment, 'positive');
  });

  it('sends the ingest surface\'s conversations: created, then one update per append with its changed fields', async () => {
    const ingest = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: ctx.a.auth, payload });
    const prompt = await ingest('/prompts', { name: 'Support bot', content: 'You help customers.' });
    assert.equal(prompt.statusCode, 201, prompt.body);
    const created = await ingest('/conversations', { promptId: prompt.json().id, content: 'User: Hello\nAssistant: Hi!', status: 'active' });
    assert.equal(created.statusCode, 200, created.body);
    const id = created.json().id as string;
    const appended = await ingest(`/conversations/${id}/messages`, {
      messages: [{ role: 'user', content: 'Thanks, bye' }], status: 'completed', metadata: { sessionId: 's1' },
    });
    assert.equal(appended.statusCode, 200, appended.body);
    await until(async () => receiver.received.filter((r) => r.json.type !== 'insights.generated').length >= 2 && (await settled(2)));
    const [first, second] = receiver.received.map((r) => r.json);
    assert.equal(first.type, 'conversation.created');
    assert.equal(first.data.conversationId, id);
    assert.equal(first.data.source, 'LOG_INGEST');
    assert.equal(second.type, 'conversation.updated');
    assert.equal(second.data.conversationId, id);
    // The ingest surface names its own fields (content, status) beside the core's.
    assert.deepEqual([...(second.data.changedFields as string[])].sort(), ['content', 'messages', 'metadata', 'state', 'status']);
  });

  it('sends only subscribed types, nothing to a disabled endpoint, and nothing for vendor annotation events', async () => {
    await core.webhooks.update(acme, endpointId, { events: ['conversation.created'] });
    const other = await core.webhooks.create(acme, { url: receiver.url, events: ['conversation.updated'] });
    await core.webhooks.update(acme, other.endpoint.id, { enabled: false });
    const conv = await call('POST', `${base}/subs-1:start`);
    await call('POST', `/v1/${conv.name}/conversationMessages`, { text: 'hi' });
    await call('POST', `/v1/${conv.name}/events:batchCreate`, { events: [{ type: 'USED_SUGGESTION' }] });
    await until(async () => receiver.received.length >= 1 && (await settled()) && (await allDispatched()));
    await runner.drain();
    assert.deepEqual(receiver.received.map((r) => r.json.type), ['conversation.created']);
    assert.deepEqual(await deliveryStates(other.endpoint.id), []);
  });

  it('keeps each conversation\'s events in order and delivers every one after the receiver comes back', async () => {
    await receiver.stop();
    const expected = new Map<string, string[]>();
    for (const id of ['down-a', 'down-b', 'down-c']) {
      const conv = await call('POST', `${base}/${id}:start`);
      await call('POST', `/v1/${conv.name}/conversationMessages`, { text: `hello ${id}` });
      await call('POST', `/v1/${conv.name}:updateDisplayName`, { displayName: `name ${id}` });
      await call('POST', `/v1/${conv.name}/conversationMessages`, { text: `bye ${id}` });
      await call('POST', `/v1/${conv.name}:close`);
      expected.set(String(conv.name), ['created', 'messages', 'displayName', 'messages', 'state']);
    }
    // Every conversation's first delivery fails at least twice; the later ones wait behind it.
    await until(async () => {
      const { deliveries } = await core.webhooks.listDeliveries(acme, endpointId, { limit: 100, offset: 0 });
      const firsts = deliveries.filter((d) => d.eventType === 'conversation.created');
      return deliveries.length === 15 && firsts.length === 3 && firsts.every((d) => d.attempts.length >= 2);
    });
    const { deliveries: waiting } = await core.webhooks.listDeliveries(acme, endpointId, { limit: 100, offset: 0 });
    assert.equal(waiting.length, 15);
    assert.ok(waiting.every((d) => d.status === 'pending'));
    assert.ok(waiting.filter((d) => d.eventType === 'conversation.updated').every((d) => d.attempts.length === 0), 'ordered: later events wait');
    const failed = waiting.find((d) => d.attempts.length > 0)!;
    assert.equal(failed.attempts[0].statusCode, null);
    assert.match(failed.attempts[0].error, /ECONNREFUSED/);
    assert.deepEqual(failed.attempts.map((a) => a.attempt), failed.attempts.map((_, i) => i + 1));

    await receiver.start();
    await until(async () => receiver.received.length >= 15 && (await settled(15)));
    const received = receiver.byConversation();
    assert.equal(received.size, 3);
    for (const events of received.values()) {
      const name = String(events[0].json.data.name);
      const got = events.map((e) => (e.json.type === 'conversation.created' ? 'created' : (e.json.data.changedFields as string[]).join(',')));
      assert.deepEqual(got, expected.get(name), name);
      assert.equal(new Set(events.map((e) => e.json.id)).size, events.length, 'each event once');
    }
    assert.deepEqual(await deliveryStates(), Array(15).fill('delivered'));
    const { deliveries } = await core.webhooks.listDeliveries(acme, endpointId, { limit: 100, offset: 0 });
    const retried = deliveries.find((d) => d.attempts.length > 1)!;
    const last = retried.attempts[retried.attempts.length - 1];
    assert.equal(last.statusCode, 204);
    assert.equal(last.error, '');
    assert.ok(retried.deliveredTime instanceof Date);
    assert.equal((await core.webhooks.get(acme, endpointId)).failingSince, null, 'a success ends the failure streak');
  });

  it('retries a 503 with the same id and bytes, and lists deliveries newest first with every attempt', async () => {
    receiver.mode = 'fail';
    const conv = await call('POST', `${base}/retry-1:start`);
    await until(async () => receiver.requests > 0 && (await deliveryStates()).length === 1 && (await core.webhooks.listDeliveries(acme, endpointId, { limit: 1, offset: 0 })).deliveries[0].attempts.length >= 3);
    const endpoint = await core.webhooks.get(acme, endpointId);
    assert.ok(endpoint.failingSince instanceof Date, 'failing since the first failure');
    receiver.mode = 'ok';
    await call('POST', `/v1/${conv.name}/conversationMessages`, { text: 'later' });
    await until(async () => receiver.received.length >= 2 && (await settled(2)));
    const page = await core.webhooks.listDeliveries(acme, endpointId, { limit: 1, offset: 0 });
    assert.equal(page.total, 2);
    assert.equal(page.deliveries[0].eventType, 'conversation.updated', 'newest first');
    const second = await core.webhooks.listDeliveries(acme, endpointId, { limit: 1, offset: 1 });
    const first = second.deliveries[0];
    assert.equal(first.eventType, 'conversation.created');
    assert.equal(first.status, 'delivered');
    assert.equal(`conv_${first.conversationId}`, receiver.received[0].json.data.conversationId);
    const codes = first.attempts.map((a) => a.statusCode);
    assert.ok(codes.length >= 4);
    assert.deepEqual(codes.slice(0, -1), Array(codes.length - 1).fill(503));
    assert.equal(codes.at(-1), 204);
    assert.ok(first.attempts.every((a) => a.time instanceof Date && a.durationMs >= 0));
    assert.equal(first.attempts[0].error, 'HTTP 503');
    assert.equal(first.eventId, receiver.received[0].json.id);
    const sends = receiver.seen.filter((r) => r.headers['webhook-id'] === first.eventId);
    assert.equal(sends.length, codes.length, 'every attempt reached the receiver');
    assert.ok(sends.every((r) => r.body === sends[0].body), 'every retry sends the same bytes');
    for (const r of sends) assert.doesNotThrow(() => new Webhook(secret).verify(r.body, r.headers as Record<string, string>));
    assert.equal((await core.webhooks.get(acme, endpointId)).failingSince, null);
  });

  it('marks a delivery failed when its job gives up', async () => {
    receiver.mode = 'fail';
    await runner.stop();
    runner = runnerFor(core, { baseMs: 1, maxMs: 2, maxAttempts: 3 });
    try {
      await call('POST', `${base}/giveup-1:start`);
      await until(settled);
      const { deliveries } = await core.webhooks.listDeliveries(acme, endpointId, { limit: 10, offset: 0 });
      assert.equal(deliveries.length, 1);
      assert.equal(deliveries[0].status, 'failed');
      assert.equal(deliveries[0].attempts.length, 3);
      assert.equal(deliveries[0].deliveredTime, null);
    } finally {
      await runner.stop();
      runner = runnerFor(core);
    }
  });

  it('disables an endpoint that has failed for 24 hours; re-enabling delivers again', async () => {
    receiver.mode = 'fail';
    await call('POST', `${base}/disable-1:start`);
    await until(async () => (await core.webhooks.get(acme, endpointId)).failingSince !== null);
    // Simulate the passing day: the streak began 25 hours ago.
    await ctx.database.db.query(`UPDATE webhook_endpoints SET failing_since = now() - interval '25 hours' WHERE id = $1`, [endpointId]);
    await until(async () => !(await core.webhooks.get(acme, endpointId)).enabled);
    const disabled = await core.webhooks.get(acme, endpointId);
    assert.match(disabled.disabledReason, /every delivery attempt failed for 24 hours \(failing since .*\)/);
    assert.deepEqual(await deliveryStates(), ['failed']);

    const requestsBefore = receiver.requests;
    await call('POST', `${base}/disable-2:start`);
    await until(allDispatched);
    await runner.drain();
    assert.deepEqual(await deliveryStates(), ['failed'], 'a disabled endpoint gets no new deliveries');
    assert.equal(receiver.requests, requestsBefore);

    receiver.mode = 'ok';
    const enabled = await core.webhooks.update(acme, endpointId, { enabled: true });
    assert.equal(enabled.enabled, true);
    assert.equal(enabled.failingSince, null);
    assert.equal(enabled.disabledReason, '');
    const conv = await call('POST', `${base}/disable-3:start`);
    await until(async () => receiver.received.length >= 1 && (await settled(2)));
    assert.deepEqual(receiver.received.map((r) => r.json.data.name), [conv.name]);
    assert.deepEqual(await deliveryStates(), ['delivered', 'failed']);
  });

  it('drops the pending deliveries of a removed endpoint', async () => {
    receiver.mode = 'fail';
    await call('POST', `${base}/removed-1:start`);
    await until(async () => receiver.requests > 0 && (await core.webhooks.listDeliveries(acme, endpointId, { limit: 1, offset: 0 })).deliveries[0]?.attempts.length > 0);
    await core.webhooks.remove(acme, endpointId);
    receiver.mode = 'ok';
    await until(async () => (await ctx.database.db.query(`SELECT 1 FROM jobs WHERE queue = 'webhook' AND state IN ('queued', 'running')`)).length === 0);
    assert.equal(receiver.received.length, 0);
    const rows = await ctx.database.db.query(`SELECT 1 FROM webhook_deliveries WHERE endpoint_id = $1`, [endpointId]);
    assert.equal(rows.length, 0);
  });

  it('returns from a removal only after the attempt in flight to the endpoint is over', async () => {
    receiver.mode = 'stall';
    await call('POST', `${base}/removed-2:start`);
    await until(() => receiver.stalledCount > 0);
    // The same core, on a handle that counts the removal's looks at attempts still in flight.
    const db = ctx.database.db;
    let inFlightLooks = 0;
    const watched: typeof db = {
      ...db,
      query: (sql, params, options) => {
        if (sql.includes('sending_until > now()')) inFlightLooks += 1;
        return db.query(sql, params, options);
      },
    };
    const order: string[] = [];
    const removal = createCore(watched, { webhooks: { allowPrivateNetworks: true } }).webhooks.remove(acme, endpointId)
      .then(() => order.push('removed'));
    // Either the removal waits (it looks again and again) or it has wrongly returned already.
    await until(() => inFlightLooks >= 2 || order.length > 0);
    assert.equal((await core.webhooks.list(acme)).length, 0, 'the endpoint is gone for every reader meanwhile');
    order.push('answered');
    receiver.releaseStalled();
    await removal;
    assert.deepEqual(order, ['answered', 'removed']);
    receiver.mode = 'ok';
    await until(async () => (await ctx.database.db.query(`SELECT 1 FROM jobs WHERE queue = 'webhook' AND state IN ('queued', 'running')`)).length === 0);
    assert.equal(receiver.seen.length, 1, 'nothing was sent to the endpoint after the removal');
  });

  it('refuses at connect time a host that resolves to loopback when private networks are not allowed', async () => {
    const url = receiver.url.replace('127.0.0.1', 'localhost');
    await core.webhooks.update(acme, endpointId, { url });
    const strict = createCore(ctx.database.db);
    await runner.stop();
    runner = startJobRunner({ core: strict, log, queues: { webhook: { ...webhookQueue, retry: { baseMs: 1, maxMs: 2, maxAttempts: 2 } } }, pollMs: 5 });
    const requestsBefore = receiver.requests;
    try {
      await call('POST', `${base}/rebind-1:start`);
      await until(settled);
      const { deliveries } = await core.webhooks.listDeliveries(acme, endpointId, { limit: 10, offset: 0 });
      assert.equal(deliveries[0].status, 'failed');
      assert.equal(deliveries[0].attempts.length, 2);
      assert.match(deliveries[0].attempts[0].error, /refused to connect: localhost resolves to .* loopback address/);
      assert.equal(receiver.requests, requestsBefore, 'nothing reached the receiver');
    } finally {
      await runner.stop();
      runner = runnerFor(core);
    }
  });
});

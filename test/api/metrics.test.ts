import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { buildApp } from '../../src/api/http.ts';
import { listenMetrics } from '../../src/api/kit/metrics.ts';
import { METRICS_SCOPE } from '../../src/core/metrics/metrics-access.ts';
import { startJobRunner } from '../../src/jobs/runner.ts';
import { webhookQueue } from '../../src/jobs/webhook-delivery.ts';
import type { Caller } from '../../src/kernel/types.ts';
import { enqueueJobs } from '../../src/store/jobs.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp, type TestContext } from '../helpers/app.ts';
import { WebhookReceiver } from '../jobs/webhook-receiver.ts';

const acme: Caller = { customerId: 'acme', keyId: 'test', profileId: null, agentId: null, scopes: ['*'] };

/** The value of one sample of the exposition text (labels matched as a subset), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(match[3]);
  }
  return undefined;
}

async function scrape(ctx: TestContext): Promise<string> {
  const res = await ctx.app.inject({ url: '/metrics', headers: ctx.a.auth });
  assert.equal(res.statusCode, 200, res.body);
  assert.match(res.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
  return res.body;
}

/** Scrapes until `ready` holds for the text (the job gauges are cached for 2 s); fails after 10 s. */
async function scrapeUntil(ctx: TestContext, ready: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = await scrape(ctx);
    if (ready(text)) return text;
    assert.ok(Date.now() < deadline, `metrics never reached the expected state:\n${text}`);
    await sleep(50);
  }
}

forEachDriver('/metrics', (kind) => {
  const ctx = useTestApp(kind, { webhooks: { allowPrivateNetworks: true } });
  const receiver = new WebhookReceiver();
  after(() => receiver.stop());

  it('refuses anonymous callers (401) and keys narrowed to a profile or agent without the metrics scope (403), in a small JSON shape', async () => {
    const anonymous = await ctx.app.inject({ url: '/metrics' });
    assert.equal(anonymous.statusCode, 401);
    assert.deepEqual(anonymous.json(), { code: 'UNAUTHENTICATED', message: 'missing API key: send Authorization: Bearer <key>' });
    const wrong = await ctx.app.inject({ url: '/metrics', headers: { authorization: 'Bearer pk_nonsense' } });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().code, 'UNAUTHENTICATED');

    const narrowed = await ctx.app.inject({ url: '/metrics', headers: ctx.aSupport.auth });
    assert.equal(narrowed.statusCode, 403);
    assert.equal(narrowed.json().code, 'PERMISSION_DENIED');
    assert.match(narrowed.json().message, /Parley:ReadMetrics/);
    const agent = await ctx.core.agents.create({ customerId: 'acme', profileId: null }, { name: 'Metrics probe' });
    const agentKey = await ctx.core.apiKeys.create({ customerId: 'acme', agentId: agent.id });
    assert.equal((await ctx.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${agentKey.secret}` } })).statusCode, 403);
    const listedScopes = await ctx.core.apiKeys.create({ customerId: 'acme', scopes: ['Conversation:GetConversation'] });
    assert.equal((await ctx.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${listedScopes.secret}` } })).statusCode, 403);
  });

  it('serves a narrowed key that carries the metrics scope, and a full key', async () => {
    const scoped = await ctx.core.apiKeys.create({ customerId: 'acme', profileId: 'support', scopes: [METRICS_SCOPE] });
    const res = await ctx.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${scoped.secret}` } });
    assert.equal(res.statusCode, 200, res.body);
    const text = await scrape(ctx);
    for (const name of ['parley_http_requests_total', 'parley_http_request_duration_seconds', 'parley_append_group_requests', 'parley_webhook_delivery_attempts_total',
      'parley_open_streams', 'parley_live_calls', 'parley_db_pool_connections', 'parley_jobs', 'parley_jobs_oldest_due_seconds', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes']) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    assert.ok(sample(text, 'parley_db_pool_connections', { state: 'total' })! >= 1);
    if (kind === 'postgres') assert.notEqual(sample(text, 'parley_db_pool_connections', { state: 'idle' }), undefined);
  });

  it('counts requests by surface, route template and status, with their durations', async () => {
    const labels = { surface: 'conversations', route: '/v1/customers/:customer/profiles/:profile/conversations/:conversation', method: 'GET', status: '404' };
    const before = sample(await scrape(ctx), 'parley_http_requests_total', labels) ?? 0;
    for (const id of ['absent-1', 'absent-2']) {
      const res = await ctx.app.inject({ url: `/v1/customers/acme/profiles/default/conversations/${id}`, headers: ctx.a.auth });
      assert.equal(res.statusCode, 404);
    }
    const text = await scrape(ctx);
    assert.equal(sample(text, 'parley_http_requests_total', labels), before + 2);
    assert.equal(sample(text, 'parley_http_request_duration_seconds_count', labels), before + 2);
    assert.equal(sample(text, 'parley_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' }), before + 2);
    // A path no route matches is one series whatever the path, so a scan cannot add series.
    await ctx.app.inject({ url: '/no/such/path/1' });
    await ctx.app.inject({ url: '/no/such/path/2' });
    assert.ok(sample(await scrape(ctx), 'parley_http_requests_total', { route: '(unmatched)', status: '404' })! >= 2);
    assert.doesNotMatch(await scrape(ctx), /no\/such\/path/);
  });

  it('observes how many append requests each grouped statement carried', async () => {
    const before = sample(await scrape(ctx), 'parley_append_group_requests_count') ?? 0;
    const start = await ctx.app.inject({ method: 'POST', url: '/v1/customers/acme/profiles/default/conversations:start', headers: ctx.a.auth, payload: {} });
    assert.equal(start.statusCode, 200, start.body);
    const conversation = start.json().name as string;
    const appends = await Promise.all([1, 2, 3].map((n) => ctx.app.inject({
      method: 'POST', url: `/v1/${conversation}/conversationMessages`, headers: ctx.a.auth, payload: { text: `message ${n}`, speaker: 'VISITOR' },
    })));
    for (const res of appends) assert.equal(res.statusCode, 200, res.body);
    const text = await scrape(ctx);
    const groups = sample(text, 'parley_append_group_requests_count')! - before;
    assert.ok(groups >= 1 && groups <= 3, `${groups} groups`);
    assert.ok(sample(text, 'parley_append_group_requests_sum')! >= 3);
  });

  it('reports job queue depth and age by kind from the jobs table', async () => {
    const labels = { kind: 'metrics-probe', state: 'queued' };
    await enqueueJobs(ctx.database.db, [
      { queue: 'metrics-probe', customerId: 'acme', payload: {} },
      { queue: 'metrics-probe', customerId: 'acme', payload: {}, runAt: new Date(Date.now() - 60_000) },
    ]);
    const text = await scrapeUntil(ctx, (t) => sample(t, 'parley_jobs', labels) === 2);
    assert.ok(sample(text, 'parley_jobs_oldest_due_seconds', labels)! >= 59);
    await ctx.database.db.query(`UPDATE jobs SET state = 'done', finish_time = now() WHERE queue = 'metrics-probe'`);
    // Drained: the kind stays, at 0.
    await scrapeUntil(ctx, (t) => sample(t, 'parley_jobs', labels) === 0 && sample(t, 'parley_jobs_oldest_due_seconds', labels) === 0);
  });

  it('counts webhook delivery attempts by outcome', { timeout: 60_000 }, async () => {
    await receiver.start();
    await ctx.core.webhooks.create(acme, { url: receiver.url, events: ['conversation.deleted'] });
    const deliveredBefore = sample(await scrape(ctx), 'parley_webhook_delivery_attempts_total', { outcome: 'delivered' }) ?? 0;
    const { conversation } = await ctx.core.conversations.start(acme, 'acme', 'default', 'metrics-webhook', {});
    await ctx.core.conversations.delete(acme, { customerId: 'acme', id: conversation.id });
    const runner = startJobRunner({ core: ctx.core, log: pino({ level: 'silent' }), queues: { webhook: webhookQueue }, pollMs: 5 });
    try {
      while (receiver.received.length === 0) await sleep(5);
      await runner.drain();
    } finally {
      await runner.stop();
    }
    assert.equal(sample(await scrape(ctx), 'parley_webhook_delivery_attempts_total', { outcome: 'delivered' }), deliveredBefore + 1);
  });

  it('gauges open event streams and live calls through the functions their code calls', async () => {
    const value = async (name: string) => sample(await scrape(ctx), name);
    const streamsBefore = (await value('parley_open_streams'))!;
    const closeStream = ctx.core.metrics.streamOpened();
    const endCall = ctx.core.metrics.callOpened();
    assert.equal(await value('parley_open_streams'), streamsBefore + 1);
    assert.equal(await value('parley_live_calls'), 1);
    closeStream();
    closeStream();
    endCall();
    assert.equal(await value('parley_open_streams'), streamsBefore, 'closing twice counts once');
    assert.equal(await value('parley_live_calls'), 0);
  });

  it('serves /metrics without a key when PARLEY_METRICS_PUBLIC is on, and on a port of its own', async () => {
    const open = await buildApp({ core: ctx.core, logger: pino({ level: 'silent' }), metricsPublic: true });
    try {
      const res = await open.inject({ url: '/metrics' });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.body, /^# TYPE parley_http_requests_total counter$/m);
    } finally {
      await open.close();
    }
    const { server, port } = await listenMetrics(ctx.core.metrics, '127.0.0.1', 0);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/plain/);
      assert.match(await res.text(), /^# TYPE parley_jobs gauge$/m);
      const other = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(other.status, 404);
      assert.equal((await other.json()).code, 'NOT_FOUND');
    } finally {
      server.close();
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCore } from '../../src/core/index.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin-proxy.ts';
import { eventsOf, openStream } from '../helpers/stream-client.ts';
import { GATED_PIECES, startGatedLlm, type GatedLlm } from './gated-llm.ts';
import { startParley, type ParleyProcess } from './parley-process.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

/** The ingest surface's per-key limit the processes run with: low, so a burst crosses it. */
const RATE_LIMIT = 9;
const CONVERSATIONS = 20;
const MODEL = 'gpt-scale-test';
/** Ends a hung wait only: every step here takes well under a second on an idle machine. */
const STEP_TIMEOUT_MS = 30_000;

/** Resolves when `check` holds, asking again after each answer (no fixed sleeps). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${STEP_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Three `parley serve` processes (each also running jobs) on one PostgreSQL database behind a
 * round-robin proxy: what holds for one process must hold for the installation. PostgreSQL only:
 * PGlite is one process by design. PostgreSQL down fails the suite (freshDatabase throws).
 */
describe('scale-out: three processes on one PostgreSQL behind a round-robin proxy', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let dataDir: string;
  let processes: ParleyProcess[] = [];
  let proxy: RoundRobinProxy;
  let receiver: WebhookReceiver;
  let llm: GatedLlm;
  const keys = { webhooks: '', idempotency: '', agent: '', stream: '', rate: [] as string[] };
  let serviceId: string;

  const call = (base: string, key: string, method: string, path: string, body?: unknown) => fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = async (res: Response, status: number) => {
    const text = await res.text();
    assert.equal(res.status, status, text);
    return JSON.parse(text) as Record<string, unknown>;
  };

  before(async () => {
    database = await freshDatabase('postgres');
    const core = createCore(database.db, { keyCacheSeconds: 0 });
    await core.tenancy.createCustomer('acme');
    const newKey = async () => (await core.apiKeys.create({ customerId: 'acme' })).secret;
    keys.webhooks = await newKey();
    keys.idempotency = await newKey();
    keys.agent = await newKey();
    keys.stream = await newKey();
    keys.rate = [await newKey(), await newKey()];
    serviceId = (await core.agents.create({ customerId: 'acme', profileId: null }, { name: 'Bike shop helper', instructions: 'Answer from the help pages.' })).id;

    receiver = await startWebhookReceiver();
    llm = await startGatedLlm(MODEL);
    dataDir = mkdtempSync(join(tmpdir(), 'parley-scale-'));
    const env = {
      DATABASE_URL: database.url!,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_JOBS: 'on',
      PARLEY_DB_POOL_SIZE: '5',
      PARLEY_INGEST_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      PARLEY_LLM_BASE_URL: llm.baseUrl,
      PARLEY_LLM_MODEL: MODEL,
      PARLEY_ASR: 'off',
      PARLEY_TTS: 'off',
    };
    // Started together; each is pushed as it comes up, so `after` kills those that did if one fails.
    const starting = [0, 1, 2].map(() => startParley(env).then((p) => (processes.push(p), p)));
    const settled = await Promise.allSettled(starting);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    processes = settled.map((s) => (s as PromiseFulfilledResult<ParleyProcess>).value);
    proxy = await startRoundRobinProxy(processes.map((p) => p.url));
  });

  after(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await proxy?.close();
    await receiver?.close();
    await llm?.close();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs each job exactly once: every webhook event reaches the receiver once, in order per conversation', { timeout: STEP_TIMEOUT_MS }, async () => {
    const hook = await json(await call(proxy.url, keys.webhooks, 'POST', '/api/v1/webhooks', {
      url: receiver.url, events: ['conversation.created', 'conversation.updated'],
    }), 201);
    const before = [...proxy.served];
    const names: string[] = [];
    await Promise.all(Array.from({ length: CONVERSATIONS }, async (_, i) => {
      const path = `/v1/customers/acme/profiles/default/conversations/fanout-${i}`;
      names.push(path.slice('/v1/'.length));
      await json(await call(proxy.url, keys.webhooks, 'POST', `${path}:start`, { displayName: `Fan-out ${i}` }), 200);
      await json(await call(proxy.url, keys.webhooks, 'POST', `${path}/conversationMessages`, { text: `Question ${i}`, speaker: 'VISITOR' }), 200);
    }));
    assert.ok(proxy.served.every((n, i) => n - before[i] >= CONVERSATIONS * 2 / 3 - 1), `requests spread over the processes: ${proxy.served}`);

    const ours = (w: { body: { data: { name?: string } } }) => names.includes(w.body.data.name ?? '');
    await receiver.count(CONVERSATIONS * 2, ours);
    // Every delivery recorded as delivered, by its first and only attempt.
    let deliveries: { eventId: string; status: string; attempts: unknown[] }[] = [];
    await until(async () => {
      const page = await json(await call(proxy.url, keys.webhooks, 'GET', `/api/v1/webhooks/${hook.id as string}/deliveries?limit=100`), 200);
      deliveries = page.data as typeof deliveries;
      return deliveries.length >= CONVERSATIONS * 2 && deliveries.every((d) => d.status === 'delivered');
    }, 'every delivery to be marked delivered');
    assert.equal(deliveries.length, CONVERSATIONS * 2);
    assert.deepEqual(deliveries.filter((d) => d.attempts.length !== 1), [], 'each delivery sent by one attempt');

    const got = receiver.received.filter(ours);
    const ids = got.map((w) => w.id);
    assert.equal(new Set(ids).size, ids.length, 'no event id received twice');
    assert.equal(ids.length, CONVERSATIONS * 2);
    assert.deepEqual(new Set(ids), new Set(deliveries.map((d) => d.eventId)));
    for (const name of names) {
      assert.deepEqual(got.filter((w) => w.body.data.name === name).map((w) => w.body.type), ['conversation.created', 'conversation.updated'], name);
    }
  });

  it('holds a per-key rate limit in total: N+k requests over three processes, exactly N accepted', { timeout: STEP_TIMEOUT_MS }, async () => {
    const minute = async () => (await database.db.query<{ m: string }>('SELECT floor(extract(epoch FROM clock_timestamp()) / 60)::bigint::text AS m'))[0].m;
    // The limit counts in clock-minute windows: a burst that straddles a minute's end counts in
    // two, so it is made again with a fresh key (the second one cannot straddle another).
    for (const key of keys.rate) {
      const startedIn = await minute();
      const answers = await Promise.all(Array.from({ length: RATE_LIMIT + 6 }, () => call(proxy.url, key, 'GET', '/api/v1/prompts')));
      const statuses = await Promise.all(answers.map(async (res) => ({ status: res.status, body: await res.text(), retryAfter: res.headers.get('retry-after') })));
      if ((await minute()) !== startedIn) continue;
      assert.equal(statuses.filter((s) => s.status === 200).length, RATE_LIMIT, JSON.stringify(statuses.map((s) => s.status)));
      const refused = statuses.filter((s) => s.status !== 200);
      assert.equal(refused.length, 6);
      for (const s of refused) {
        assert.equal(s.status, 429);
        assert.equal((JSON.parse(s.body) as { error: { code: string } }).error.code, 'RATE_LIMITED');
        assert.ok(Number(s.retryAfter) >= 0, 'Retry-After');
      }
      return;
    }
    assert.fail('both bursts straddled a minute boundary');
  });

  it('returns the first result for an idempotency key replayed on another process', { timeout: STEP_TIMEOUT_MS }, async () => {
    const [one, two, three] = processes.map((p) => p.url);
    const prompt = await json(await call(proxy.url, keys.idempotency, 'POST', '/api/v1/prompts', { name: 'Scale bot', content: 'You help.' }), 201);
    const create = { promptId: prompt.id, content: 'User: Hello\nAssistant: Hi! How can I help?', status: 'in_progress', idempotencyKey: 'scale-create-1' };
    const first = await json(await call(one, keys.idempotency, 'POST', '/api/v1/conversations', create), 200);
    const replay = await json(await call(two, keys.idempotency, 'POST', '/api/v1/conversations', create), 200);
    assert.equal(replay.id, first.id);
    assert.equal(replay.messageCount, 2);
    const listed = await json(await call(three, keys.idempotency, 'GET', `/api/v1/conversations?promptId=${prompt.id as string}`), 200);
    assert.equal((listed.pagination as { total: number }).total, 1, 'one conversation, not two');

    const append = (base: string) => fetch(`${base}/api/v1/conversations/${first.id as string}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.idempotency}`, 'content-type': 'application/json', 'idempotency-key': 'scale-turn-1' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Where is my order?' }, { role: 'assistant', content: 'Let me check.' }] }),
    });
    assert.equal((await json(await append(two), 200)).messageCount, 4);
    assert.equal((await json(await append(three), 200)).messageCount, 4, 'the replay appended nothing');
  });

  it('holds a conversation\'s interaction lock across processes: a second interact elsewhere is 409 while the first runs', { timeout: STEP_TIMEOUT_MS }, async () => {
    const [one, two, three] = processes.map((p) => p.url);
    const created = await call(proxy.url, keys.agent, 'POST', '/v1/acme/conversation/?response_format=text', { service_id: serviceId });
    const createdText = await created.text();
    assert.equal(created.status, 201, createdText);
    const conversationId = (JSON.parse(createdText.split('\n')[0]) as { conversation_id: string }).conversation_id;
    const interact = (base: string, message: string) => {
      const form = new FormData();
      form.set('recorded_message', message);
      form.set('initial_message_type', 'user-message');
      return fetch(`${base}/v1/acme/conversation/${conversationId}/interact?request_format=text&response_format=text`, {
        method: 'POST', headers: { authorization: `Bearer ${keys.agent}` }, body: form,
      });
    };
    const lines = async (res: Response) => (await res.text()).split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

    const running = interact(one, 'Can I return my bike?');
    await llm.arrived(1);
    const refused = await interact(two, 'Hello?');
    const refusal = await json(refused, 409);
    assert.match(String(refusal.detail), /in progress/);

    llm.open();
    const first = await running;
    assert.equal(first.status, 200);
    const complete = (await lines(first)).at(-1)!;
    assert.equal(complete.type, 'interaction-complete', JSON.stringify(complete));
    assert.equal(complete.full_message, GATED_PIECES.join(''));
    // The claim was given back: a third process takes the next turn.
    const next = await interact(three, 'And within what time?');
    assert.equal(next.status, 200);
    assert.equal((await lines(next)).at(-1)!.type, 'interaction-complete');
  });

  it('delivers an event written through one process to a live stream on another', { timeout: STEP_TIMEOUT_MS }, async () => {
    const [one, , three] = processes.map((p) => p.url);
    const path = '/v1/customers/acme/profiles/default/conversations/stream-1';
    await json(await call(proxy.url, keys.stream, 'POST', `${path}:start`, { displayName: 'Streamed' }), 200);
    // Subscribed on process 3 (from the live end) before the event is written through process 1.
    const stream = await openStream(`${three}${path}/events:stream`, { authorization: `Bearer ${keys.stream}`, accept: 'text/event-stream' });
    try {
      assert.equal(stream.status, 200, stream.status === 200 ? '' : await stream.text());
      assert.match(stream.contentType, /^text\/event-stream/);
      const marker = `scale-${process.pid}-${Date.now()}`;
      await json(await call(one, keys.stream, 'POST', `${path}/events:batchCreate`, { events: [{ type: 'CALL_REASON_SELECTION', payload: { marker } }] }), 200);
      const frames = await stream.until((all) => eventsOf(all).some((f) => JSON.stringify(f.data).includes(marker)), 'the event on the other process\'s stream', STEP_TIMEOUT_MS);
      assert.equal(eventsOf(frames).find((f) => JSON.stringify(f.data).includes(marker))!.data.type, 'CALL_REASON_SELECTION');
    } finally {
      stream.close();
    }
  });
});

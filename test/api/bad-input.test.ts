import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { before, describe, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { LIMITS, TIME_RANGE } from '../../src/kernel/limits.ts';
import { assertError, client, createConversation, createPrompt, snapshot, type Client } from './ingest-fixtures.ts';

/*
 * Requests the schemas accepted but the code could not hold (issue 13, "Bad input, on every
 * surface"): each is refused in its surface's error shape, naming the field, writing nothing.
 */

const PROFILE = '/v1/customers/acme/profiles/default';
const json = { 'content-type': 'application/json' };

/** A JSON text nested `levels` deep: `{"a":{"a":…{}}}` (10 000 levels is 60 KB, built as text: JSON.stringify itself overflows). */
const nested = (levels: number) => `${'{"a":'.repeat(levels)}{}${'}'.repeat(levels)}`;

/** google.rpc.Status: `{code, message, details}` with the request id, the field named when given. */
function assertStatus(res: { statusCode: number; body: string; json(): unknown }, status: number, code: number, field?: string | RegExp, label = '') {
  assert.equal(res.statusCode, status, `${label} ${res.body}`);
  const body = res.json() as { code: number; message: string; details: { '@type': string; fieldViolations?: { field: string }[] }[] };
  assert.deepEqual(Object.keys(body).sort(), ['code', 'details', 'message'], label);
  assert.equal(body.code, code, label);
  assert.ok(body.details.some((d) => d['@type'] === 'type.googleapis.com/google.rpc.RequestInfo'), label);
  if (field !== undefined) {
    const violation = body.details.find((d) => d.fieldViolations)?.fieldViolations?.[0];
    assert.ok(violation, `${label}: no field violation in ${res.body}`);
    if (typeof field === 'string') assert.equal(violation.field, field, label);
    else assert.match(violation.field, field, label);
  }
  return body;
}

/** A page token with its key replaced, bound to the same filter as `real`. */
function forge(real: string, key: unknown): string {
  const token = JSON.parse(Buffer.from(real, 'base64url').toString('utf8')) as { f: string; k: unknown };
  return Buffer.from(JSON.stringify({ f: token.f, k: key })).toString('base64url');
}

forEachDriver('bad input on every surface', (kind) => {
  const ctx = useTestApp(kind);
  let ingest: Client;
  let promptId: string;
  let conv: string;
  let ingestConv: string;
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method: 'POST', url, headers: { ...ctx.a.auth, ...json, ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
  const get = (url: string) => ctx.app.inject({ method: 'GET', url, headers: ctx.a.auth });
  const all = async (): Promise<Record<string, number>> => ({ ...(await snapshot(ctx)), calls: (await ctx.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM calls'))[0].n });

  before(async () => {
    ingest = client(ctx, () => ctx.a);
    promptId = await createPrompt(ingest);
    ingestConv = (await createConversation(ingest, { promptId, content: 'User: hi' })).id;
    conv = `${PROFILE}/conversations/bad-input`;
    assert.equal((await post(`${conv}:start`, {})).statusCode, 200);
    const messages = await post(`${conv}/conversationMessages:batchCreate`, { conversationMessages: [{ text: 'one' }, { text: 'two' }] });
    assert.equal(messages.statusCode, 200, messages.body);
    assert.equal((await post(`${PROFILE}/conversations/bad-input-2:start`, {})).statusCode, 200);
  });

  it('refuses free-form objects nested past the documented depth, on every surface, naming the field', async () => {
    const before = await all();
    const deep = nested(10_000);
    const events = await post(`${conv}/events:batchCreate`, `{"events":[{"type":"CALL_REASON_SELECTION","payload":${deep}}]}`);
    assertStatus(events, 400, 3, /^events\[0\]\.payload(\.a)+$/, 'event payload');
    assert.match(events.json().message, new RegExp(`deeper than ${LIMITS.jsonDepth} levels`));
    for (const field of ['originalEventData', 'speakerInfo']) {
      assertStatus(await post(`${conv}/conversationMessages`, `{"text":"x","${field}":${deep}}`), 400, 3, new RegExp(`^${field}(\\.a)+$`), field);
    }
    assertStatus(await post('/v1/voicecallsession/customers/acme/profiles/default/sessionEvent:process',
      `{"sessionEvent":{"eventType":"CALL_START","platformCallId":"deep","payload":${deep}}}`), 400, 3, /^sessionEvent\.payload(\.a)+$/, 'voice payload');
    const append = await ingest.call('POST', `/conversations/${ingestConv}/messages`, `{"messages":[{"role":"user","content":"x"}],"metadata":${deep}}`, json);
    assert.ok(Object.keys(assertError(append, 400, 'VALIDATION_ERROR').details).some((f) => /^metadata(\.a)+$/.test(f)), append.body);
    const structured = await ingest.post('/conversations', { promptId, content: `{"messages":[{"role":"user","content":"hi","metadata":${deep}}]}` });
    const error = assertError(structured, 400, 'VALIDATION_ERROR');
    assert.ok(Object.keys(error.details).some((f) => /^content\.messages\[0\]\.metadata(\.a)+$/.test(f)), structured.body);
    // At the limit is fine: 64 levels counted from the document's root.
    const fits = await post(`${conv}/events:batchCreate`, `{"events":[{"type":"CALL_REASON_SELECTION","payload":${nested(LIMITS.jsonDepth - 4)}}]}`);
    assert.equal(fits.statusCode, 200, fits.body);
    const after = await all();
    assert.equal(after.events, before.events + 1);
    assert.deepEqual({ ...after, events: before.events }, before);
  });

  it('refuses lone surrogates in any string or key that reaches the store, naming the field', async () => {
    const before = await all();
    assertStatus(await post(`${conv}/conversationMessages`, '{"text":"a\\ud800b"}'), 400, 3, 'text');
    assertStatus(await post(`${conv}/conversationMessages`, '{"text":"ok","originalEventData":{"\\udc00":1}}'), 400, 3, 'originalEventData.\udc00');
    const metadata = await post(`${conv}:upsertMetadata`, '{"metadataValues":{"k":{"values":["v"]}},"source":"\\udc00"}');
    assertStatus(metadata, 400, 3, 'source');
    assert.match(metadata.json().message, /lone UTF-16 surrogate/);
    assertError(await ingest.call('POST', '/conversations', `{"promptId":"${promptId}","content":"User: \\ud800"}`, json), 400, 'VALIDATION_ERROR');
    // Inside structured content's own JSON string, escaped twice.
    const inner = await ingest.post('/conversations', { promptId, content: '{"messages":[{"role":"user","content":"a\\ud800"}]}' });
    assert.equal(assertError(inner, 400, 'VALIDATION_ERROR').details['content.messages[0].content'], 'must not contain a lone UTF-16 surrogate (U+D800 to U+DFFF)');
    // A well-formed pair is text like any other.
    assert.equal((await post(`${conv}/conversationMessages`, '{"text":"\\ud83d\\ude00"}')).statusCode, 200);
    const after = await all();
    assert.deepEqual({ ...after, messages: before.messages, events: before.events }, before);
    assert.equal(after.messages, before.messages + 1);
  });

  it('refuses an escaped NUL inside ingest structured content, naming the field', async () => {
    const before = await all();
    const res = await ingest.post('/conversations', { promptId, content: '{"messages":[{"role":"user","content":"a\\u0000b"}]}' });
    assert.match(String(assertError(res, 400, 'VALIDATION_ERROR').details['content.messages[0].content']), /NUL character/);
    const key = await ingest.post('/conversations', { promptId, content: '{"messages":[{"role":"user","content":"hi"}],"metadata":{"k\\u0000":1}}' });
    assert.ok('content.metadata.k\u0000' in assertError(key, 400, 'VALIDATION_ERROR').details, key.body);
    assert.deepEqual(await all(), before);
  });

  it('refuses times the code cannot hold (a leap second, year 0000) on every time field and filter', async () => {
    const before = await all();
    const range = new RegExp(`from ${TIME_RANGE.min}`);
    const leap = await post(`${PROFILE}/conversations/leap:start`, { startTime: '2016-12-31T23:59:60Z' });
    assert.match(assertStatus(leap, 400, 3, 'startTime').message, range);
    assertStatus(await post(`${conv}/conversationMessages`, { text: 'x', createTime: '0000-06-01T00:00:00Z' }), 400, 3, 'createTime');
    assertStatus(await post(PROFILE + '/conversations', { filter: { rangeStartTime: '0000-01-01T00:00:00Z' } }), 400, 3, 'filter.rangeStartTime');
    assertStatus(await get(`${PROFILE}/conversations:count?filter.rangeStartTime=0000-01-01T00:00:00Z`), 400, 3, 'filter.rangeStartTime');
    // Year 0001 written with a positive offset is year 0000 in UTC.
    assertStatus(await post(`${PROFILE}/conversations:sample`, { startTime: '0001-01-01T00:30:00+01:00' }), 400, 3, 'startTime');
    assertStatus(await post(`${PROFILE}/conversations/leap:start`, { startTime: '9999-12-31T23:59:59-01:00' }), 400, 3, 'startTime');
    const content = await ingest.post('/conversations', { promptId, content: JSON.stringify({ messages: [{ role: 'user', content: 'hi', timestamp: '2016-12-31T23:59:60Z' }] }) });
    assert.ok('content.messages[0].timestamp' in assertError(content, 400, 'VALIDATION_ERROR').details, content.body);
    const { id } = await createConversation(ingest, { promptId, content: 'User: hi' });
    const appended = await ingest.post(`/conversations/${id}/messages`, { messages: [{ role: 'user', content: 'x', timestamp: '0000-01-01T00:00:00Z' }] });
    assert.ok('messages[0].timestamp' in assertError(appended, 400, 'VALIDATION_ERROR').details, appended.body);
    // The bounds themselves are times like any other.
    assert.equal((await post(`${PROFILE}/conversations/early:start`, { startTime: TIME_RANGE.min })).statusCode, 200);
    const after = await all();
    assert.equal(after.conversations, before.conversations + 2);
  });

  it('refuses forged page tokens on every paged list with INVALID_ARGUMENT on the token', async () => {
    const before = await all();
    const events = await get(`${conv}/events?pageSize=1`);
    const messages = await get(`${conv}/conversationMessages?pageSize=1`);
    const list = await post(`${PROFILE}/conversations`, { pageSize: 1 });
    const sample = await post(`${PROFILE}/conversations:sample`, { pageSize: 1 });
    for (const res of [events, messages, list, sample]) assert.ok(res.json().nextPageToken, res.body);
    const cases: [string, () => Promise<{ statusCode: number; body: string; json(): unknown }>][] = [
      ['events abc', () => get(`${conv}/events?pageSize=1&pageToken=${forge(events.json().nextPageToken, ['abc'])}`)],
      ['events negative', () => get(`${conv}/events?pageSize=1&pageToken=${forge(events.json().nextPageToken, [-5])}`)],
      ['events too big', () => get(`${conv}/events?pageSize=1&pageToken=${forge(events.json().nextPageToken, [2 ** 40])}`)],
      ['messages abc', () => get(`${conv}/conversationMessages?pageSize=1&pageToken=${forge(messages.json().nextPageToken, ['abc'])}`)],
      ['messages object', () => get(`${conv}/conversationMessages?pageSize=1&pageToken=${forge(messages.json().nextPageToken, [{}])}`)],
      ['list bad time', () => post(`${PROFILE}/conversations`, { pageSize: 1, pageToken: forge(list.json().nextPageToken, ['yesterday', 'x']) })],
      ['list year 0', () => post(`${PROFILE}/conversations`, { pageSize: 1, pageToken: forge(list.json().nextPageToken, ['0000-01-01T00:00:00.000Z', '0123456789abcdef01234567']) })],
      ['list short', () => post(`${PROFILE}/conversations`, { pageSize: 1, pageToken: forge(list.json().nextPageToken, []) })],
      ['sample int64', () => post(`${PROFILE}/conversations:sample`, { pageSize: 1, pageToken: forge(sample.json().nextPageToken, ['2024-01-01T00:00:00.000000Z', '9999999999999999999', '']) })],
      ['sample year 0', () => post(`${PROFILE}/conversations:sample`, { pageSize: 1, pageToken: forge(sample.json().nextPageToken, ['0000-01-01T00:00:00.000000Z', '', '']) })],
    ];
    for (const [label, send] of cases) {
      const res = await send();
      assert.match(assertStatus(res, 400, 3, 'pageToken', label).message, /not a page token issued by this server/, label);
    }
    assert.deepEqual(await all(), before);
  });

  it("answers the router's refusals in the surface's shape, and accepts every documented id length", async () => {
    const before = await all();
    const badUrl = await get(`${PROFILE}/conversations/%ff`);
    assertStatus(badUrl, 400, 3);
    assert.ok(badUrl.headers['x-request-id']);
    assertError(await ingest.get('/conversations/%ff'), 400, 'VALIDATION_ERROR');
    assertStatus(await get(`${PROFILE}/conversations/${'a'.repeat(LIMITS.pathParam + 1)}`), 400, 3);
    // 101–128 characters are valid conversation ids (Fastify's default refused past 100 with a 414).
    const longest = 'c'.repeat(128);
    assert.equal((await post(`${PROFILE}/conversations/${longest}:start`, {})).statusCode, 200);
    assert.equal((await get(`${PROFILE}/conversations/${longest}`)).statusCode, 200);
    assertStatus(await get(`${PROFILE}/conversations/${'c'.repeat(129)}`), 400, 3, 'conversation');
    // Unknown paths, bad content types, bad JSON, in the shape of the surface the path is under.
    assertStatus(await get('/v1/customers/nothing/here'), 404, 5);
    // A first segment that could be a customer id is the agent surface's organization (/v1/{organization}/…).
    const agentPath = await get('/v1/nothing/here');
    assert.deepEqual([agentPath.statusCode, Object.keys(agentPath.json())], [404, ['detail']]);
    assertError(await ingest.get('/nothing'), 404, 'NOT_FOUND');
    assertStatus(await post(`${conv}/conversationMessages`, 'text=x', { 'content-type': 'text/plain' }), 400, 3);
    assertStatus(await post(`${conv}/conversationMessages`, '{"text":'), 400, 3);
    assertError(await ingest.call('POST', '/conversations', '{"promptId":', json), 400, 'VALIDATION_ERROR');
    const tooLarge = await post(`${conv}/conversationMessages`, 'x'.repeat(LIMITS.bodyBytes + 1));
    assertStatus(tooLarge, 413, 8);
    assertError(await ingest.call('POST', '/conversations', 'x'.repeat(4 * 1024 * 1024 + 1), json), 413, 'PAYLOAD_TOO_LARGE');
    const after = await all();
    assert.equal(after.conversations, before.conversations + 1);
  });

  it('answers a method a path does not have with 405 and Allow, in the surface shape', async () => {
    const before = await all();
    const put = await ctx.app.inject({ method: 'PUT', url: `${conv}`, headers: ctx.a.auth, payload: {} });
    assertStatus(put, 405, 12);
    assert.deepEqual(put.headers.allow?.toString().split(', ').sort(), ['DELETE', 'GET', 'HEAD', 'PATCH']);
    const verb = await ctx.app.inject({ method: 'GET', url: `${conv}:close`, headers: ctx.a.auth });
    assertStatus(verb, 405, 12);
    assert.equal(verb.headers.allow, 'POST');
    const ingestPut = await ctx.app.inject({ method: 'PUT', url: '/api/v1/conversations', headers: ctx.a.auth, payload: {} });
    assertError(ingestPut, 405, 'METHOD_NOT_ALLOWED');
    assert.deepEqual(ingestPut.headers.allow?.toString().split(', ').sort(), ['GET', 'HEAD', 'POST']);
    assert.deepEqual(await all(), before);
  });

  it('takes an empty JSON body as no body on every method', async () => {
    const empty = (method: 'DELETE' | 'POST', url: string) => ctx.app.inject({ method, url, headers: { ...ctx.a.auth, ...json }, payload: '' });
    assert.equal((await post(`${PROFILE}/conversations/emptied:start`, {})).statusCode, 200);
    const close = await empty('POST', `${PROFILE}/conversations/emptied:close`);
    assert.equal(close.statusCode, 200, close.body);
    const remove = await empty('DELETE', `${PROFILE}/conversations/emptied`);
    assert.equal(remove.statusCode, 200, remove.body);
    const prompt = await createPrompt(ingest, { name: 'to delete' });
    const removePrompt = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/prompts/${prompt}`, headers: { ...ctx.a.auth, ...json }, payload: '' });
    assert.ok(removePrompt.statusCode < 300, removePrompt.body);
    // A route that needs a body still says so, in its own words.
    const noBody = await ctx.app.inject({ method: 'POST', url: '/api/v1/conversations', headers: { ...ctx.a.auth, ...json }, payload: '' });
    assertError(noBody, 400, 'VALIDATION_ERROR');
  });
});

/**
 * Posts `count` bodies of `bytes` to `url` with node:http from another thread (in the server's
 * own thread the client never writes while the server answers, which hides the reset), and counts
 * what the client read: `<status> <error code of the body>`, or the client's error code.
 */
function postFromAnotherThread(url: string, headers: Record<string, string>, bytes: number, count: number): Promise<Record<string, number>> {
  const source = `
    const http = require('node:http');
    const { parentPort, workerData: { url, headers, bytes, count } } = require('node:worker_threads');
    const body = Buffer.alloc(bytes, 0x20);
    const once = () => new Promise((resolve) => {
      const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(bytes) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let code = 'unreadable';
          try { const body = JSON.parse(text); code = body.error ? body.error.code : body.code; } catch {}
          resolve(res.statusCode + ' ' + code);
        });
        res.on('error', (e) => resolve('response ' + e.code));
      });
      req.on('error', (e) => resolve(e.code));
      req.end(body);
    });
    (async () => {
      const seen = {};
      for (let i = 0; i < count; i++) { const r = await once(); seen[r] = (seen[r] || 0) + 1; }
      parentPort.postMessage(seen);
    })();`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { url, headers, bytes, count } });
    worker.once('message', (seen) => {
      resolve(seen as Record<string, number>);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe('oversized bodies over a real socket', () => {
  const ctx = useTestApp('pglite');
  let base: string;
  before(async () => {
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
  });

  it('lets an ordinary client read the 413 every time (10 MiB; ingest 4 MiB)', async () => {
    const before = await ctx.snapshot();
    const headers = { ...ctx.a.auth, ...json };
    const conversations = await postFromAnotherThread(`${base}${PROFILE}/conversations/big:start`, headers, LIMITS.bodyBytes + 1024, 30);
    assert.deepEqual(conversations, { '413 8': 30 });
    const ingest = await postFromAnotherThread(`${base}/api/v1/conversations`, headers, 4 * 1024 * 1024 + 1024, 30);
    assert.deepEqual(ingest, { '413 PAYLOAD_TOO_LARGE': 30 });
    assert.deepEqual(await ctx.snapshot(), before);
  });
});

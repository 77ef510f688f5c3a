import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { buildApp, type App } from '../../src/api/http.ts';
import { LlmAnswerer } from '../../src/core/agents/runtime/llm-answerer.ts';
import { createCore } from '../../src/core/index.ts';
import { OpenAiChat } from '../../src/providers/llm/openai-chat.ts';
import { forEachDriver, freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { startFakeLlm, type FakeLlm } from '../providers/llm/openai-chat-double.ts';
import { assertDetail } from './agent-fixtures.ts';
import { assertPieces, createConversation, GatedAnswerer, HELP, interact, multipart, ndjsonLines, until } from './agent-turns.ts';

const log = pino({ level: 'silent' });

/**
 * The turn's guarantees across processes and failures: three servers on one database stand for
 * three processes (one whose turns wait at a gate, one with the local agent, one with an LLM behind
 * the OpenAI chat double).
 */
forEachDriver('agent surface: one interaction at a time, rollback and cancellation', (kind) => {
  let database: TestDatabase;
  let gated: GatedAnswerer;
  let fake: FakeLlm;
  const apps: { gated: App; local: App; llm: App } = {} as never;
  let key: string;
  let serviceId: string;
  const count = async (sql: string, params: unknown[]) => (await database.db.query<{ n: number }>(sql, params))[0].n;
  /** The conversation's messages, events and claims: what a failed turn must leave as it was. */
  const traces = async (id: string) => ({
    messages: await count('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [id]),
    events: await count('SELECT count(*)::int AS n FROM events WHERE conversation_id = $1', [id]),
    claims: await count('SELECT count(*)::int AS n FROM interaction_claims WHERE conversation_id = $1', [id]),
    messageCount: await count('SELECT message_count AS n FROM conversations WHERE id = $1', [id]),
  });
  const start = async (app: App) => {
    const res = await createConversation(app, 'acme', key, { service_id: serviceId });
    assert.equal(res.statusCode, 201, res.body);
    return (await ndjsonLines(res))[0].conversation_id as string;
  };

  before(async () => {
    database = await freshDatabase(kind);
    gated = new GatedAnswerer();
    fake = await startFakeLlm({ apiKey: 'sk-test', model: 'gpt-test' });
    const llm = new LlmAnswerer(new OpenAiChat({ baseUrl: fake.baseUrl, apiKey: 'sk-test', model: 'gpt-test', timeoutMs: 5_000, retries: 0 }));
    const cores = {
      gated: createCore(database.db, { keyCacheSeconds: 0, answerer: gated }),
      local: createCore(database.db, { keyCacheSeconds: 0 }),
      llm: createCore(database.db, { keyCacheSeconds: 0, answerer: llm }),
    };
    for (const name of ['gated', 'local', 'llm'] as const) apps[name] = await buildApp({ core: cores[name], logger: log });
    await cores.local.tenancy.createCustomer('acme');
    key = (await cores.local.apiKeys.create({ customerId: 'acme' })).secret;
    serviceId = (await cores.local.agents.create({ customerId: 'acme', profileId: null }, {
      name: 'Bike shop helper', instructions: 'Answer from the help pages.', knowledge: [{ name: 'help.md', content: HELP }],
    })).id;
  });
  after(async () => {
    for (const app of Object.values(apps)) await app?.close();
    await fake?.close();
    await database?.drop();
  });

  it('refuses a second interaction (and finish) from another process while one runs: 409', async () => {
    const id = await start(apps.local);
    const running = interact(apps.gated, 'acme', key, id, { recorded_message: 'Can I return my bike?' });
    await until(() => gated.waiting === 1, 'the first turn to be mid-stream');
    const before = await traces(id);
    assert.match(assertDetail(await interact(apps.local, 'acme', key, id, { recorded_message: 'Hello?' }), 409), /in progress/);
    assertDetail(await apps.local.inject({ method: 'POST', url: `/v1/acme/conversation/${id}/finish/`, headers: { authorization: `Bearer ${key}` } }), 409);
    assert.deepEqual(await traces(id), before);
    gated.release();
    const first = await running;
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(assertPieces((await ndjsonLines(first)).slice(3)).text, 'Let me check that.');
    const next = await interact(apps.local, 'acme', key, id, { recorded_message: 'When are you open?' });
    assert.match(assertPieces((await ndjsonLines(next)).slice(3)).text, /9am to 6pm/);
  });

  it('takes over the claim of a crashed process once its lease has passed, not before', async () => {
    const id = await start(apps.local);
    await database.db.query(`INSERT INTO interaction_claims VALUES ('acme', $1, 'aaaaaaaaaaaaaaaaaaaaaaaa', now() + interval '1 minute')`, [id]);
    assertDetail(await interact(apps.local, 'acme', key, id, { recorded_message: 'Hello?' }), 409);
    await database.db.query(`UPDATE interaction_claims SET expires_at = now() - interval '1 second' WHERE conversation_id = $1`, [id]);
    const res = await interact(apps.local, 'acme', key, id, { recorded_message: 'When are you open?' });
    assert.match(assertPieces((await ndjsonLines(res)).slice(3)).text, /9am to 6pm/);
    assert.equal((await traces(id)).claims, 0);
  });

  it('does not store a turn that lost its claim (its lease lapsed and another turn took over): an error line, 409', async () => {
    const id = await start(apps.local);
    const before = await traces(id);
    const running = interact(apps.gated, 'acme', key, id, { recorded_message: 'Can I return my bike?' });
    await until(() => gated.waiting === 1, 'the turn to be mid-stream');
    await database.db.query(`UPDATE interaction_claims SET interaction_id = 'bbbbbbbbbbbbbbbbbbbbbbbb' WHERE conversation_id = $1`, [id]);
    gated.release();
    const lines = await ndjsonLines(await running);
    assert.deepEqual(lines.at(-1), { type: 'error', http_error_code: 409, error_description: lines.at(-1)!.error_description });
    await database.db.query('DELETE FROM interaction_claims WHERE conversation_id = $1', [id]);
    assert.deepEqual(await traces(id), before);
  });

  it('rolls the whole turn back when the LLM fails mid-stream: an error line, nothing persisted, the next turn works', async () => {
    const id = await start(apps.llm);
    const before = await traces(id);
    fake.script({ pieces: ['Bikes ', 'can be ', 'returned'], errorAfter: 2 });
    const res = await interact(apps.llm, 'acme', key, id, { recorded_message: 'Can I return my bike?' });
    assert.equal(res.statusCode, 200, res.body);
    const lines = await ndjsonLines(res);
    assert.deepEqual(lines.map((l) => l.type), ['user-message-available', 'current-agent-action', 'current-agent-action', 'new-message', 'error']);
    assert.equal(lines[4].http_error_code, 503);
    assert.match(lines[4].error_description as string, /mid-answer/);
    assert.deepEqual(await traces(id), before);
    // The prompt carried the passage that answers, and the next turn persists as usual.
    assert.match(fake.requests.at(-1)!.body.messages[0].content, /30 days/);
    fake.script({ pieces: ['Bikes can be returned ', 'within 30 days.'] });
    const next = await interact(apps.llm, 'acme', key, id, { recorded_message: 'Can I return my bike?' });
    assert.equal(assertPieces((await ndjsonLines(next)).slice(3)).text, 'Bikes can be returned within 30 days.');
    const after = await traces(id);
    assert.deepEqual({ ...after, events: undefined }, { messages: before.messages + 2, messageCount: before.messageCount + 2, claims: 0, events: undefined });
  });

  it('cancels the turn cleanly when the client disconnects mid-stream: nothing persisted, the claim given back', async () => {
    const id = await start(apps.local);
    const before = await traces(id);
    await apps.gated.listen({ host: '127.0.0.1', port: 0 });
    const { port } = apps.gated.server.address() as AddressInfo;
    const form = multipart({ recorded_message: 'Can I return my bike?' });
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1', port, method: 'POST', path: `/v1/acme/conversation/${id}/interact?request_format=text&response_format=text`,
        headers: { authorization: `Bearer ${key}`, ...form.headers },
      }, (res) => {
        let body = '';
        res.on('data', async (chunk: Buffer) => {
          body += chunk.toString();
          if (body.includes('"tool-call-ended"')) {
            await until(() => gated.waiting === 1, 'the turn to wait mid-stream');
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
      req.end(form.payload);
    });
    await until(async () => gated.waiting === 0 && (await traces(id)).claims === 0, 'the cancelled turn to give its claim back');
    assert.deepEqual(await traces(id), before);
    const next = await interact(apps.local, 'acme', key, id, { recorded_message: 'When are you open?' });
    assert.equal(next.statusCode, 200, next.body);
  });
});

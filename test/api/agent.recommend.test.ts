import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { buildApp, type App } from '../../src/api/http.ts';
import { LlmAnswerer } from '../../src/core/agents/runtime/llm-answerer.ts';
import { createCore } from '../../src/core/index.ts';
import { OpenAiChat } from '../../src/providers/llm/openai-chat.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { startFakeLlm, type FakeLlm } from '../providers/llm/openai-chat-double.ts';
import { assertDetail, assertVendorBody, signIn } from './agent-fixtures.ts';
import { assertPieces, createConversation, finish, HELP, interact, ndjsonLines } from './agent-turns.ts';

const RECOMMEND = { path: '/v1/{organization}/conversation/{conversation_id}/interaction/{interaction_id}/recommend_responses', method: 'post', status: 200 };

forEachDriver('agent surface: recommended responses', (kind) => {
  const ctx = useTestApp(kind);
  let token: string;
  let serviceId: string;
  let fake: FakeLlm;
  let llmApp: App;
  const org = () => ctx.a.customerId;
  /** As Amigo's SDK sends it without a context: no body, no content-type. */
  const recommend = (conversationId: string, interactionId: string, payload?: object, app: App = ctx.app) => app.inject({
    method: 'POST', url: `/v1/${org()}/conversation/${conversationId}/interaction/${interactionId}/recommend_responses`,
    headers: { authorization: `Bearer ${token}`, ...(payload ? {} : { 'content-length': '0' }) },
    ...(payload ? { payload } : {}),
  });
  const start = async (user: string, app: App = ctx.app) => {
    token = (await signIn(ctx, ctx.a, user)).id_token;
    const lines = await ndjsonLines(await createConversation(app, org(), token, { service_id: serviceId }));
    return { conversationId: lines[0].conversation_id as string, interactionId: assertPieces(lines.slice(1)).interactionId };
  };
  const suggestions = async (res: Awaited<ReturnType<typeof recommend>>) => {
    assert.equal(res.statusCode, 200, res.body);
    await assertVendorBody(res.json(), RECOMMEND);
    return res.json().recommended_responses as string[];
  };

  before(async () => {
    serviceId = (await ctx.core.agents.create({ customerId: 'acme', profileId: null }, {
      name: 'Bike shop helper', instructions: 'Answer from the help pages.', knowledge: [{ name: 'help.md', content: HELP }],
    })).id;
    fake = await startFakeLlm({ apiKey: 'sk-test', model: 'gpt-test' });
    const llm = new LlmAnswerer(new OpenAiChat({ baseUrl: fake.baseUrl, apiKey: 'sk-test', model: 'gpt-test', timeoutMs: 5_000, retries: 0 }));
    llmApp = await buildApp({ core: createCore(ctx.database.db, { keyCacheSeconds: 0, answerer: llm }), logger: pino({ level: 'silent' }) });
  });
  after(async () => {
    await llmApp?.close();
    await fake?.close();
  });

  it('suggests questions the knowledge answers, with no body as the SDK sends it, and writes nothing', async () => {
    const { conversationId, interactionId } = await start('rider-1');
    const before = await ctx.snapshot();
    const after = await suggestions(await recommend(conversationId, interactionId));
    assert.deepEqual([...after].sort(), ['Can you tell me about opening hours?', 'Can you tell me about returns?']);
    assert.deepEqual(await ctx.snapshot(), before);
    // A context is accepted (the local agent suggests from the knowledge whatever it says).
    assert.deepEqual((await suggestions(await recommend(conversationId, interactionId, { context: 'A rider with a broken bell' }))).length, 2);
  });

  it('after an answer: the rest of the knowledge, not what was just answered; only for the latest interaction', async () => {
    const { conversationId, interactionId: greeting } = await start('rider-2');
    const answered = assertPieces(await ndjsonLines(await interact(ctx.app, org(), token, conversationId, { recorded_message: 'Can I return my bike?' })));
    assert.match(answered.text, /30 days/);
    assert.deepEqual(await suggestions(await recommend(conversationId, answered.interactionId)), ['Can you tell me about opening hours?']);
    const before = await ctx.snapshot();
    assert.match(assertDetail(await recommend(conversationId, greeting), 400), /latest/);
    assertDetail(await recommend(conversationId, '0123456789abcdef01234567'), 400);
    assert.deepEqual(await ctx.snapshot(), before);
    assert.equal((await finish(ctx.app, org(), token, conversationId)).statusCode, 204);
    assert.match(assertDetail(await recommend(conversationId, answered.interactionId), 400), /finished/);
  });

  it('refuses bad input and other organizations\' conversations, changing nothing', async () => {
    const { conversationId, interactionId } = await start('rider-3');
    const before = await ctx.snapshot();
    assertDetail(await recommend('nope', interactionId), 422);
    assertDetail(await recommend(conversationId, 'nope'), 422);
    assertDetail(await recommend(conversationId, interactionId, { context: '   ' }), 422);
    assertDetail(await recommend(conversationId, interactionId, { context: 42 }), 422);
    assertDetail(await recommend(conversationId, interactionId, { mood: 'happy' }), 422);
    assertDetail(await recommend('0123456789abcdef01234567', interactionId), 404);
    const theirs = await ctx.app.inject({
      method: 'POST', url: `/v1/${ctx.b.customerId}/conversation/${conversationId}/interaction/${interactionId}/recommend_responses`,
      headers: { authorization: `Bearer ${ctx.b.key}` },
    });
    assertDetail(theirs, 404);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('asks the LLM with the context and the conversation; a malformed answer is 503', async () => {
    const { conversationId, interactionId } = await start('rider-4', llmApp);
    fake.reply({ recommended_responses: [' When are you open? ', 'When are you open?', 'Can I return my bike?', 'Do you fix brakes?', 'Hi'] });
    const got = await suggestions(await recommend(conversationId, interactionId, { context: 'A commuter whose bike is new' }, llmApp));
    assert.deepEqual(got, ['When are you open?', 'Can I return my bike?', 'Do you fix brakes?']);
    const sent = fake.requests.at(-1)!.body;
    assert.deepEqual(sent.response_format, { type: 'json_object' });
    assert.match(sent.messages[0].content, /A commuter whose bike is new/);
    assert.match(sent.messages[1].content, /Agent: Hello, I'm Bike shop helper/);
    fake.reply('not json');
    assertDetail(await recommend(conversationId, interactionId, undefined, llmApp), 503);
  });
});

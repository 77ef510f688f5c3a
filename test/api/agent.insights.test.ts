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
import { assertPieces, createConversation, HELP, interact, ndjsonLines } from './agent-turns.ts';

const INSIGHTS = { path: '/v1/{organization}/conversation/{conversation_id}/interaction/{interaction_id}/insights', method: 'get', status: 200 };
const QUESTION = 'How many days do I have to return a bike?';

forEachDriver('agent surface: interaction insights', (kind) => {
  const ctx = useTestApp(kind);
  let token: string;
  let plainId: string;
  let statefulId: string;
  const org = () => ctx.a.customerId;
  const insights = (conversationId: string, interactionId: string, app: App = ctx.app, bearer = token) => app.inject({
    method: 'GET', url: `/v1/${org()}/conversation/${conversationId}/interaction/${interactionId}/insights`,
    headers: { authorization: `Bearer ${bearer}` },
  });
  /** A conversation with `serviceId` (its opening turn), then one question answered. */
  const converse = async (serviceId: string, user: string, app: App = ctx.app) => {
    token = (await signIn(ctx, ctx.a, user)).id_token;
    const created = await ndjsonLines(await createConversation(app, org(), token, { service_id: serviceId }));
    const conversationId = created[0].conversation_id as string;
    const opening = assertPieces(created.slice(1)).interactionId;
    const answered = assertPieces(await ndjsonLines(await interact(app, org(), token, conversationId, { recorded_message: QUESTION })));
    return { conversationId, opening, answered: answered.interactionId };
  };
  const body = async (res: Awaited<ReturnType<typeof insights>>) => {
    assert.equal(res.statusCode, 200, res.body);
    await assertVendorBody(res.json(), INSIGHTS);
    return res.json();
  };

  before(async () => {
    plainId = (await ctx.core.agents.create({ customerId: 'acme', profileId: null }, {
      name: 'Bike shop helper', instructions: 'Answer from the help pages.', knowledge: [{ name: 'help.md', content: HELP }],
    })).id;
    statefulId = (await ctx.core.agents.create({ customerId: 'acme', profileId: null }, {
      name: 'Returns desk', instructions: 'Help with returns.', knowledge: [{ name: 'help.md', content: HELP }],
      states: [{ name: 'returns', objective: 'Settle the rider\'s return', action: 'Explain the return rules' }],
    })).id;
  });

  it('tells the state, the passages retrieved and the search of an answered interaction', async () => {
    const { conversationId, answered } = await converse(plainId, 'rider-1');
    const got = await body(await insights(conversationId, answered));
    assert.equal(got.current_state_name, 'answer');
    assert.equal(got.current_state_objective, 'Answer from the help pages.');
    assert.ok(got.working_memory.length >= 1);
    assert.deepEqual(got.working_memory[0], { content: 'Bikes can be returned within 30 days for a full refund.', context: 'help.md › Returns' });
    assert.equal(got.state_transition_logs.length, 1);
    const [recall] = got.state_transition_logs;
    assert.equal(recall.type, 'recall');
    assert.deepEqual(recall.performed_queries, [QUESTION]);
    assert.deepEqual(recall.previous_service_hierarchical_state_machine_version_info, [plainId, 1]);
    const [[search]] = got.engage_user_tool_call_logs;
    assert.equal(search.tool_name, 'knowledge-search');
    assert.equal(search.tool_version, 'local-retrieval');
    assert.deepEqual(search.input, { limit: got.working_memory.length, query: QUESTION });
    assert.equal(search.output, null);
    assert.ok(search.duration >= 0);
    assert.deepEqual(got.reflections, []);
    assert.equal(got.triggered_dynamic_behavior_set_version_info, null);
  });

  it('names the agent\'s configured state, and gives the opening turn no search', async () => {
    const { conversationId, opening, answered } = await converse(statefulId, 'rider-2');
    const state = await body(await insights(conversationId, answered));
    assert.deepEqual([state.current_state_name, state.current_state_objective, state.current_state_action], ['returns', 'Settle the rider\'s return', 'Explain the return rules']);
    const greeting = await body(await insights(conversationId, opening));
    assert.equal(greeting.current_state_name, 'returns');
    assert.deepEqual([greeting.working_memory, greeting.state_transition_logs, greeting.engage_user_tool_call_logs], [[], [], []]);
  });

  it('keeps no conversation text with the record: a redacted question is redacted in the insights too', async () => {
    const { conversationId, answered } = await converse(plainId, 'rider-3');
    const [row] = await ctx.database.db.query<{ record: unknown }>(
      'SELECT record FROM interaction_records WHERE customer_id = $1 AND conversation_id = $2 AND interaction_id = $3', ['acme', conversationId, answered],
    );
    assert.doesNotMatch(JSON.stringify(row.record), /How many days/);
    const [input] = (await ctx.core.messages.list({ customerId: 'acme', id: conversationId }, { pageSize: 10, descending: false })).messages
      .filter((m) => m.metadata.interactionId === answered && m.speaker === 'VISITOR');
    const caller = { customerId: 'acme', keyId: 'k', profileId: null, agentId: null, scopes: ['*'] };
    await ctx.core.messages.redact(caller, { customerId: 'acme', id: conversationId }, input.id, { startIndex: 0, endIndex: 'How many days'.length });
    const got = await body(await insights(conversationId, answered));
    assert.deepEqual(got.state_transition_logs[0].performed_queries, [`${'*'.repeat('How many days'.length)} do I have to return a bike?`]);
  });

  it('logs the model call of the LLM runtime, with its duration and without its words', async () => {
    const fake: FakeLlm = await startFakeLlm({ apiKey: 'sk-test', model: 'gpt-test' });
    const llm = new LlmAnswerer(new OpenAiChat({ baseUrl: fake.baseUrl, apiKey: 'sk-test', model: 'gpt-test', timeoutMs: 5_000, retries: 0 }));
    const app = await buildApp({ core: createCore(ctx.database.db, { keyCacheSeconds: 0, answerer: llm }), logger: pino({ level: 'silent' }) });
    after(async () => {
      await app.close();
      await fake.close();
    });
    fake.script({ pieces: ['You have ', '30 days.'] });
    const { conversationId, answered } = await converse(plainId, 'rider-4', app);
    const got = await body(await insights(conversationId, answered, app));
    const names = got.engage_user_tool_call_logs[0].map((call: { tool_name: string }) => call.tool_name);
    assert.deepEqual(names, ['knowledge-search', 'chat.completions gpt-test']);
    const model = got.engage_user_tool_call_logs[0][1];
    assert.equal(model.output, null);
    assert.equal(model.tool_version, 'llm:gpt-test');
    assert.doesNotMatch(JSON.stringify(model.input), /return a bike|30 days/);
  });

  it('refuses an interaction the conversation does not have, another tenant\'s, and a malformed id, changing nothing', async () => {
    const { conversationId, answered } = await converse(plainId, 'rider-5');
    // Signing in creates globex's end user: before the snapshot, so only the refusals are compared.
    const other = await signIn(ctx, ctx.b, 'rider-5');
    const before = await ctx.snapshot();
    assertDetail(await insights(conversationId, '0123456789abcdef01234567'), 404);
    assert.equal((await insights(conversationId, 'not-an-id')).statusCode, 422);
    const foreign = await ctx.app.inject({
      method: 'GET', url: `/v1/${ctx.b.customerId}/conversation/${conversationId}/interaction/${answered}/insights`,
      headers: { authorization: `Bearer ${other.id_token}` },
    });
    assert.equal(foreign.statusCode, 404);
    assert.deepEqual(await ctx.snapshot(), before);
  });
});

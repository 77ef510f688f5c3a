import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { unknownAnswer } from '../../src/core/agents/runtime/answerer.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { assertDetail, signIn } from './agent-fixtures.ts';
import { assertPieces, createConversation, finish, HELP, interact, ndjsonLines } from './agent-turns.ts';

forEachDriver('agent surface: simulate an interaction, persisting nothing', (kind) => {
  const ctx = useTestApp(kind);
  let token: string;
  let serviceId: string;
  let conversationId: string;
  let greeting: string;
  /** "Can I return my bike?" and "Do you sell bells?", answered at version 1. */
  const asked = { returns: '', bells: '' };
  const org = () => ctx.a.customerId;
  const simulate = (interactionId: string, payload?: object, query = '') => ctx.app.inject({
    method: 'POST', url: `/v1/${org()}/conversation/${conversationId}/interaction/${interactionId}/simulate${query}`,
    headers: { authorization: `Bearer ${token}`, ...(payload ? {} : { 'content-length': '0' }) },
    ...(payload ? { payload } : {}),
  });

  before(async () => {
    token = (await signIn(ctx, ctx.a, 'rider-9')).id_token;
    serviceId = (await ctx.core.agents.create({ customerId: 'acme', profileId: null }, {
      name: 'Bike shop helper', instructions: 'Answer from the help pages.', knowledge: [{ name: 'help.md', content: HELP }],
    })).id;
    const created = await ndjsonLines(await createConversation(ctx.app, org(), token, { service_id: serviceId }));
    conversationId = created[0].conversation_id as string;
    greeting = assertPieces(created.slice(1)).interactionId;
    const returns = assertPieces(await ndjsonLines(await interact(ctx.app, org(), token, conversationId, { recorded_message: 'Can I return my bike?' })));
    asked.returns = returns.interactionId;
    const bells = assertPieces(await ndjsonLines(await interact(ctx.app, org(), token, conversationId, { recorded_message: 'Do you sell bells?' })));
    assert.equal(bells.text, unknownAnswer());
    asked.bells = bells.interactionId;
    // Version 2 knows about bells; the conversation keeps running version 1.
    await ctx.core.knowledge.add({ customerId: 'acme', profileId: null }, serviceId, [{ name: 'bells.md', content: '# Bells\nWe sell bells for 5 dollars.' }]);
  });

  it('re-answers the interaction\'s user message as interact streams it, and stores nothing', async () => {
    const before = await ctx.snapshot();
    const res = await simulate(asked.returns);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
    const lines = await ndjsonLines(res);
    assert.deepEqual(lines.map((l) => l.type).slice(0, 3), ['user-message-available', 'current-agent-action', 'current-agent-action']);
    const [original] = (await ctx.database.db.query<{ id: string }>(
      `SELECT id FROM messages WHERE conversation_id = $1 AND text = 'Can I return my bike?'`, [conversationId],
    ));
    assert.deepEqual(lines[0], { type: 'user-message-available', message_id: original.id, user_message: 'Can I return my bike?' });
    const { text, interactionId, messageId } = assertPieces(lines.slice(3));
    assert.match(text, /30 days/);
    assert.equal(interactionId, asked.returns);
    assert.equal((await ctx.database.db.query('SELECT 1 FROM messages WHERE id = $1', [messageId])).length, 0);
    assert.deepEqual(await ctx.snapshot(), before);
    // The action filter works as on interact.
    const quiet = await ndjsonLines(await simulate(asked.returns, undefined, '?current_agent_action_type=%5E%24'));
    assert.ok(!quiet.some((l) => l.type === 'current-agent-action'));
  });

  it('answers with another agent version when asked (agent_version), the recorded one otherwise', async () => {
    const before = await ctx.snapshot();
    assert.equal(assertPieces((await ndjsonLines(await simulate(asked.bells, {}))).slice(3)).text, unknownAnswer());
    const newer = await ndjsonLines(await simulate(asked.bells, { agent_version: 2, state_machine_version: 1 }));
    assert.match(assertPieces(newer.slice(3)).text, /bells for 5 dollars/);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('greets again for the opening interaction, and simulates on a finished conversation', async () => {
    const lines = await ndjsonLines(await simulate(greeting));
    assert.ok(!lines.some((l) => l.type === 'user-message-available'));
    assert.match(assertPieces(lines).text, /^Hello, I'm Bike shop helper\./);
    const before = await ctx.snapshot();
    assert.equal((await finish(ctx.app, org(), token, conversationId)).statusCode, 204);
    const afterFinish = await ctx.snapshot();
    assert.notDeepEqual(afterFinish, before);
    assert.match(assertPieces((await ndjsonLines(await simulate(asked.returns))).slice(3)).text, /30 days/);
    assert.deepEqual(await ctx.snapshot(), afterFinish);
  });

  it('refuses bad input, unknown interactions and other organizations, changing nothing', async () => {
    const before = await ctx.snapshot();
    const missing = '0123456789abcdef01234567';
    assertDetail(await simulate(missing), 404);
    assertDetail(await simulate('nope'), 422);
    assertDetail(await simulate(asked.returns, { agent_version: 99 }), 422);
    assertDetail(await simulate(asked.returns, { agent_version: 0 }), 422);
    assertDetail(await simulate(asked.returns, { agent_version: 2 ** 40 }), 422);
    assertDetail(await simulate(asked.returns, { agent_version: 'latest' }), 422);
    assertDetail(await simulate(asked.returns, { model: 'x' }), 422);
    assertDetail(await simulate(asked.returns, undefined, '?current_agent_action_type=%5B'), 422);
    const theirs = await ctx.app.inject({
      method: 'POST', url: `/v1/${ctx.b.customerId}/conversation/${conversationId}/interaction/${asked.returns}/simulate`,
      headers: { authorization: `Bearer ${ctx.b.key}` },
    });
    assertDetail(theirs, 404);
    assert.deepEqual(await ctx.snapshot(), before);
  });
});

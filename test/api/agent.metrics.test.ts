import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pino from 'pino';
import type { Caller } from '../../src/kernel/types.ts';
import { startJobRunner, type JobRunner } from '../../src/jobs/runner.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { assertDetail, assertVendorBody, signIn } from './agent-fixtures.ts';
import { assertPieces, createConversation, finish, HELP, interact, ndjsonLines, until } from './agent-turns.ts';

const acme: Caller = { customerId: 'acme', keyId: 'test', profileId: null, agentId: null, scopes: ['*'] };

forEachDriver('agent surface: post-conversation metrics', (kind) => {
  const ctx = useTestApp(kind);
  let runner: JobRunner;
  let serviceId: string;
  const org = () => ctx.a.customerId;
  const get = (path: string, tenant = ctx.a) => ctx.app.inject({ method: 'GET', url: `/v1/${tenant.customerId}${path}`, headers: tenant.auth });
  const conversation = async (id: string) => (await get(`/conversation/${id}`)).json();
  const metricsOf = async (id: string) => {
    const res = await get(`/conversation/${id}/metrics`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json().metrics as { name: string; value: number; unit: string }[];
  };
  const asRecord = (metrics: { name: string; value: number; unit: string }[]) => Object.fromEntries(metrics.map((m) => [m.name, [m.value, m.unit]]));
  const postProcessingEvents = async (id: string) => ctx.database.db.query<{ payload: Record<string, unknown> }>(
    `SELECT payload FROM events WHERE customer_id = 'acme' AND conversation_id = $1 AND type = 'POST_PROCESSING_COMPLETE' ORDER BY seq`, [id],
  );

  /** A conversation of a fresh end user: the greeting, then one turn per question. */
  async function talk(userId: string, questions: string[]): Promise<{ id: string; token: string }> {
    const token = (await signIn(ctx, ctx.a, userId)).id_token;
    const created = await ndjsonLines(await createConversation(ctx.app, org(), token, { service_id: serviceId }));
    const id = created[0].conversation_id as string;
    assertPieces(created.slice(1));
    for (const question of questions) assertPieces(await ndjsonLines(await interact(ctx.app, org(), token, id, { recorded_message: question })));
    return { id, token };
  }

  async function finished(id: string, token: string): Promise<void> {
    const res = await finish(ctx.app, org(), token, id);
    assert.equal(res.statusCode, 204, res.body);
    await until(async () => (await conversation(id)).completed_post_processings.includes('compute-metrics'), 'compute-metrics completes');
  }

  before(async () => {
    const agent = await ctx.core.agents.create({ customerId: 'acme', profileId: null }, {
      name: 'Bike shop helper', instructions: 'Answer from the help pages.', knowledge: [{ name: 'help.md', content: HELP }],
    });
    serviceId = agent.id;
    runner = startJobRunner({ core: ctx.core, log: pino({ level: 'silent' }), pollMs: 5 });
  });
  after(async () => {
    await runner?.stop();
  });

  let answered: { id: string; token: string };

  it('has no metrics and no post-processing before the conversation is finished', async () => {
    answered = await talk('rider-1', ['Can I return my bike?', 'Can I bring my dog into the shop?']);
    assert.deepEqual(await metricsOf(answered.id), []);
    const got = await conversation(answered.id);
    assert.equal(got.is_analyzed, false);
    assert.deepEqual(got.completed_post_processings, []);
    await assertVendorBody(got, { component: 'ConversationInstance' });
  });

  it('computes the metrics after finish: turns, messages, duration, handoff offers, answered-from-knowledge ratio', async () => {
    await finished(answered.id, answered.token);
    const metrics = await metricsOf(answered.id);
    const byName = asRecord(metrics);
    const duration = byName.duration;
    assert.equal(duration[1], 'seconds');
    assert.ok(typeof duration[0] === 'number' && duration[0] >= 0, `duration ${duration[0]}`);
    assert.deepEqual({ ...byName, duration: undefined }, {
      interactions: [3, 'count'], // the greeting and two answers
      user_messages: [2, 'count'],
      agent_messages: [3, 'count'],
      human_agent_messages: [0, 'count'],
      duration: undefined,
      handoff_offers: [1, 'count'], // "I don't know that … would you like a person?"
      handed_off: [0, 'boolean'],
      answered_from_knowledge_ratio: [0.5, 'ratio'],
    });
    assert.deepEqual(metrics.map((m) => Object.keys(m)), metrics.map(() => ['name', 'value', 'unit']));
    assert.deepEqual((await postProcessingEvents(answered.id)).map((e) => e.payload), [{ type: 'compute-metrics' }]);
  });

  it('shows completed_post_processings and is_analyzed on get and list, valid against the vendor schemas', async () => {
    await until(async () => (await conversation(answered.id)).is_analyzed === true, 'the insights analysis completes');
    const got = await conversation(answered.id);
    assert.deepEqual(got.completed_post_processings, ['compute-metrics']);
    await assertVendorBody(got, { component: 'ConversationInstance' });
    const listed = await get(`/conversation/?id=${answered.id}`);
    assert.equal(listed.statusCode, 200, listed.body);
    await assertVendorBody(listed.json(), { path: '/v1/{organization}/conversation/', method: 'get', status: 200 });
    const [row] = listed.json().conversations;
    assert.deepEqual([row.is_analyzed, row.completed_post_processings], [true, ['compute-metrics']]);
  });

  it('computes once: a repeated job leaves the metrics and writes no second event', async () => {
    const before = await metricsOf(answered.id);
    assert.equal(await ctx.core.postProcessing.computeMetrics('acme', answered.id, 'another-job'), 'already-done');
    assert.deepEqual(await metricsOf(answered.id), before);
    assert.equal((await postProcessingEvents(answered.id)).length, 1);
    assert.deepEqual(await ctx.core.postProcessing.completedPostProcessingsOf(acme, answered.id), ['compute-metrics']);
    // A job for a conversation deleted meanwhile, or keyed to another customer, ends quietly and writes nothing.
    assert.equal(await ctx.core.postProcessing.computeMetrics('acme', '0'.repeat(24), 'gone-job'), 'conversation-gone');
    assert.equal(await ctx.core.postProcessing.computeMetrics('globex', answered.id, 'other-job'), 'conversation-gone');
  });

  it('counts a handoff to a person and the person\'s messages', async () => {
    const { id, token } = await talk('rider-2', ['When are you open?']);
    await ctx.core.conversations.setMode(acme, { customerId: 'acme', id }, 'MANUAL');
    await ctx.core.messages.append(acme, { customerId: 'acme', id }, [{ text: 'Hi, Sam from the shop here.', speaker: 'AGENT' }]);
    await finished(id, token);
    const byName = asRecord(await metricsOf(id));
    assert.deepEqual(
      [byName.handed_off, byName.human_agent_messages, byName.handoff_offers, byName.answered_from_knowledge_ratio],
      [[1, 'boolean'], [1, 'count'], [0, 'count'], [1, 'ratio']],
    );
  });

  it('measures only conversations with an agent: one closed on another surface without one gets none', async () => {
    const started = await ctx.app.inject({
      method: 'POST', url: '/v1/customers/acme/profiles/default/conversations/no-agent-1:start', headers: ctx.a.auth, payload: { displayName: 'plain' },
    });
    assert.equal(started.statusCode, 200, started.body);
    const [{ id }] = await ctx.database.db.query<{ id: string }>(`SELECT id FROM conversations WHERE customer_id = 'acme' AND name_id = 'no-agent-1'`);
    await ctx.core.conversations.setState(acme, { customerId: 'acme', id }, 'CLOSED');
    await runner.drain();
    assert.deepEqual(await metricsOf(id), []);
    assert.deepEqual((await conversation(id)).completed_post_processings, []);
  });

  it('is 404 for another tenant\'s conversation and an unknown one, changing nothing', async () => {
    const snapshot = await ctx.snapshot();
    assertDetail(await get(`/conversation/${answered.id}/metrics`, ctx.b), 404);
    assertDetail(await get(`/conversation/${'0'.repeat(24)}/metrics`), 404);
    assertDetail(await get('/conversation/not-an-id/metrics'), 422);
    assert.deepEqual(await ctx.snapshot(), snapshot);
  });
});

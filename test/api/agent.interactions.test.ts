import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { unknownAnswer } from '../../src/core/agents/runtime/answerer.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { assertDetail, signIn } from './agent-fixtures.ts';
import { assertPieces, createConversation, finish, HELP, interact, ndjsonLines } from './agent-turns.ts';

forEachDriver('agent surface: create, interact and finish with the local agent', (kind) => {
  const ctx = useTestApp(kind);
  let token: string;
  let serviceId: string;
  const org = () => ctx.a.customerId;
  const rows = async (sql: string, params: unknown[] = []) => ctx.database.db.query<Record<string, unknown>>(sql, params);

  before(async () => {
    token = (await signIn(ctx, ctx.a, 'rider-1')).id_token;
    const agent = await ctx.core.agents.create({ customerId: 'acme', profileId: null }, {
      name: 'Bike shop helper', instructions: 'Answer from the help pages.', knowledge: [{ name: 'help.md', content: HELP }],
    });
    serviceId = agent.id;
  });

  let conversationId: string;

  it('creates a conversation: 201 NDJSON, conversation-created then the greeting in pieces, recorded version', async () => {
    const res = await createConversation(ctx.app, org(), token, { service_id: serviceId, tags: { channel: 'web', vip: null } });
    assert.equal(res.statusCode, 201, res.body);
    assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
    const lines = await ndjsonLines(res);
    assert.equal(lines[0].type, 'conversation-created');
    conversationId = lines[0].conversation_id as string;
    assert.match(conversationId, /^[a-f0-9]{24}$/);
    assert.ok(!lines.some((l) => l.type === 'user-message-available'));
    const { text, interactionId } = assertPieces(lines.slice(1));
    assert.equal(text, "Hello, I'm Bike shop helper. I can help with help. How can I help you?");
    const got = await ctx.app.inject({ method: 'GET', url: `/v1/${org()}/conversation/${conversationId}`, headers: { authorization: `Bearer ${token}` } });
    const conversation = got.json();
    assert.equal(conversation.user_id, 'rider-1');
    assert.equal(conversation.service_id, serviceId);
    assert.equal(conversation.agent_name, 'Bike shop helper');
    assert.equal(conversation.num_messages, 1);
    assert.deepEqual(conversation.tags, { channel: 'web', vip: null });
    const messages = (await ctx.app.inject({ method: 'GET', url: `/v1/${org()}/conversation/${conversationId}/messages/`, headers: { authorization: `Bearer ${token}` } })).json();
    assert.deepEqual(messages.messages.map((m: Record<string, unknown>) => [m.message_type, m.interaction_id, m.message, m.sender]), [
      ['agent-message', interactionId, text, 'Bike shop helper'],
    ]);
    const [version] = await rows('SELECT agent_version AS v, agent_version_set AS s FROM conversations WHERE id = $1', [conversationId]);
    assert.deepEqual(version, { v: 1, s: 'release' });
  });

  it('refuses a second unfinished conversation of the same user with the same service (400), changing nothing', async () => {
    const before = await ctx.snapshot();
    assertDetail(await createConversation(ctx.app, org(), token, { service_id: serviceId }), 400);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('interacts: user-message-available, the knowledge search as actions, pieces, interaction-complete; grounded in the knowledge', async () => {
    const res = await interact(ctx.app, org(), token, conversationId, { recorded_message: 'Can I return my bike?', initial_message_type: 'user-message' });
    assert.equal(res.statusCode, 200, res.body);
    const lines = await ndjsonLines(res);
    assert.deepEqual(lines.map((l) => l.type).slice(0, 3), ['user-message-available', 'current-agent-action', 'current-agent-action']);
    assert.equal(lines[0].user_message, 'Can I return my bike?');
    assert.deepEqual([lines[1].action, lines[2].action].map((a) => (a as { type: string }).type), ['tool-call-started', 'tool-call-ended']);
    const { text, interactionId, messageId } = assertPieces(lines.slice(3));
    assert.match(text, /30 days/);
    const messages = (await ctx.app.inject({
      method: 'GET', url: `/v1/${org()}/conversation/${conversationId}/messages/?interaction_id=${interactionId}`, headers: { authorization: `Bearer ${token}` },
    })).json().messages;
    assert.deepEqual(messages.map((m: Record<string, unknown>) => [m.id, m.message_type, m.message]), [
      [lines[0].message_id, 'user-message', 'Can I return my bike?'],
      [messageId, 'agent-message', text],
    ]);
  });

  it('says plainly it does not know what the knowledge does not answer, inventing nothing', async () => {
    const res = await interact(ctx.app, org(), token, conversationId, { recorded_message: 'Can I bring my dog into the shop?' }, 'request_format=text&response_format=text&current_agent_action_type=%5E%24');
    const lines = await ndjsonLines(res);
    assert.ok(!lines.some((l) => l.type === 'current-agent-action'), 'filtered out by ^$');
    assert.equal(assertPieces(lines.slice(1)).text, unknownAnswer());
  });

  it('sends only the actions matching current_agent_action_type', async () => {
    const res = await interact(ctx.app, org(), token, conversationId, { recorded_message: 'When are you open?' }, 'request_format=text&response_format=text&current_agent_action_type=ended%24');
    const lines = await ndjsonLines(res);
    assert.deepEqual(lines.filter((l) => l.type === 'current-agent-action').map((l) => (l.action as { type: string }).type), ['tool-call-ended']);
    assert.match(assertPieces(lines.slice(2)).text, /9am to 6pm/);
  });

  it('refuses bad input before anything streams, changing nothing', async () => {
    const before = await ctx.snapshot();
    const q = 'request_format=text&response_format=text';
    assertDetail(await interact(ctx.app, org(), token, conversationId, {}), 422, 'no recorded_message');
    assertDetail(await interact(ctx.app, org(), token, conversationId, { recorded_message: 'hi', initial_message_type: 'agent-message' }), 422, 'bad type');
    assertDetail(await interact(ctx.app, org(), token, conversationId, { recorded_message: 'hi', extra: 'x' }), 422, 'unknown field');
    assertDetail(await interact(ctx.app, org(), token, conversationId, { recorded_message: 'hi' }, 'response_format=text'), 422, 'no request_format');
    assertDetail(await interact(ctx.app, org(), token, conversationId, { recorded_message: 'hi' }, 'request_format=voice&response_format=text'), 415, 'a form where a recording belongs');
    assertDetail(await interact(ctx.app, org(), token, conversationId, { recorded_message: 'hi' }, `${q}&current_agent_action_type=(`), 422, 'bad regex');
    assertDetail(await interact(ctx.app, org(), token, 'f'.repeat(24), { recorded_message: 'hi' }), 404, 'unknown conversation');
    assertDetail(await interact(ctx.app, org(), token, 'nope', { recorded_message: 'hi' }), 422, 'bad id');
    assertDetail(await interact(ctx.app, 'globex', token, conversationId, { recorded_message: 'hi' }), 404, 'other organization');
    const json = await ctx.app.inject({
      method: 'POST', url: `/v1/${org()}/conversation/${conversationId}/interact?${q}`,
      headers: { authorization: `Bearer ${token}` }, payload: { recorded_message: 'hi' },
    });
    assert.equal(json.statusCode, 415, json.body);
    for (const [body, query, status] of [
      [{ service_id: 'nope' }, 'response_format=text', 422],
      [{ service_id: 'f'.repeat(24) }, 'response_format=text', 404],
      [{ service_id: serviceId }, '', 422],
      [{ service_id: serviceId }, 'response_format=voice', 400],
      [{ service_id: serviceId, initial_message_type: 'user-message' }, 'response_format=text', 422],
      [{ service_id: serviceId, service_version_set_name: 'beta' }, 'response_format=text', 422],
      [{ service_id: serviceId, tags: { 'bad:key': 'x' } }, 'response_format=text', 422],
    ] as const) {
      const res = await createConversation(ctx.app, org(), ctx.a.key, body, query);
      assertDetail(res, status, JSON.stringify(body) + query);
    }
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('finishes through the lifecycle: 204, then 409 to finish or interact again; a new conversation may start', async () => {
    const res = await finish(ctx.app, org(), token, conversationId);
    assert.equal(res.statusCode, 204, res.body);
    const [row] = await rows('SELECT state, close_reason AS reason FROM conversations WHERE id = $1', [conversationId]);
    assert.deepEqual(row, { state: 'CLOSED', reason: 'COMPLETED' });
    const before = await ctx.snapshot();
    assertDetail(await finish(ctx.app, org(), token, conversationId), 409);
    assertDetail(await interact(ctx.app, org(), token, conversationId, { recorded_message: 'hello?' }), 409);
    assert.deepEqual(await ctx.snapshot(), before);
    const again = await createConversation(ctx.app, org(), token, { service_id: serviceId, initial_message: 'When are you open?' });
    assert.equal(again.statusCode, 201, again.body);
    const lines = await ndjsonLines(again);
    assert.match(assertPieces(lines.slice(1)).text, /9am to 6pm/);
    const id = lines[0].conversation_id as string;
    const messages = (await ctx.app.inject({ method: 'GET', url: `/v1/${org()}/conversation/${id}/messages/`, headers: { authorization: `Bearer ${token}` } })).json().messages;
    assert.deepEqual(messages.map((m: Record<string, unknown>) => m.message_type), ['user-message', 'agent-message']);
    assert.equal(messages[0].interaction_id, messages[1].interaction_id);
  });

  it('is an ordinary conversation: read on the conversations and ingest surfaces, its events in the event log', async () => {
    const res = await createConversation(ctx.app, org(), ctx.a.key, { service_id: serviceId });
    const id = (await ndjsonLines(res))[0].conversation_id as string;
    const cresta = await ctx.app.inject({ method: 'GET', url: `/v1/customers/acme/profiles/default/conversations/${id}`, headers: ctx.a.auth });
    assert.equal(cresta.statusCode, 200, cresta.body);
    assert.equal(cresta.json().conversation.uid, id, cresta.body);
    assert.equal(cresta.json().conversation.source, 'AI_AGENT');
    const ingest = await ctx.app.inject({ method: 'GET', url: `/api/v1/conversations/conv_${id}`, headers: ctx.a.auth });
    assert.equal(ingest.statusCode, 200, ingest.body);
    const events = await rows('SELECT type FROM events WHERE conversation_id = $1 ORDER BY seq', [id]);
    assert.deepEqual(events.map((e) => e.type), ['CONVERSATION_START', 'MESSAGE_CREATE']);
  });

  it('finish: 400 for a conversation with messages but no interaction; one without messages is deleted', async () => {
    const started = await ctx.app.inject({
      method: 'POST', url: '/v1/customers/acme/profiles/default/conversations/plain-1:start', headers: ctx.a.auth, payload: {},
    });
    const plain = started.json().uid as string;
    const before = await ctx.snapshot();
    // No messages: deleted, as Amigo does.
    assert.equal((await finish(ctx.app, org(), ctx.a.key, plain)).statusCode, 204);
    assert.equal((await rows('SELECT 1 FROM conversations WHERE id = $1', [plain])).length, 0);
    const other = (await ctx.app.inject({
      method: 'POST', url: '/v1/customers/acme/profiles/default/conversations/plain-2:start', headers: ctx.a.auth, payload: {},
    })).json().uid as string;
    await ctx.app.inject({ method: 'POST', url: `/v1/customers/acme/profiles/default/conversations/${other}/conversationMessages`, headers: ctx.a.auth, payload: { text: 'hi', speaker: 'VISITOR' } });
    const mid = await ctx.snapshot();
    assertDetail(await finish(ctx.app, org(), ctx.a.key, other), 400);
    assertDetail(await interact(ctx.app, org(), ctx.a.key, other, { recorded_message: 'hi' }), 400, 'no service');
    assert.deepEqual(await ctx.snapshot(), mid);
    assert.ok(before.conversations >= 0);
  });
});

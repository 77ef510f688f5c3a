import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import pino from 'pino';
import { startJobRunner } from '../../src/jobs/runner.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { agentKey, supportAgent, supportCall, type SupportCall } from './support-fixtures.ts';
import { signIn } from './agent-fixtures.ts';
import { createConversation, ndjsonLines } from './agent-turns.ts';

forEachDriver('support surface: one conversation on every surface', (kind) => {
  const ctx = useTestApp(kind);
  let call: SupportCall;
  let key: string;
  let agentId: string;
  /** The raia conversation's UUID and its Parley id. */
  let wire: string;
  let id: string;

  before(async () => {
    agentId = await supportAgent(ctx);
    key = await agentKey(ctx, agentId);
    call = supportCall(ctx, key);
    const created = (await call('POST', '/conversations', { conversationUserId: 'rider-9', title: 'Cross-surface' })).json();
    wire = created.id;
    id = created.aiConversationId;
    const asked = await call('POST', `/conversations/${wire}/messages`, { message: 'Can I return my bike?' });
    assert.equal(asked.statusCode, 201, asked.body);
  });

  it('is read through the conversations surface (Cresta), with the same messages', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/customers/acme/profiles/default/conversations/${id}`, headers: ctx.a.auth });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().conversation.displayName, 'Cross-surface');
    assert.equal(res.json().conversation.source, 'SUPPORT_DESK');
    const messages = await ctx.app.inject({ method: 'GET', url: `/v1/customers/acme/profiles/default/conversations/${id}/conversationMessages`, headers: ctx.a.auth });
    assert.deepEqual(messages.json().conversationMessages.map((m: { speaker: string }) => m.speaker), ['VISITOR', 'VIRTUAL_AGENT']);
  });

  it('is read through the agent surface (Amigo) with the agent\'s key, as the agent\'s conversation', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/acme/conversation/${id}`, headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().service_id, agentId);
    const messages = await ctx.app.inject({ method: 'GET', url: `/v1/acme/conversation/${id}/messages/`, headers: { authorization: `Bearer ${key}` } });
    assert.equal(messages.json().messages.length, 2);
  });

  it('is read through the ingest surface (Converra)', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/conversations/conv_${id}`, headers: ctx.a.auth });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().messages.length, 2);
  });

  it('shows a handoff made on the support desk on the other surfaces, and the agent surface\'s end user is the same person', async () => {
    await call('PUT', `/conversations/${wire}/mode`, { mode: 'manual' });
    const events = await ctx.app.inject({ method: 'GET', url: `/v1/customers/acme/profiles/default/conversations/${id}/events`, headers: ctx.a.auth });
    assert.equal(events.statusCode, 200, events.body);
    assert.ok(events.json().conversationEvents.some((e: { type: string }) => e.type === 'CONVERSATION_TRANSFER'), events.body);
    // An Amigo end user signed in as "rider-9" talks to the agent (once the desk's conversation with
    // them is archived: Amigo allows one unfinished conversation per user and agent, across surfaces)
    // and the desk lists that conversation under the same user.
    await call('PUT', `/conversations/${wire}`, { status: 'archived' });
    const token = (await signIn(ctx, ctx.a, 'rider-9')).id_token;
    const created = await ndjsonLines(await createConversation(ctx.app, 'acme', token, { service_id: agentId }));
    const amigoConversation = created[0].conversation_id as string;
    const listed = (await call('GET', '/conversations?userId=rider-9&pageSize=100')).json();
    assert.deepEqual(new Set(listed.data.map((c: { aiConversationId: string }) => c.aiConversationId)), new Set([id, amigoConversation]));
    assert.equal(new Set(listed.data.map((c: { conversationUserId: string }) => c.conversationUserId)).size, 1);
  });

  it('hands a start\'s first message to a `conversation.outbound_message` webhook endpoint, with channel, address and text', async () => {
    const endpoint = await ctx.app.inject({
      method: 'POST', url: '/api/v1/webhooks', headers: ctx.a.auth,
      payload: { url: 'https://93.184.215.14/outbound', events: ['conversation.outbound_message'] },
    });
    assert.equal(endpoint.statusCode, 201, endpoint.body);
    const started = await call('POST', '/conversations/start', {
      channel: 'sms', firstName: 'Sam', lastName: 'Ess', phoneNumber: '+1 555 555 0199', smsIntroduction: 'Hi Sam, your bike is ready.',
    });
    assert.equal(started.statusCode, 201, started.body);
    const runner = startJobRunner({ core: ctx.core, log: pino({ level: 'silent' }), pollMs: 5, queues: {} });
    try {
      await runner.drain();
    } finally {
      await runner.stop();
    }
    const [delivery] = await ctx.database.db.query<{ body: string; event_type: string }>(
      `SELECT body, event_type FROM webhook_deliveries WHERE event_type = 'conversation.outbound_message'`,
    );
    assert.ok(delivery, 'one delivery planned');
    const body = JSON.parse(delivery.body);
    assert.equal(body.type, 'conversation.outbound_message');
    assert.deepEqual({ channel: body.data.channel, to: body.data.to, message: body.data.message }, {
      channel: 'sms', to: '+15555550199', message: 'Hi Sam, your bike is ready.',
    });
  });
});

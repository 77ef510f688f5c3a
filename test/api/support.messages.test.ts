import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { buildApp } from '../../src/api/http.ts';
import { createCore } from '../../src/core/index.ts';
import { startJobRunner, type JobRunner } from '../../src/jobs/runner.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { agentKey, assertRaiaBody, assertRaiaError, supportAgent, supportCall, type SupportCall } from './support-fixtures.ts';

const NOT_MANUAL = 'Conversation must be in manual mode and not a voice conversation.';
type WireMessage = { id: string; message: string; senderRole: string; conversationMessageId: string; source: string };

forEachDriver('support surface: messages, async replies and the handoff', (kind) => {
  const ctx = useTestApp(kind);
  let call: SupportCall;
  let agentId: string;
  let runner: JobRunner | undefined;

  before(async () => {
    agentId = await supportAgent(ctx);
    // The agent hands a question its knowledge cannot answer to a human.
    await ctx.core.agents.update({ customerId: 'acme', profileId: null, agentId: null, what: 'agent' }, agentId, { handOff: true });
    await ctx.core.agents.release({ customerId: 'acme', profileId: null, agentId: null, what: 'agent' }, agentId);
    call = supportCall(ctx, await agentKey(ctx, agentId));
  });
  after(async () => {
    await runner?.stop();
  });

  const conversation = async (userId = 'rider-1') => (await call('POST', '/conversations', { conversationUserId: userId })).json().id as string;
  /** Runs the background jobs due now, then stops: between two calls no job runs behind a test's back. */
  const jobs = async () => {
    runner = startJobRunner({ core: ctx.core, log: pino({ level: 'silent' }), pollMs: 5 });
    try {
      await runner.drain();
    } finally {
      await runner.stop();
      runner = undefined;
    }
  };

  it('answers a message now (201, the agent\'s reply naming the question) and lists the transcript in order', async () => {
    const id = await conversation();
    const res = await call('POST', `/conversations/${id}/messages`, { message: 'Can I return my bike?', context: 'asked from the app' });
    assert.equal(res.statusCode, 201, res.body);
    await assertRaiaBody(res.json(), { path: '/external/conversations/{id}/messages', method: 'post', status: 201 });
    const reply = res.json() as WireMessage;
    assert.equal(reply.senderRole, 'assistant');
    assert.match(reply.message, /30 days/);
    const listed = await call('GET', `/conversations/${id}/messages`);
    assert.equal(listed.statusCode, 200, listed.body);
    await assertRaiaBody(listed.json(), { path: '/external/conversations/{id}/messages', method: 'get', status: 200 });
    const messages = listed.json().messages as WireMessage[];
    assert.deepEqual(messages.map((m) => [m.senderRole, m.source]), [['conversation_user', 'api'], ['assistant', 'api']]);
    assert.equal(messages[1].id, reply.id);
    assert.equal(reply.conversationMessageId, messages[0].id);
    assert.equal(messages[0].conversationMessageId, messages[0].id);
    const descending = (await call('GET', `/conversations/${id}/messages?orderDirection=DESC`)).json().messages as WireMessage[];
    assert.deepEqual(descending.map((m) => m.id), messages.map((m) => m.id).reverse());
  });

  it('answers later: 201 with the question, the poll pending until the job answers, then completed with the reply', async () => {
    const id = await conversation();
    const res = await call('POST', `/conversations/${id}/messages/async`, { message: 'How many days do I have to return a bike?' });
    assert.equal(res.statusCode, 201, res.body);
    await assertRaiaBody(res.json(), { path: '/external/conversations/{id}/messages/async', method: 'post', status: 201 });
    const question = res.json() as WireMessage;
    assert.equal(question.senderRole, 'conversation_user');
    const poll = () => call('GET', `/conversations/${id}/messages/${question.id}/response-on`);
    const pending = await poll();
    assert.equal(pending.statusCode, 200, pending.body);
    await assertRaiaBody(pending.json(), { path: '/external/conversations/{id}/messages/{questionMessageId}/response-on', method: 'get', status: 200 });
    assert.deepEqual(pending.json(), { status: 'pending', message: null, error: null });
    await jobs();
    const done = (await poll()).json();
    await assertRaiaBody(done, { path: '/external/conversations/{id}/messages/{questionMessageId}/response-on', method: 'get', status: 200 });
    assert.equal(done.status, 'completed');
    assert.equal(done.message.senderRole, 'assistant');
    assert.equal(done.message.conversationMessageId, question.id);
    assert.equal(done.error, null);
  });

  it('hands off: the agent cannot answer, the conversation goes manual, the poll waits for the human, whose answer completes it', async () => {
    const id = await conversation('rider-handoff');
    const asked = (await call('POST', `/conversations/${id}/messages/async`, { message: 'Do you sell spaceships?' })).json() as WireMessage;
    await jobs();
    const conversationNow = (await call('GET', `/conversations/${id}`)).json();
    assert.equal(conversationNow.mode, 'manual');
    const transfers = await ctx.database.db.query<{ payload: Record<string, unknown> }>(
      `SELECT e.payload FROM events e JOIN conversations c ON c.customer_id = e.customer_id AND c.id = e.conversation_id
        WHERE c.id = $1 AND e.type = 'CONVERSATION_TRANSFER'`, [conversationNow.aiConversationId],
    );
    assert.deepEqual(transfers.map((t) => [t.payload.to, t.payload.by]), [['MANUAL', 'agent']]);
    const poll = () => call('GET', `/conversations/${id}/messages/${asked.id}/response-on`);
    assert.equal((await poll()).json().status, 'pending');
    // In manual mode a new question gets no AI reply, now or later.
    const now = await call('POST', `/conversations/${id}/messages`, { message: 'Hello?' });
    assert.equal(now.statusCode, 201, now.body);
    assert.equal(now.json().senderRole, 'conversation_user');
    await jobs();
    assert.equal((await poll()).json().status, 'pending');
    const human = await call('POST', `/conversations/${id}/send-manual-message`, { message: 'We do not, sorry!', conversationMessageId: asked.id, authorId: 'agent-ann' });
    assert.equal(human.statusCode, 200, human.body);
    await assertRaiaBody(human.json(), { path: '/external/conversations/{id}/send-manual-message', method: 'post', status: 200 });
    assert.equal(human.json().senderRole, 'manual_assistant');
    const done = (await poll()).json();
    assert.equal(done.status, 'completed');
    assert.equal(done.message.id, human.json().id);
    assert.equal(done.message.senderRole, 'manual_assistant');
    const roles = ((await call('GET', `/conversations/${id}/messages`)).json().messages as WireMessage[]).map((m) => m.senderRole);
    assert.deepEqual(roles, ['conversation_user', 'assistant', 'conversation_user', 'manual_assistant']);
    // Handed back, the agent answers again.
    assert.equal((await call('PUT', `/conversations/${id}/mode`, { mode: 'ai' })).json().mode, 'ai');
    assert.equal((await call('POST', `/conversations/${id}/messages`, { message: 'Can I return my bike?' })).json().senderRole, 'assistant');
  });

  it('refuses a human answer unless manual and not a call (400, the vendor\'s message), changing nothing', async () => {
    const id = await conversation();
    const before = await ctx.snapshot();
    const body = await assertRaiaError(await call('POST', `/conversations/${id}/send-manual-message`, { message: 'hi' }), 400);
    assert.equal(body.message, NOT_MANUAL);
    const voice = (await call('POST', '/conversations/start', {
      channel: 'voice', firstName: 'Vo', lastName: 'Ice', phoneNumber: '+15555550100', firstMessage: 'Hello, this is the bike shop.',
    })).json().conversationId as string;
    await call('PUT', `/conversations/${voice}/mode`, { mode: 'manual' });
    const afterVoice = await ctx.snapshot();
    assert.equal((await assertRaiaError(await call('POST', `/conversations/${voice}/send-manual-message`, { message: 'hi' }), 400)).message, NOT_MANUAL);
    assert.deepEqual(await ctx.snapshot(), afterVoice);
    assert.ok(afterVoice.messages > before.messages);
  });

  it('refuses bad messages (400) and unknown conversations or questions (404), changing nothing', async () => {
    const id = await conversation();
    const before = await ctx.snapshot();
    for (const payload of [{}, { message: '' }, { message: 'x'.repeat(32_001) }, { message: 'hi', extra: 1 }, { message: 'hi', files: [{ name: 'a.pdf' }] }]) {
      await assertRaiaError(await call('POST', `/conversations/${id}/messages/async`, payload), 400, JSON.stringify(payload).slice(0, 80));
      await assertRaiaError(await call('POST', `/conversations/${id}/messages`, payload), 400);
    }
    await assertRaiaError(await call('POST', '/conversations/65f0c2a1-b2c3-8d4e-85f6-a7b8c9000000/messages', { message: 'hi' }), 404);
    await assertRaiaError(await call('GET', `/conversations/${id}/messages/65f0c2a1-b2c3-8d4e-85f6-a7b8c9000000/response-on`), 404);
    await assertRaiaError(await call('GET', `/conversations/${id}/messages/nope/response-on`), 404);
    await assertRaiaError(await call('POST', `/conversations/${id}/send-manual-message`, { message: 'hi', conversationMessageId: 'nope' }), 400);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('fails a question whose conversation closed before the agent answered: the poll says failed, with why', async () => {
    const id = await conversation();
    const asked = (await call('POST', `/conversations/${id}/messages/async`, { message: 'Can I return my bike?' })).json() as WireMessage;
    assert.equal((await call('PUT', `/conversations/${id}`, { status: 'archived' })).statusCode, 200);
    await jobs();
    const status = (await call('GET', `/conversations/${id}/messages/${asked.id}/response-on`)).json();
    assert.deepEqual(status, { status: 'failed', message: null, error: 'the conversation was closed before the agent answered' });
    // An archived conversation takes no message, now or later (400), and nothing changes.
    const before = await ctx.snapshot();
    await assertRaiaError(await call('POST', `/conversations/${id}/messages`, { message: 'Hello?' }), 400);
    await assertRaiaError(await call('POST', `/conversations/${id}/messages/async`, { message: 'Hello?' }), 400);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('keeps an async question across a restart: another process answers it', async () => {
    const id = await conversation();
    const asked = (await call('POST', `/conversations/${id}/messages/async`, { message: 'Can I return my bike?' })).json() as WireMessage;
    // A new process on the same database: nothing of the first one's memory, only what was committed.
    const core = createCore(ctx.database.db, { keyCacheSeconds: 0 });
    const app = await buildApp({ core, logger: pino({ level: 'silent' }) });
    const restarted = startJobRunner({ core, log: pino({ level: 'silent' }), pollMs: 5 });
    try {
      await restarted.drain();
      const res = await app.inject({
        method: 'GET', url: `/external/conversations/${id}/messages/${asked.id}/response-on`, headers: { 'agent-secret-key': await agentKey(ctx, agentId) },
      });
      assert.equal(res.json().status, 'completed', res.body);
      assert.match(res.json().message.message, /30 days/);
    } finally {
      await restarted.stop();
      await app.close();
    }
  });
});

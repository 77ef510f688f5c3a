import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { useTestApp } from '../helpers/app.ts';
import { forEachDriver } from '../helpers/db.ts';
import { parseWireId, wireId } from '../../src/api/support/ids.ts';
import { agentConversation, agentKey, assertRaiaBody, assertRaiaError, supportAgent, supportCall, type SupportCall } from './support-fixtures.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/;
const VOTED = { path: '/external/conversation-message-feedbacks', method: 'post', status: 201 };
const PATH = '/conversation-message-feedbacks';

forEachDriver('support surface: message feedback votes', (kind) => {
  const ctx = useTestApp(kind);
  let call: SupportCall;
  let key: string;
  /** The agent's conversation: the user's question, then the agent's answer. */
  let conversationId: string;
  let question: string;
  let answer: string;

  /** The core tables' counts and every vote: what a refused vote must leave as it was. */
  const snapshot = async () => ({
    counts: await ctx.snapshot(),
    votes: await ctx.database.db.query('SELECT * FROM message_feedback ORDER BY customer_id, id'),
  });
  const feedbackEvents = () => ctx.database.db.query<{ actor: string; associated_message: string; payload: Record<string, unknown> }>(
    `SELECT actor, associated_message, payload FROM events WHERE customer_id = 'acme' AND conversation_id = $1 AND type = 'FEEDBACK' ORDER BY seq`,
    [conversationId],
  );

  before(async () => {
    const agentId = await supportAgent(ctx);
    key = await agentKey(ctx, agentId);
    call = supportCall(ctx, key);
    ({ conversationId, messageIds: [question, answer] } = await agentConversation(ctx, key, agentId));
    const [conversation] = await ctx.database.db.query<{ agent_id: string }>('SELECT agent_id FROM conversations WHERE id = $1', [conversationId]);
    assert.equal(conversation.agent_id, agentId, 'the conversation is the agent\'s');
  });

  it('votes (201): the vote as raia returns it, stored with the user id as given, with a FEEDBACK event in the conversation', async () => {
    const res = await call('POST', PATH, {
      conversationMessageId: wireId(answer), userId: 'reviewer-1', voteType: 'up', question: 'Can I return my bike?',
      answer: 'Within 30 days.', comment: 'Spot on',
    });
    assert.equal(res.statusCode, 201, res.body);
    await assertRaiaBody(res.json(), VOTED);
    const vote = res.json();
    assert.match(vote.id, UUID);
    assert.deepEqual({ ...vote, id: undefined, createdAt: undefined, updatedAt: undefined }, {
      id: undefined, conversationMessageId: wireId(answer), voteType: 'up', question: 'Can I return my bike?', answer: 'Within 30 days.',
      comment: 'Spot on', createdAt: undefined, updatedAt: undefined,
    });
    const rows = await ctx.core.messageFeedback.listFor(await ctx.core.apiKeys.authenticate(key), [conversationId]);
    assert.deepEqual(rows.map((r) => [wireId(r.id), r.conversationId, r.messageId, r.userId, r.userEmail]), [[vote.id, conversationId, answer, 'reviewer-1', null]]);
    const events = await feedbackEvents();
    assert.equal(events.length, 1);
    assert.deepEqual(events[0].payload, { feedback: rows[0].id, change: 'created', messageId: answer, voteType: 'up' });
    assert.equal(events[0].associated_message, answer);
    assert.match(events[0].actor, /^apiKeys\/[a-f0-9]{24}$/);
  });

  it('a second vote of the same user on the message replaces the first: same id, every field new, one row', async () => {
    const first = (await call('POST', PATH, { conversationMessageId: wireId(question), userId: 'reviewer-2', voteType: 'up', question: 'Q1', comment: 'good' })).json();
    // The message id in its 24-hex form names the same message.
    const res = await call('POST', PATH, { conversationMessageId: question, userId: 'reviewer-2', voteType: 'down', question: 'Q2', answer: 'A2' });
    assert.equal(res.statusCode, 201, res.body);
    await assertRaiaBody(res.json(), VOTED);
    const second = res.json();
    assert.deepEqual({ ...second, updatedAt: undefined }, {
      id: first.id, conversationMessageId: wireId(question), voteType: 'down', question: 'Q2', answer: 'A2', comment: null,
      createdAt: first.createdAt, updatedAt: undefined,
    });
    assert.ok(second.updatedAt >= first.updatedAt);
    const caller = await ctx.core.apiKeys.authenticate(key);
    const onQuestion = await ctx.core.messageFeedback.listFor(caller, [conversationId], [question]);
    assert.deepEqual(onQuestion.map((r) => [r.userId, r.voteType]), [['reviewer-2', 'down']]);
    const changes = (await feedbackEvents()).filter((e) => e.payload.messageId === question).map((e) => [e.payload.change, e.payload.voteType]);
    assert.deepEqual(changes, [['created', 'up'], ['updated', 'down']]);
  });

  it('the votes show on the conversation\'s messages (shouldIncludeFeedbacks) and on the conversation (feedbacks)', async () => {
    const messages = await call('GET', `/conversations/${wireId(conversationId)}/messages?shouldIncludeFeedbacks=true`);
    assert.equal(messages.statusCode, 200, messages.body);
    await assertRaiaBody(messages.json(), { path: '/external/conversations/{id}/messages', method: 'get', status: 200 });
    const byMessage = Object.fromEntries(messages.json().messages.map((m: { id: string; conversationMessageFeedbacks: { voteType: string }[] }) =>
      [m.id, m.conversationMessageFeedbacks.map((f) => f.voteType)]));
    assert.deepEqual(byMessage, { [wireId(question)]: ['down'], [wireId(answer)]: ['up'] });
    const conversation = await call('GET', `/conversations/${wireId(conversationId)}`);
    assert.equal(conversation.statusCode, 200, conversation.body);
    await assertRaiaBody(conversation.json(), { path: '/external/conversations/{id}', method: 'get', status: 200 });
    assert.equal(conversation.json().feedbacks.length, 2);
  });

  it('other voters vote beside it; listFor gives the conversation\'s votes oldest first, narrowed by message when asked', async () => {
    for (const userId of ['reviewer-3', 'reviewer-4']) {
      assert.equal((await call('POST', PATH, { conversationMessageId: wireId(answer), userId, voteType: 'down', question: 'Q' })).statusCode, 201);
    }
    const caller = await ctx.core.apiKeys.authenticate(key);
    const all = await ctx.core.messageFeedback.listFor(caller, [conversationId]);
    assert.deepEqual(all.map((r) => r.userId).sort(), ['reviewer-1', 'reviewer-2', 'reviewer-3', 'reviewer-4']);
    const times = all.map((r) => r.createdAt.getTime());
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    assert.deepEqual((await ctx.core.messageFeedback.listFor(caller, [conversationId], [answer])).map((r) => r.userId), ['reviewer-1', 'reviewer-3', 'reviewer-4']);
    assert.deepEqual(await ctx.core.messageFeedback.listFor(caller, []), []);
    assert.deepEqual(await ctx.core.messageFeedback.listFor(caller, [conversationId], []), []);
    // Another customer's caller reads none of them.
    const globex = await ctx.core.apiKeys.authenticate(ctx.b.key);
    assert.deepEqual(await ctx.core.messageFeedback.listFor(globex, [conversationId]), []);
  });

  it('a voter who is an end user Parley knows with an email: the vote carries it', async () => {
    await ctx.database.db.query(
      `INSERT INTO end_users (customer_id, id, external_id, email) VALUES ('acme', 'aaaaaaaaaaaaaaaaaaaaaaaa', 'rider-9', 'rider9@example.com')`,
    );
    const byUuid = await call('POST', PATH, { conversationMessageId: wireId(answer), userId: wireId('aaaaaaaaaaaaaaaaaaaaaaaa'), voteType: 'up', question: 'Q' });
    assert.equal(byUuid.statusCode, 201, byUuid.body);
    const byExternalId = await call('POST', PATH, { conversationMessageId: wireId(question), userId: 'rider-9', voteType: 'up', question: 'Q' });
    assert.equal(byExternalId.statusCode, 201, byExternalId.body);
    const rows = await ctx.database.db.query<{ user_id: string; user_email: string }>(
      `SELECT user_id, user_email FROM message_feedback WHERE id = ANY($1::text[]) ORDER BY created_at, id`,
      [[byUuid.json().id, byExternalId.json().id].map((id: string) => parseWireId(id))],
    );
    assert.deepEqual(rows.map((r) => [r.user_id, r.user_email]).sort(), [[wireId('aaaaaaaaaaaaaaaaaaaaaaaa'), 'rider9@example.com'], ['rider-9', 'rider9@example.com']].sort());
  });

  it('refuses bad votes in raia\'s error body, and nothing changes', async () => {
    // Another agent of the same customer, and another customer's agent, each with a conversation.
    const otherAgent = await supportAgent(ctx, 'acme', 'Other helper');
    const otherKey = await agentKey(ctx, otherAgent);
    const { messageIds: [otherAgentsMessage] } = await agentConversation(ctx, otherKey, otherAgent);
    const globexAgent = await supportAgent(ctx, 'globex');
    const { messageIds: [globexMessage] } = await agentConversation(ctx, await agentKey(ctx, globexAgent, 'globex'), globexAgent);
    // A message deleted (a tombstone) in the agent's own conversation.
    const { conversationId: deletedIn, messageIds: [deletedMessage] } = await agentConversation(ctx, key, (await ctx.core.apiKeys.authenticate(key)).agentId!, 'Opening hours?');
    await ctx.core.messages.delete(await ctx.core.apiKeys.authenticate(key), { customerId: 'acme', id: deletedIn, profileId: null }, deletedMessage);

    const before = await snapshot();
    const good = { conversationMessageId: wireId(answer), userId: 'reviewer-9', voteType: 'up', question: 'Q' };
    const { question: _q, ...noQuestion } = good;
    const { userId: _u, ...noUser } = good;
    const { voteType: _v, ...noVote } = good;
    const { conversationMessageId: _m, ...noMessage } = good;
    const cases: [string, object, number][] = [
      ['unknown field', { ...good, rating: 5 }, 400],
      ['no question', noQuestion, 400],
      ['no userId', noUser, 400],
      ['no voteType', noVote, 400],
      ['no conversationMessageId', noMessage, 400],
      ['voteType sideways', { ...good, voteType: 'sideways' }, 400],
      ['question too long', { ...good, question: 'x'.repeat(32_001) }, 400],
      ['comment too long', { ...good, comment: 'x'.repeat(32_001) }, 400],
      ['answer not a string', { ...good, answer: 42 }, 400],
      ['empty userId', { ...good, userId: '' }, 400],
      ['message id not an id', { ...good, conversationMessageId: 'message-1' }, 404],
      ['unknown message', { ...good, conversationMessageId: wireId('0123456789abcdef01234567') }, 404],
      ['a conversation id, not a message id', { ...good, conversationMessageId: wireId(conversationId) }, 404],
      ['another agent\'s message', { ...good, conversationMessageId: wireId(otherAgentsMessage) }, 404],
      ['another customer\'s message', { ...good, conversationMessageId: wireId(globexMessage) }, 404],
      ['a deleted message', { ...good, conversationMessageId: wireId(deletedMessage) }, 404],
    ];
    for (const [label, body, status] of cases) {
      const error = await assertRaiaError(await call('POST', PATH, body), status, label);
      if (status === 404) assert.deepEqual([error.name, error.message], ['ENTITY_NOT_FOUND_ERROR', 'ENTITY_NOT_FOUND'], label);
    }
    await assertRaiaError(await ctx.app.inject({ method: 'POST', url: `/external${PATH}`, payload: good }), 403);
    await assertRaiaError(await supportCall(ctx, ctx.a.key)('POST', PATH, good), 403);
    assert.deepEqual(await snapshot(), before);
    // The other agent's key votes on its own message.
    assert.equal((await supportCall(ctx, otherKey)('POST', PATH, { ...good, conversationMessageId: wireId(otherAgentsMessage) })).statusCode, 201);
  });
});

import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { agentKey, assertRaiaBody, assertRaiaError, supportAgent, supportCall, type SupportCall } from './support-fixtures.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{6}000000$/;
/** The 24-hex Parley id inside a support-surface id. */
const parleyId = (uuid: string) => uuid.replace(/-/g, '').replace(/^(.{12})8(.{3})8(.{3})(.{6})0{6}$/, '$1$2$3$4');

forEachDriver('support surface: conversations', (kind) => {
  const ctx = useTestApp(kind);
  let call: SupportCall;
  let other: SupportCall;
  let agentId: string;

  before(async () => {
    agentId = await supportAgent(ctx);
    call = supportCall(ctx, await agentKey(ctx, agentId));
    other = supportCall(ctx, await agentKey(ctx, await supportAgent(ctx, 'acme', 'Other agent')));
  });

  it('refuses a missing, bad or un-narrowed key with the vendor\'s 403, changing nothing', async () => {
    const before = await ctx.snapshot();
    for (const headers of [{}, { 'agent-secret-key': 'nope' }, { 'agent-secret-key': ctx.a.key }]) {
      const res = await ctx.app.inject({ method: 'POST', url: '/external/conversations', headers, payload: { conversationUserId: 'u1' } });
      const body = await assertRaiaError(res, 403);
      assert.deepEqual(body, { status: 403, name: 'FORBIDDEN_ERROR', message: 'INVALID_CREDENTIALS', details: [] });
    }
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('creates a conversation (201) with its user, custom data and the agent, readable by get', async () => {
    const res = await call('POST', '/conversations', { conversationUserId: 'rider-1', title: 'Returns', context: 'VIP', customData: { plan: 'gold' } });
    assert.equal(res.statusCode, 201, res.body);
    const created = res.json();
    await assertRaiaBody(created, { path: '/external/conversations', method: 'post', status: 201 });
    assert.match(created.id, UUID);
    assert.equal(created.aiConversationId, parleyId(created.id));
    assert.equal(created.title, 'Returns');
    assert.deepEqual(created.metadata, { customData: { plan: 'gold' } });
    assert.equal(created.mode, 'ai');
    assert.equal(created.user.id, created.conversationUserId);
    const got = await call('GET', `/conversations/${created.id}`);
    assert.equal(got.statusCode, 200, got.body);
    await assertRaiaBody(got.json(), { path: '/external/conversations/{id}', method: 'get', status: 200 });
    assert.deepEqual({ ...(got.json() as object), feedbacks: undefined }, { ...created, feedbacks: undefined });
    // The 24-hex id works too, and another agent's key does not see it.
    assert.equal((await call('GET', `/conversations/${created.aiConversationId}`)).statusCode, 200);
    await assertRaiaError(await other('GET', `/conversations/${created.id}`), 404);
    // The same user by their own id, or by the returned id, is the same person.
    const again = (await call('POST', '/conversations', { conversationUserId: created.conversationUserId })).json();
    assert.equal(again.conversationUserId, created.conversationUserId);
  });

  it('refuses bad input with 400 in the vendor\'s shape, changing nothing', async () => {
    const before = await ctx.snapshot();
    const cases: [string, string, object][] = [
      ['POST', '/conversations', {}],
      ['POST', '/conversations', { conversationUserId: 'x', title: 't'.repeat(256) }],
      ['POST', '/conversations', { conversationUserId: 'x', unknown: 1 }],
      ['POST', '/conversations', { conversationUserId: 'x', conversationStateId: 'not-a-state' }],
      ['POST', '/conversations', { conversationUserId: 'x', conversationStateId: '65f0c2a1-b2c3-8d4e-85f6-a7b8c9000000' }],
      ['POST', '/conversations/start', { channel: 'email', firstName: 'A', lastName: 'B', email: 'not-an-address', emailSubject: 's', emailIntroduction: 'hi' }],
      ['POST', '/conversations/start', { channel: 'sms', firstName: 'A', lastName: 'B', phoneNumber: '12', smsIntroduction: 'hi' }],
      ['POST', '/conversations/start', { channel: 'fax', firstName: 'A', lastName: 'B' }],
    ];
    for (const [method, path, payload] of cases) {
      const body = await assertRaiaError(await call(method as 'POST', path, payload), 400, `${path} ${JSON.stringify(payload)}`);
      assert.equal(body.name, 'BAD_REQUEST');
      assert.ok(body.details.length > 0);
    }
    assert.deepEqual(await ctx.snapshot(), before);
    await assertRaiaError(await call('GET', '/conversations/not-an-id'), 404);
    await assertRaiaError(await call('GET', '/conversations?page=0'), 400);
    await assertRaiaError(await call('GET', '/conversations?pageSize=101'), 400);
  });

  it('updates title, context, status through the lifecycle, and the mode (a CONVERSATION_TRANSFER)', async () => {
    const { id } = (await call('POST', '/conversations', { conversationUserId: 'rider-2' })).json();
    const updated = await call('PUT', `/conversations/${id}`, { title: 'Renamed', status: 'inactive' });
    assert.equal(updated.statusCode, 200, updated.body);
    await assertRaiaBody(updated.json(), { path: '/external/conversations/{id}', method: 'put', status: 200 });
    assert.equal(updated.json().title, 'Renamed');
    const [row] = await ctx.database.db.query<{ state: string }>('SELECT state FROM conversations WHERE id = $1', [parleyId(id)]);
    assert.equal(row.state, 'ON_HOLD');
    const manual = await call('PUT', `/conversations/${id}/mode`, { mode: 'manual' });
    assert.equal(manual.statusCode, 200, manual.body);
    assert.equal(manual.json().mode, 'manual');
    const events = await ctx.database.db.query<{ type: string; payload: Record<string, unknown> }>(
      'SELECT type, payload FROM events WHERE conversation_id = $1 ORDER BY seq', [parleyId(id)],
    );
    assert.deepEqual(events.map((e) => e.type), ['CONVERSATION_START', 'CONVERSATION_HOLD', 'CONVERSATION_UPDATE', 'CONVERSATION_TRANSFER']);
    assert.equal(events[3].payload.to, 'MANUAL');
    // Archived is closed and final: it cannot become active again.
    assert.equal((await call('PUT', `/conversations/${id}`, { status: 'archived' })).statusCode, 200);
    const before = await ctx.snapshot();
    await assertRaiaError(await call('PUT', `/conversations/${id}`, { status: 'active' }), 400);
    await assertRaiaError(await call('PUT', `/conversations/${id}/mode`, { mode: 'sideways' }), 400);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('starts by e-mail: the person found by address, the first message recorded, MESSAGE_OUTBOUND appended', async () => {
    const body = {
      channel: 'email', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', emailSubject: 'Your order', emailIntroduction: 'Hello Ada, about your order…',
    };
    const res = await call('POST', '/conversations/start', body);
    assert.equal(res.statusCode, 201, res.body);
    await assertRaiaBody(res.json(), { path: '/external/conversations/start', method: 'post', status: 201 });
    const id = parleyId(res.json().conversationId);
    const conversation = (await call('GET', `/conversations/${res.json().conversationId}`)).json();
    assert.equal(conversation.title, 'Your order');
    assert.deepEqual([conversation.user.firstName, conversation.user.email], ['Ada', 'ada@example.com']);
    const messages = (await call('GET', `/conversations/${res.json().conversationId}/messages`)).json().messages;
    assert.deepEqual(messages.map((m: { senderRole: string; source: string; message: string }) => [m.senderRole, m.source, m.message]),
      [['assistant', 'email', 'Hello Ada, about your order…']]);
    const [outbound] = await ctx.database.db.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM events WHERE conversation_id = $1 AND type = 'MESSAGE_OUTBOUND'`, [id],
    );
    assert.deepEqual({ ...outbound.payload, messageId: undefined }, { channel: 'email', to: 'ada@example.com', subject: 'Your order', messageId: undefined });
    // The same address again is the same person; resetConversation closes their open one first.
    const second = await call('POST', '/conversations/start', { ...body, firstName: 'Augusta', resetConversation: true });
    assert.equal(second.statusCode, 201, second.body);
    const again = (await call('GET', `/conversations/${second.json().conversationId}`)).json();
    assert.equal(again.conversationUserId, conversation.conversationUserId);
    assert.equal(again.user.firstName, 'Augusta');
    const [closed] = await ctx.database.db.query<{ state: string }>('SELECT state FROM conversations WHERE id = $1', [id]);
    assert.equal(closed.state, 'CLOSED');
  });

  it('lists the agent\'s conversations in numbered pages with filters', async () => {
    const res = await call('GET', '/conversations?pageSize=2&orderBy=createdAt&orderDirection=ASC');
    assert.equal(res.statusCode, 200, res.body);
    const page = res.json();
    await assertRaiaBody(page, { path: '/external/conversations', method: 'get', status: 200 });
    assert.equal(page.pageSize, 2);
    assert.equal(page.currentPage, 1);
    assert.ok(page.totalItems >= 4);
    assert.equal(page.totalPages, Math.ceil(page.totalItems / 2));
    assert.deepEqual([page.hasNextPage, page.hasPreviousPage], [true, false]);
    const last = (await call('GET', `/conversations?pageSize=2&page=${page.totalPages}`)).json();
    assert.deepEqual([last.hasNextPage, last.hasPreviousPage], [false, true]);
    // Past the last page: no conversation, the same total.
    const beyond = (await call('GET', '/conversations?pageSize=2&page=99')).json();
    assert.deepEqual([beyond.data, beyond.totalItems, beyond.hasNextPage], [[], page.totalItems, false]);
    const all = (await call('GET', '/conversations?pageSize=100')).json();
    assert.equal(all.data.length, page.totalItems);
    const byUser = (await call('GET', '/conversations?userId=rider-1')).json();
    assert.equal(byUser.totalItems, 2);
    assert.ok(byUser.data.every((c: { user: { id: string } }) => c.user.id === byUser.data[0].user.id));
    assert.equal((await call('GET', '/conversations?userId=nobody')).json().totalItems, 0);
    assert.equal((await other('GET', '/conversations')).json().totalItems, 0);
    const future = (await call('GET', '/conversations?startDate=2999-01-01T00:00:00Z')).json();
    assert.equal(future.totalItems, 0);
    assert.equal((await call('GET', '/conversations?withFeedbacksOnly=true')).json().totalItems, 0);
  });

  it('searches title, user names, e-mail, phone and message text, best match first', async () => {
    const titled = (await call('POST', '/conversations', { conversationUserId: 'searcher-1', title: 'Refund for a cracked frame' })).json();
    const talked = (await call('POST', '/conversations', { conversationUserId: 'searcher-2' })).json();
    await call('POST', `/conversations/${talked.id}/messages`, { message: 'I want a refund please, can I return my bike?' });
    const search = async (keyword: string) => ((await call('GET', `/conversations?searchKeyword=${encodeURIComponent(keyword)}`)).json().data as { id: string }[]).map((c) => c.id);
    const refund = await search('refund');
    assert.deepEqual(refund.slice(0, 2), [titled.id, talked.id], 'the title match ranks above the message match');
    assert.ok((await search('cracked')).includes(titled.id));
    assert.ok((await search('Lovelace')).length > 0, 'a user\'s last name');
    assert.ok((await search('ada@exam')).length > 0, 'a fragment of an e-mail address');
    assert.deepEqual(await search('zebra-unicorn'), []);
    // orderBy keeps its order with a keyword.
    const byCreate = ((await call('GET', '/conversations?searchKeyword=refund&orderBy=createdAt&orderDirection=ASC')).json().data as { id: string }[]).map((c) => c.id);
    assert.deepEqual(byCreate.slice(0, 2), [titled.id, talked.id]);
    await assertRaiaError(await call('GET', `/conversations?searchKeyword=${'x'.repeat(257)}`), 400);
  });

  it('fills summary and score from the conversation\'s analysis', async () => {
    const { id, aiConversationId } = (await call('POST', '/conversations', { conversationUserId: 'happy-rider' })).json();
    assert.equal((await call('POST', `/conversations/${id}/messages`, { message: 'Can I return my bike? Thanks, that is great!' })).statusCode, 201);
    await ctx.core.insights.analyze('acme', aiConversationId, 'job-test', new AbortController().signal);
    const analysed = (await call('GET', `/conversations/${id}`)).json();
    const [row] = await ctx.database.db.query<{ summary: string; sentiment_score: number }>('SELECT summary, sentiment_score FROM analyses WHERE conversation_id = $1', [aiConversationId]);
    assert.equal(analysed.summary, row.summary);
    assert.ok(analysed.summary.length > 0);
    assert.equal(analysed.score, Math.min(5, Math.max(1, Math.round((row.sentiment_score + 1) * 2) + 1)));
  });

  it('deletes all of a user\'s conversations with the agent (204), their messages with them, each with CONVERSATION_DELETE', async () => {
    const { id, conversationUserId } = (await call('POST', '/conversations', { conversationUserId: 'leaver' })).json();
    await call('POST', '/conversations', { conversationUserId: 'leaver' });
    const res = await call('DELETE', '/conversations', { conversationUserId });
    assert.equal(res.statusCode, 204, res.body);
    await assertRaiaError(await call('GET', `/conversations/${id}`), 404);
    const deletions = await ctx.database.db.query('SELECT 1 FROM events WHERE conversation_id = $1 AND type = \'CONVERSATION_DELETE\'', [parleyId(id)]);
    assert.equal(deletions.length, 1);
    assert.equal((await call('GET', '/conversations?userId=leaver')).json().totalItems, 0);
    const before = await ctx.snapshot();
    assert.equal((await call('DELETE', '/conversations', { conversationUserId: 'nobody-known' })).statusCode, 204);
    await assertRaiaError(await call('DELETE', '/conversations', {}), 400);
    assert.deepEqual(await ctx.snapshot(), before);
  });
});

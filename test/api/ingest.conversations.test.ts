import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { assertError, client, createConversation, createPrompt, events, hex, snapshot } from './ingest-fixtures.ts';

forEachDriver('ingest surface: logging conversations', (kind) => {
  const ctx = useTestApp(kind);
  const api = client(ctx, () => ctx.a);
  let promptId: string;
  before(async () => {
    promptId = await createPrompt(api);
  });

  it('logs a labelled text transcript, answers as the seed, and reads it back', async () => {
    const res = await api.post('/conversations', {
      promptId, content: 'User: Hello, I need help\nAssistant: Hi! How can I help you today?', status: 'completed', llmModel: 'gpt-4o', companyName: 'Acme Inc',
    });
    assert.equal(res.statusCode, 200, res.body);
    const created = res.json();
    assert.match(created.id, /^conv_[a-f0-9]{24}$/);
    assert.equal(created.promptId, promptId);
    assert.equal(created.status, 'completed');
    assert.ok(!Number.isNaN(Date.parse(created.createdAt)));
    assert.deepEqual(created._links.appendMessages.href, `/api/v1/conversations/${created.id}/messages`);
    assert.equal(created._links.appendMessages.method, 'POST');
    const got = await api.get(`/conversations/${created.id}`);
    assert.equal(got.statusCode, 200, got.body);
    const conversation = got.json();
    assert.equal(conversation.content, 'User: Hello, I need help\nAssistant: Hi! How can I help you today?');
    assert.deepEqual(conversation.messages, [
      { role: 'user', content: 'Hello, I need help' },
      { role: 'assistant', content: 'Hi! How can I help you today?' },
    ]);
    assert.equal(conversation.status, 'completed');
    assert.equal(conversation.llmModel, 'gpt-4o');
    assert.equal(conversation.companyName, 'Acme Inc');
    assert.equal(conversation.title, 'Hello, I need help');
    assert.equal(conversation.insights, null, 'no insights yet, and includeInsights defaults to true');
    const types = (await events(ctx, hex(created.id))).map((e) => e.type);
    assert.deepEqual(types, ['CONVERSATION_START', 'MESSAGE_CREATE', 'MESSAGE_CREATE', 'CONVERSATION_END']);
  });

  it('accepts every label pair and multi-line turns', async () => {
    const content = 'Human: first line\nsecond line\n\nAI: answer\nCustomer: where is my order?\nAgent: on its way\n  with tracking';
    const { id } = await createConversation(api, { promptId, content });
    const conversation = (await api.get(`/conversations/${id}`)).json();
    assert.deepEqual(conversation.messages, [
      { role: 'user', content: 'first line\nsecond line' },
      { role: 'assistant', content: 'answer' },
      { role: 'user', content: 'where is my order?' },
      { role: 'assistant', content: 'on its way\n  with tracking' },
    ]);
    assert.equal(conversation.content, 'User: first line\nsecond line\nAssistant: answer\nUser: where is my order?\nAssistant: on its way\n  with tracking');
    assert.equal(conversation.status, 'completed', 'status defaults to completed');
  });

  it('keeps every field of the structured format and renders it back exactly', async () => {
    const messages = [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'What is 2+2?', timestamp: '2025-01-20T14:30:00.000Z' },
      {
        role: 'assistant', content: '', model: 'gpt-4o', tokens: 12, latencyMs: 350.5, timestamp: '2025-01-20T14:30:01.000Z',
        toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'add', arguments: '{"a":2,"b":2}' } }], usage: { promptTokens: 20, completionTokens: 12 },
      },
      { role: 'tool', content: '', toolCalls: [{ id: 'call_1', output: '4' }], metadata: { tool: 'calculator' } },
      { role: 'assistant', content: 'It is 4.', metadata: { confidence: 0.99, nested: { a: [1, 2] } } },
    ];
    // An assistant message needs content: only the tool role may be empty.
    const refused = await api.post('/conversations', { promptId, content: JSON.stringify({ messages }) });
    const error = assertError(refused, 400, 'VALIDATION_ERROR');
    assert.ok(error.details['content.messages[2].content'], JSON.stringify(error));
    messages[2].content = 'Let me calculate.';
    const { id } = await createConversation(api, {
      promptId, status: 'in_progress', content: JSON.stringify({ messages, metadata: { userId: 'user_789', sessionId: 'sess_1', channel: 'web' } }),
    });
    const conversation = (await api.get(`/conversations/${id}`)).json();
    assert.deepEqual(conversation.messages, messages);
    assert.equal(conversation.status, 'in_progress');
    assert.equal(conversation.userId, 'user_789');
    assert.deepEqual(conversation.metadata, { userId: 'user_789', sessionId: 'sess_1', channel: 'web' });
    assert.equal(conversation.content, 'System: You are helpful.\nUser: What is 2+2?\nAssistant: Let me calculate.\nTool: \nAssistant: It is 4.');
    // The speakers the other surfaces see, and the caller's own message times.
    const rows = await ctx.database.db.query<{ speaker: string; create_time: Date }>(
      `SELECT speaker, create_time FROM messages WHERE conversation_id = $1 ORDER BY seq`, [hex(id)]);
    assert.deepEqual(rows.map((r) => r.speaker), ['SYSTEM', 'VISITOR', 'VIRTUAL_AGENT', 'SYSTEM', 'VIRTUAL_AGENT']);
    assert.equal(rows[1].create_time.toISOString(), '2025-01-20T14:30:00.000Z');
  });

  it('maps status onto the conversation state: active/in_progress open, completed/abandoned closed', async () => {
    for (const status of ['active', 'in_progress', 'completed', 'abandoned']) {
      const { id, body } = await createConversation(api, { promptId, content: 'User: hi\nAssistant: hello', status });
      assert.equal(body.status, status);
      assert.equal((await api.get(`/conversations/${id}`)).json().status, status);
      const state = await ctx.database.db.query<{ state: string; source: string; channel: string; profile_id: string }>(
        `SELECT state, source, channel, profile_id FROM conversations WHERE id = $1`, [hex(id)]);
      assert.deepEqual(state[0], { state: status === 'completed' || status === 'abandoned' ? 'CLOSED' : 'ACTIVE', source: 'LOG_INGEST', channel: 'CHAT', profile_id: 'default' });
      const end = (await events(ctx, hex(id))).filter((e) => e.type === 'CONVERSATION_END');
      if (status === 'completed' || status === 'abandoned') assert.equal(end[0].payload.reason, status);
      else assert.equal(end.length, 0);
    }
  });

  it('refuses bad input with VALIDATION_ERROR naming the field, writing nothing', async () => {
    const before = await snapshot(ctx);
    const cases: [unknown, string][] = [
      [{ content: 'User: hi' }, 'promptId'],
      [{ promptId }, 'content'],
      [{ promptId, content: 'User: hi', bogus: 1 }, 'bogus'],
      [{ promptId, content: 'User: hi', status: 'done' }, 'status'],
      [{ promptId, content: 5 }, 'content'],
      [{ promptId: 'prompt_123', content: 'User: hi' }, 'promptId'],
      [{ promptId: `prompt_${'0'.repeat(24)}`, content: 'User: hi' }, 'promptId'],
      [{ promptId, content: 'Hello there, no label' }, 'content'],
      [{ promptId, content: '{"messages": [' }, 'content'],
      [{ promptId, content: '{"messages": "no"}' }, 'content.messages'],
      [{ promptId, content: '{"msgs": []}' }, 'content.messages'],
      [{ promptId, content: '{"messages": [], "msgs": []}' }, 'content.msgs'],
      [{ promptId, content: JSON.stringify({ messages: [{ role: 'robot', content: 'x' }] }) }, 'content.messages[0].role'],
      [{ promptId, content: JSON.stringify({ messages: [{ role: 'user' }] }) }, 'content.messages[0].content'],
      [{ promptId, content: JSON.stringify({ messages: [{ role: 'user', content: 'x', extra: true }] }) }, 'content.messages[0].extra'],
      [{ promptId, content: JSON.stringify({ messages: [{ role: 'user', content: 'x', timestamp: 'yesterday' }] }) }, 'content.messages[0].timestamp'],
      [{ promptId, content: JSON.stringify({ messages: [{ role: 'user', content: 'x', tokens: -1 }] }) }, 'content.messages[0].tokens'],
      [{ promptId, content: JSON.stringify({ messages: [{ role: 'user', content: '  ' }] }) }, 'content.messages[0].content'],
      [{ promptId, content: 'User: \nAssistant: hi' }, 'content.messages[0].content'],
    ];
    for (const [payload, field] of cases) {
      const error = assertError(await api.post('/conversations', payload), 400, 'VALIDATION_ERROR', JSON.stringify(payload));
      assert.ok(field in error.details, `${JSON.stringify(payload)} → ${JSON.stringify(error)} should name ${field}`);
    }
    const notJson = await ctx.app.inject({ method: 'POST', url: '/api/v1/conversations', headers: { ...ctx.a.auth, 'content-type': 'application/json' }, payload: '{"promptId":' });
    assertError(notJson, 400, 'VALIDATION_ERROR');
    assert.deepEqual(await snapshot(ctx), before);
  });

  it('answers 401 in the envelope for a missing or wrong key, and 404 for unknown routes', async () => {
    const missing = await ctx.app.inject({ method: 'GET', url: '/api/v1/conversations' });
    assert.equal(assertError(missing, 401, 'UNAUTHORIZED').message, 'Authorization header required');
    for (const authorization of ['Bearer sk_live_nope', `ApiKey ${ctx.a.key}`, ctx.a.key, '']) {
      const wrong = await ctx.app.inject({ method: 'GET', url: '/api/v1/conversations', headers: { authorization } });
      assert.equal(assertError(wrong, 401, 'UNAUTHORIZED', authorization).message, 'Invalid API key');
    }
    assertError(await api.get('/nothing-here'), 404, 'NOT_FOUND');
    const absent = assertError(await api.get(`/conversations/conv_${'0'.repeat(24)}`), 404, 'NOT_FOUND');
    assert.equal(absent.message, 'Conversation not found');
    const malformed = assertError(await api.get('/conversations/conv_456'), 400, 'VALIDATION_ERROR');
    assert.ok('id' in malformed.details);
  });

  it('lists newest first with filters and limit/offset, and caps the offset', async () => {
    const other = await createPrompt(api, { name: 'Other' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createConversation(api, { promptId: other, content: `User: q${i}`, status: i % 2 ? 'active' : 'completed' })).id);
    const page = await api.get(`/conversations?promptId=${other}&limit=2&offset=1`);
    assert.equal(page.statusCode, 200, page.body);
    const body = page.json();
    assert.deepEqual(body.pagination, { total: 5, limit: 2, offset: 1 });
    assert.deepEqual(body.data.map((c: { id: string }) => c.id), [ids[3], ids[2]]);
    assert.deepEqual(Object.keys(body.data[0]).sort(), ['createdAt', 'hasInsights', 'id', 'llmModel', 'messageCount', 'promptId', 'status', 'updatedAt']);
    const active = (await api.get(`/conversations?promptId=${other}&status=active`)).json();
    assert.deepEqual(active.data.map((c: { id: string }) => c.id), [ids[3], ids[1]]);
    assert.equal(active.pagination.total, 2);
    const completed = (await api.get(`/conversations?promptId=${other}&status=completed&hasInsights=false`)).json();
    assert.equal(completed.pagination.total, 3);
    const withInsights = (await api.get(`/conversations?promptId=${other}&hasInsights=true`)).json();
    assert.equal(withInsights.pagination.total, 0);
    const defaults = (await api.get('/conversations')).json();
    assert.equal(defaults.pagination.limit, 20);
    assert.equal(defaults.pagination.offset, 0);
    const past = (await api.get(`/conversations?promptId=${other}&offset=50`)).json();
    assert.deepEqual(past, { data: [], pagination: { total: 5, limit: 20, offset: 50 } });
    for (const query of ['offset=10001', 'limit=101', 'limit=0', 'status=done', 'hasInsights=maybe', 'promptId=p1', 'sort=asc']) {
      assertError(await api.get(`/conversations?${query}`), 400, 'VALIDATION_ERROR', query);
    }
    assert.equal((await api.get('/conversations?offset=10000')).statusCode, 200);
  });

  it('answers an idempotent replay with the first conversation and a changed body with 409', async () => {
    const body = { promptId, content: 'User: once\nAssistant: only once', idempotencyKey: 'session_abc123_1705764600' };
    const first = await createConversation(api, body);
    const before = await snapshot(ctx);
    const replay = await api.post('/conversations', { idempotencyKey: body.idempotencyKey, content: body.content, promptId });
    assert.equal(replay.statusCode, 200, replay.body);
    assert.equal(replay.json().id, first.id);
    assert.deepEqual(await snapshot(ctx), before, 'a replay writes nothing');
    const conflict = assertError(await api.post('/conversations', { ...body, content: 'User: something else' }), 409, 'CONFLICT');
    assert.ok('idempotencyKey' in conflict.details);
    // Keys are scoped to the account: another customer may use the same key.
    const otherPrompt = await createPrompt(client(ctx, () => ctx.b));
    const theirs = await client(ctx, () => ctx.b).post('/conversations', { ...body, promptId: otherPrompt });
    assert.equal(theirs.statusCode, 200, theirs.body);
    assert.notEqual(theirs.json().id, first.id);
    assert.deepEqual((await snapshot(ctx)).conversations, before.conversations + 1);
  });

  it('serves insights: 404 while none exist, regenerate queues them (202)', async () => {
    const open = await createConversation(api, { promptId, content: 'User: hi', status: 'active' });
    const none = assertError(await api.get(`/conversations/${open.id}/insights`), 404, 'NOT_FOUND');
    assert.match(none.message, /[Ii]nsights/);
    const got = (await api.get(`/conversations/${open.id}?includeInsights=false`)).json();
    assert.equal('insights' in got, false);
    const done = await createConversation(api, { promptId, content: 'User: my order is late\nAssistant: sorry, it ships today', status: 'completed' });
    const regenerate = await api.post(`/conversations/${done.id}/insights/regenerate`);
    assert.equal(regenerate.statusCode, 202, regenerate.body);
    assert.deepEqual(regenerate.json(), { conversationId: done.id, status: 'queued' });
    assertError(await api.post(`/conversations/conv_${'0'.repeat(24)}/insights/regenerate`), 404, 'NOT_FOUND');
    assertError(await api.get(`/conversations/conv_${'0'.repeat(24)}/insights`), 404, 'NOT_FOUND');
  });

  it('a conversation logged here is readable on the conversations surface', async () => {
    const { id } = await createConversation(api, { promptId, content: 'User: cross\nAssistant: surface' });
    const name = `/v1/customers/acme/profiles/default/conversations/${hex(id)}`;
    const got = await ctx.app.inject({ method: 'GET', url: name, headers: ctx.a.auth });
    assert.equal(got.statusCode, 200, got.body);
    assert.equal(got.json().conversation.source, 'LOG_INGEST');
    assert.equal(got.json().conversation.state, 'CLOSED');
    const messages = await ctx.app.inject({ method: 'GET', url: `${name}/conversationMessages`, headers: ctx.a.auth });
    assert.deepEqual(messages.json().conversationMessages.map((m: { text: string; speaker: string }) => [m.speaker, m.text]), [['VISITOR', 'cross'], ['VIRTUAL_AGENT', 'surface']]);
  });
});

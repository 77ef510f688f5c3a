import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { assertError, client, createConversation, createPrompt, events, hex, snapshot } from './ingest-fixtures.ts';

forEachDriver('ingest surface: appending messages', (kind) => {
  const ctx = useTestApp(kind);
  const api = client(ctx, () => ctx.a);
  let promptId: string;
  before(async () => {
    promptId = await createPrompt(api);
  });

  const open = async () => (await createConversation(api, { promptId, content: 'User: Can you check my order status?', status: 'active' })).id;

  it('appends turns, merges metadata shallowly, recomputes content, and answers with the full state', async () => {
    const id = await open();
    const first = await api.post(`/conversations/${id}/messages`, {
      messages: [{ role: 'assistant', content: "Sure — what's your order number?" }],
      status: 'active',
      metadata: { sessionId: 'sess_abc', user: { tier: 'gold' } },
    });
    assert.equal(first.statusCode, 200, first.body);
    const second = await api.post(`/conversations/${id}/messages`, {
      messages: [{ role: 'user', content: 'A-1234' }, { role: 'tool', content: '', toolCalls: [{ name: 'lookup', result: 'shipped' }] }],
      metadata: { user: { vip: true }, channel: 'web' },
    });
    assert.equal(second.statusCode, 200, second.body);
    const state = second.json();
    assert.equal(state.id, id);
    assert.equal(state.status, 'active');
    assert.deepEqual(state.messages, [
      { role: 'user', content: 'Can you check my order status?' },
      { role: 'assistant', content: "Sure — what's your order number?" },
      { role: 'user', content: 'A-1234' },
      { role: 'tool', content: '', toolCalls: [{ name: 'lookup', result: 'shipped' }] },
    ]);
    assert.equal(state.content, "User: Can you check my order status?\nAssistant: Sure — what's your order number?\nUser: A-1234\nTool: ");
    assert.deepEqual(state.metadata, { sessionId: 'sess_abc', user: { vip: true }, channel: 'web' }, 'top-level keys replace, others stay');
    assert.ok(Date.parse(state.updatedAt) >= Date.parse(state.createdAt));
    assert.equal(state.messageCount, 4);
    const updates = (await events(ctx, hex(id))).filter((e) => e.type === 'CONVERSATION_UPDATE');
    assert.deepEqual(updates.map((e) => e.payload.fields), [['messages', 'content', 'metadata'], ['messages', 'content', 'metadata']]);
  });

  it('completes once: "completed" closes the conversation with one CONVERSATION_END, later appends are 409', async () => {
    const id = await open();
    const done = await api.post(`/conversations/${id}/messages`, { messages: [{ role: 'assistant', content: 'Shipped today.' }], status: 'completed' });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.json().status, 'completed');
    const before = await snapshot(ctx);
    const again = assertError(await api.post(`/conversations/${id}/messages`, { messages: [{ role: 'user', content: 'thanks' }], status: 'completed' }), 409, 'CONFLICT');
    assert.match(again.message, /completed/);
    assert.deepEqual(await snapshot(ctx), before);
    const ends = (await events(ctx, hex(id))).filter((e) => e.type === 'CONVERSATION_END');
    assert.equal(ends.length, 1, 'one CONVERSATION_END: one analysis');
    assert.equal(ends[0].payload.reason, 'completed');
  });

  it('replays an Idempotency-Key without appending twice; another body with it is 409', async () => {
    const id = await open();
    const body = { messages: [{ role: 'assistant', content: 'once' }] };
    const first = await api.post(`/conversations/${id}/messages`, body, { 'idempotency-key': 'append-1' });
    assert.equal(first.statusCode, 200, first.body);
    const before = await snapshot(ctx);
    const replay = await api.post(`/conversations/${id}/messages`, body, { 'idempotency-key': 'append-1' });
    assert.equal(replay.statusCode, 200, replay.body);
    assert.deepEqual(replay.json(), first.json());
    assert.deepEqual(await snapshot(ctx), before);
    assertError(await api.post(`/conversations/${id}/messages`, { messages: [{ role: 'assistant', content: 'twice' }] }, { 'idempotency-key': 'append-1' }), 409, 'CONFLICT');
    assert.deepEqual(await snapshot(ctx), before);
    // The same key on another conversation is another request.
    const other = await open();
    assert.equal((await api.post(`/conversations/${other}/messages`, body, { 'idempotency-key': 'append-1' })).statusCode, 200);
  });

  it('20 parallel appends of 5 messages: exactly 100 new messages, each batch contiguous and in order', async () => {
    const id = (await createConversation(api, { promptId, content: '', status: 'active' })).id;
    const results = await Promise.all(Array.from({ length: 20 }, (_, b) => api.post(`/conversations/${id}/messages`, {
      messages: Array.from({ length: 5 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `batch ${b} message ${i}` })),
    })));
    for (const res of results) assert.equal(res.statusCode, 200, res.body);
    const state = (await api.get(`/conversations/${id}`)).json();
    assert.equal(state.messages.length, 100);
    assert.equal(state.messageCount, 100);
    const texts: string[] = state.messages.map((m: { content: string }) => m.content);
    assert.equal(new Set(texts).size, 100, 'none duplicated');
    for (let start = 0; start < 100; start += 5) {
      const batch = /^batch (\d+) message 0$/.exec(texts[start]);
      assert.ok(batch, `a batch starts at ${start}: ${texts[start]}`);
      for (let i = 0; i < 5; i++) assert.equal(texts[start + i], `batch ${batch[1]} message ${i}`);
    }
    const seqs = await ctx.database.db.query<{ seq: number }>(`SELECT seq FROM messages WHERE conversation_id = $1 ORDER BY seq`, [hex(id)]);
    assert.deepEqual(seqs.map((r) => r.seq), Array.from({ length: 100 }, (_, i) => i), 'gapless');
    // Each append saw every message before it: the longest answer holds all 100.
    assert.equal(Math.max(...results.map((r) => r.json().messages.length)), 100);
  });

  it('parallel appends without a key go through group commit: each answer is the transcript up to its own turns', async () => {
    const id = (await createConversation(api, { promptId, content: '', status: 'active' })).id;
    const results = await Promise.all(Array.from({ length: 12 }, (_, b) => api.post(`/conversations/${id}/messages`, {
      messages: [{ role: 'user', content: `q${b}` }, { role: 'assistant', content: `a${b}` }],
    })));
    const final = (await api.get(`/conversations/${id}`)).json().messages.map((m: { content: string }) => m.content);
    assert.equal(final.length, 24, 'none lost');
    for (const [b, res] of results.entries()) {
      assert.equal(res.statusCode, 200, res.body);
      const answer = res.json().messages.map((m: { content: string }) => m.content);
      assert.deepEqual(answer, final.slice(0, answer.length), 'a prefix of the final transcript: every message before its own');
      assert.deepEqual(answer.slice(-2), [`q${b}`, `a${b}`], 'ending with its own turns');
      assert.equal(res.json().messageCount, answer.length);
    }
    const seqs = await ctx.database.db.query<{ seq: number }>(`SELECT seq FROM messages WHERE conversation_id = $1 ORDER BY seq`, [hex(id)]);
    assert.deepEqual(seqs.map((r) => r.seq), Array.from({ length: 24 }, (_, i) => i), 'gapless');
    const updates = (await events(ctx, hex(id))).filter((e) => e.type === 'CONVERSATION_UPDATE');
    assert.equal(updates.length, 12, 'one CONVERSATION_UPDATE per append');
  });

  it('refuses bad appends naming the field, writing nothing', async () => {
    const id = await open();
    const before = await snapshot(ctx);
    const cases: [unknown, string][] = [
      [{}, 'messages'],
      [{ messages: [] }, 'messages'],
      [{ messages: [{ role: 'user', content: '' }] }, 'messages[0].content'],
      [{ messages: [{ role: 'assistant', content: 'ok' }, { role: 'system', content: ' ' }] }, 'messages[1].content'],
      [{ messages: [{ role: 'bot', content: 'x' }] }, 'messages[0].role'],
      [{ messages: [{ role: 'user', content: 'x', usage: { promptTokens: 'many' } }] }, 'messages[0].usage.promptTokens'],
      [{ messages: [{ role: 'user', content: 'x' }], status: 'finished' }, 'status'],
      [{ messages: [{ role: 'user', content: 'x' }], metadata: 'flat' }, 'metadata'],
      [{ messages: [{ role: 'user', content: 'x' }], extra: 1 }, 'extra'],
    ];
    for (const [payload, field] of cases) {
      const error = assertError(await api.post(`/conversations/${id}/messages`, payload), 400, 'VALIDATION_ERROR', JSON.stringify(payload));
      assert.ok(field in error.details, `${JSON.stringify(payload)} → ${JSON.stringify(error)} should name ${field}`);
    }
    assertError(await api.post(`/conversations/conv_${'0'.repeat(24)}/messages`, { messages: [{ role: 'user', content: 'x' }] }), 404, 'NOT_FOUND');
    assertError(await api.post('/conversations/456/messages', { messages: [{ role: 'user', content: 'x' }] }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(await snapshot(ctx), before);
  });

  it('appends here to a conversation started on the conversations surface', async () => {
    const started = await ctx.app.inject({ method: 'POST', url: '/v1/customers/acme/profiles/default/conversations:start', headers: ctx.a.auth, payload: {} });
    assert.equal(started.statusCode, 200, started.body);
    const parleyId = started.json().name.split('/').pop();
    const res = await api.post(`/conversations/conv_${parleyId}/messages`, { messages: [{ role: 'user', content: 'from ingest' }], metadata: { via: 'ingest' }, status: 'completed' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().promptId, null);
    assert.deepEqual(res.json().metadata, { via: 'ingest' });
    const there = await ctx.app.inject({ method: 'GET', url: `/v1/${started.json().name}`, headers: ctx.a.auth });
    assert.equal(there.json().conversation.state, 'CLOSED');
    const messages = await ctx.app.inject({ method: 'GET', url: `/v1/${started.json().name}/conversationMessages`, headers: ctx.a.auth });
    assert.deepEqual(messages.json().conversationMessages.map((m: { text: string; speaker: string }) => [m.speaker, m.text]), [['VISITOR', 'from ingest']]);
  });
});

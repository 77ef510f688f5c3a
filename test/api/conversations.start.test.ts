import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';

forEachDriver('StartConversation / GetConversation', (kind) => {
  const ctx = useTestApp(kind);
  const base = '/v1/customers/acme/profiles/default/conversations';

  it('starts with a server-assigned id and reads it back', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: `${base}:start`, headers: ctx.a.auth, payload: { displayName: 'first', channel: 'CHAT' } });
    assert.equal(res.statusCode, 200, res.body);
    const conversation = res.json();
    assert.match(conversation.name, /^customers\/acme\/profiles\/default\/conversations\/[a-f0-9]{24}$/);
    assert.equal(conversation.state, 'ACTIVE');
    assert.equal(conversation.source, 'API');
    const got = await ctx.app.inject({ method: 'GET', url: `/v1/${conversation.name}`, headers: ctx.a.auth });
    assert.equal(got.statusCode, 200);
    assert.deepEqual(got.json().conversation, conversation);
  });

  it('treats a POST without a body as the empty message', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: `${base}:start`, headers: ctx.a.auth });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().state, 'ACTIVE');
  });

  it('is idempotent on a caller-chosen id and does not update the existing one', async () => {
    const first = await ctx.app.inject({ method: 'POST', url: `${base}/call-42:start`, headers: ctx.a.auth, payload: { displayName: 'one' } });
    assert.equal(first.statusCode, 200, first.body);
    const before = await ctx.snapshot();
    const again = await ctx.app.inject({ method: 'POST', url: `${base}/call-42:start`, headers: ctx.a.auth, payload: { displayName: 'two' } });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().displayName, 'one');
    assert.equal(again.json().name, first.json().name);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('refuses unknown fields, wrong types and bad enums, writing nothing', async () => {
    const before = await ctx.snapshot();
    for (const payload of [{ bogus: 1 }, { displayName: 5 }, { channel: 'FAX' }, { startTime: 'yesterday' }]) {
      const res = await ctx.app.inject({ method: 'POST', url: `${base}:start`, headers: ctx.a.auth, payload });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().code, 3);
      assert.ok(res.json().details[0].fieldViolations[0].field, 'names the field');
    }
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('answers 401 without a key and 404 across tenants', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: `${base}:start`, payload: {} });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, 16);
    const other = await ctx.app.inject({ method: 'POST', url: `${base}:start`, headers: ctx.b.auth, payload: {} });
    assert.equal(other.statusCode, 404);
  });

  it('closeAgentOtherConversations closes the agent\'s other open conversations with an event', async () => {
    const first = await ctx.app.inject({ method: 'POST', url: `${base}:start`, headers: ctx.a.auth, payload: { agentUserName: 'ann' } });
    const other = await ctx.app.inject({ method: 'POST', url: `${base}:start`, headers: ctx.a.auth, payload: { agentUserName: 'bob' } });
    const second = await ctx.app.inject({
      method: 'POST', url: `${base}:start?closeAgentOtherConversations=true`, headers: ctx.a.auth, payload: { agentUserName: 'ann' },
    });
    assert.equal(second.statusCode, 200, second.body);
    const state = async (name: string) => (await ctx.app.inject({ method: 'GET', url: `/v1/${name}`, headers: ctx.a.auth })).json().conversation;
    const closed = await state(first.json().name);
    assert.equal(closed.state, 'CLOSED');
    assert.ok(closed.endTime);
    assert.equal((await state(other.json().name)).state, 'ACTIVE');
    assert.equal((await state(second.json().name)).state, 'ACTIVE');
    const id = first.json().name.split('/').pop();
    const events = await ctx.database.db.query<{ type: string }>(
      `SELECT e.type FROM events e JOIN conversations c ON c.customer_id = e.customer_id AND c.id = e.conversation_id
        WHERE c.name_id = $1 ORDER BY e.seq`, [id]);
    assert.deepEqual(events.map((e) => e.type), ['CONVERSATION_START', 'CONVERSATION_END']);
  });
});

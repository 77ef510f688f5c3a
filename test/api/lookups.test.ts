import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';

forEachDriver('FetchConversationByLegacyID / ByPlatformID, BatchGet / BatchStart', (kind) => {
  const ctx = useTestApp(kind);
  const base = '/v1/customers/acme/profiles/default/conversations';
  const start = async (id: string, payload: Record<string, unknown>) => {
    const res = await ctx.app.inject({ method: 'POST', url: `${base}/${id}:start`, headers: ctx.a.auth, payload });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

  it('fetches by legacy chat id, the latest start winning, and 404s when none', async () => {
    await start('legacy-old', { legacyChatId: 77, startTime: '2024-01-01T00:00:00Z' });
    const latest = await start('legacy-new', { legacyChatId: 77, startTime: '2024-02-01T00:00:00Z' });
    const res = await ctx.app.inject({ method: 'GET', url: `${base}:fetchByLegacyId?legacyChatId=77`, headers: ctx.a.auth });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().conversation, latest);
    const none = await ctx.app.inject({ method: 'GET', url: `${base}:fetchByLegacyId?legacyChatId=78`, headers: ctx.a.auth });
    assert.equal(none.statusCode, 404);
    assert.equal(none.json().code, 5);
    const bad = await ctx.app.inject({ method: 'GET', url: `${base}:fetchByLegacyId?legacyChatId=abc`, headers: ctx.a.auth });
    assert.equal(bad.statusCode, 400);
    const otherTenant = await ctx.app.inject({ method: 'GET', url: `${base}:fetchByLegacyId?legacyChatId=77`, headers: ctx.b.auth });
    assert.equal(otherTenant.statusCode, 404);
  });

  it('fetches by platform ids sorted by startTime ascending, conversation = the latest', async () => {
    const platformInfo = { platform: 'connect', platformConversationId: 'call-9', platformAccountId: 'acct-1' };
    const second = await start('plat-b', { platformInfo, startTime: '2024-03-02T00:00:00Z' });
    const first = await start('plat-a', { platformInfo, startTime: '2024-03-01T00:00:00Z' });
    await start('plat-other-account', { platformInfo: { ...platformInfo, platformAccountId: 'acct-2' }, startTime: '2024-03-03T00:00:00Z' });
    const res = await ctx.app.inject({ method: 'GET', url: `${base}:fetchByPlatformId?platformConversationId=call-9&platformAccountId=acct-1`, headers: ctx.a.auth });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().conversations.map((c: { name: string }) => c.name), [first.name, second.name]);
    assert.deepEqual(res.json().conversation, second);
    const none = await ctx.app.inject({ method: 'GET', url: `${base}:fetchByPlatformId?platformConversationId=call-9&platformAccountId=acct-9`, headers: ctx.a.auth });
    assert.equal(none.statusCode, 404);
    const missing = await ctx.app.inject({ method: 'GET', url: `${base}:fetchByPlatformId?platformConversationId=call-9`, headers: ctx.a.auth });
    assert.equal(missing.statusCode, 400);
  });

  it('batch-gets in request order, duplicates included; one missing name is NOT_FOUND for the call', async () => {
    const x = await start('bg-x', {});
    const y = await start('bg-y', {});
    const url = (names: string[]) => `${base}:batchGet?${names.map((n) => `names=${encodeURIComponent(n)}`).join('&')}`;
    const res = await ctx.app.inject({ method: 'GET', url: url([y.name, x.name, y.name]), headers: ctx.a.auth });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().conversations, [y, x, y]);
    const single = await ctx.app.inject({ method: 'GET', url: url([x.name]), headers: ctx.a.auth });
    assert.deepEqual(single.json().conversations, [x]);
    const missing = await ctx.app.inject({ method: 'GET', url: url([x.name, `${base.slice(4)}/bg-nope`]), headers: ctx.a.auth });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().message, /bg-nope/);
    for (const bad of [['nonsense'], ['customers/acme/profiles/support/conversations/bg-x'], Array.from({ length: 101 }, () => x.name)]) {
      const res400 = await ctx.app.inject({ method: 'GET', url: url(bad), headers: ctx.a.auth });
      assert.equal(res400.statusCode, 400, bad[0]);
    }
    const otherTenant = await ctx.app.inject({ method: 'GET', url: url([x.name]), headers: ctx.b.auth });
    assert.equal(otherTenant.statusCode, 404);
  });

  it('batch-starts all or nothing, idempotent per id, one event per new conversation', async () => {
    const existing = await start('bs-existing', { displayName: 'kept' });
    const before = await ctx.snapshot();
    const res = await ctx.app.inject({
      method: 'POST', url: `${base}:batchStart`, headers: ctx.a.auth,
      payload: { requests: [
        { conversationId: 'bs-1', conversation: { displayName: 'one', channel: 'CHAT' } },
        { conversation: { displayName: 'server id' } },
        { conversationId: 'bs-existing', conversation: { displayName: 'ignored' } },
      ] },
    });
    assert.equal(res.statusCode, 200, res.body);
    const [one, assigned, again] = res.json().conversations;
    assert.equal(one.name, `${base.slice(4)}/bs-1`);
    assert.equal(one.channel, 'CHAT');
    assert.match(assigned.name, /\/conversations\/[a-f0-9]{24}$/);
    assert.deepEqual(again, existing);
    const after = await ctx.snapshot();
    assert.equal(after.conversations, before.conversations + 2);
    assert.equal(after.events, before.events + 2);
  });

  it('refuses a batch with one bad request, writing nothing', async () => {
    const before = await ctx.snapshot();
    const bodies = [
      { requests: [{ conversationId: 'bs-ok-1' }, { conversationId: 'bs-ok-2', conversation: { languageCode: 'not a tag!' } }] },
      { requests: [{ conversationId: 'bs-dup' }, { conversationId: 'bs-dup' }] },
      { requests: [{ conversationId: 'bad id with spaces' }] },
      { requests: [] },
      { requests: Array.from({ length: 101 }, (_, i) => ({ conversationId: `bs-many-${i}` })) },
      { requests: [{ conversationId: 'bs-unknown', bogus: true }] },
    ];
    for (const payload of bodies) {
      const res = await ctx.app.inject({ method: 'POST', url: `${base}:batchStart`, headers: ctx.a.auth, payload });
      assert.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 80));
      assert.equal(res.json().code, 3);
    }
    const field = (await ctx.app.inject({ method: 'POST', url: `${base}:batchStart`, headers: ctx.a.auth, payload: bodies[0] })).json();
    assert.equal(field.details[0].fieldViolations[0].field, 'requests[1].conversation.languageCode');
    const otherTenant = await ctx.app.inject({ method: 'POST', url: `${base}:batchStart`, headers: ctx.b.auth, payload: { requests: [{ conversationId: 'bs-x' }] } });
    assert.equal(otherTenant.statusCode, 404);
    assert.deepEqual(await ctx.snapshot(), before);
  });
});

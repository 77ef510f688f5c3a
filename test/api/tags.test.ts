import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp, type TestContext } from '../helpers/app.ts';

const base = '/v1/customers/acme/profiles/default/conversations';
const vip = 'customers/acme/profiles/default/tags/vip';

async function post(ctx: TestContext, url: string, payload: unknown) {
  return ctx.app.inject({ method: 'POST', url, headers: ctx.a.auth, payload: payload as object });
}

async function get(ctx: TestContext, url: string) {
  return ctx.app.inject({ method: 'GET', url, headers: ctx.a.auth });
}

async function del(ctx: TestContext, url: string) {
  return ctx.app.inject({ method: 'DELETE', url, headers: ctx.a.auth });
}

async function eventTypes(ctx: TestContext, conv: string): Promise<string[]> {
  const res = await get(ctx, `/v1/${conv}/events?filter.types=TAG_ADD&filter.types=TAG_REMOVE`);
  return res.json().conversationEvents.map((e: { type: string; payload: { tag: string } }) => `${e.type}:${e.payload.tag}`);
}

forEachDriver('conversation tags', (kind) => {
  const ctx = useTestApp(kind);
  let conv: string;
  let plain: string;
  before(async () => {
    conv = (await post(ctx, `${base}/tags-main:start`, {})).json().name;
    plain = (await post(ctx, `${base}/tags-plain:start`, {})).json().name;
  });

  it('adds a tag, creating it; adding it again changes nothing', async () => {
    const res = await post(ctx, `/v1/${conv}/tags`, { tag: vip });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {});
    const list = await get(ctx, `/v1/${conv}/tags`);
    assert.equal(list.statusCode, 200);
    const tags = list.json().tags;
    assert.equal(tags.length, 1);
    assert.equal(tags[0].name, vip);
    assert.equal(tags[0].displayName, '');
    assert.ok(!Number.isNaN(Date.parse(tags[0].createTime)));
    assert.deepEqual(await eventTypes(ctx, conv), ['TAG_ADD:vip']);

    const before = await ctx.snapshot();
    const again = await post(ctx, `/v1/${conv}/tags`, { tag: vip });
    assert.equal(again.statusCode, 200);
    assert.deepEqual(await ctx.snapshot(), before);
    assert.deepEqual((await get(ctx, `/v1/${conv}/tags`)).json().tags, tags);
  });

  it('finds tagged conversations through ListConversations filter.tags', async () => {
    const res = await post(ctx, base, { filter: { tags: [vip] } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().conversations.map((c: { name: string }) => c.name), [conv]);
    const none = await post(ctx, base, { filter: { tags: ['customers/acme/profiles/default/tags/nobody'] } });
    assert.deepEqual(none.json().conversations, []);
  });

  it('adds the caller’s star tag', async () => {
    const res = await post(ctx, `/v1/${plain}/addConversationStarTag`, {});
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {});
    const keyId = (await ctx.core.apiKeys.authenticate(ctx.a.key)).keyId;
    const star = `customers/acme/profiles/default/tags/star.${keyId}`;
    assert.deepEqual((await get(ctx, `/v1/${plain}/tags`)).json().tags.map((t: { name: string }) => t.name), [star]);
    const before = await ctx.snapshot();
    const again = await ctx.app.inject({ method: 'POST', url: `/v1/${plain}/addConversationStarTag`, headers: ctx.a.auth });
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(await ctx.snapshot(), before);
    const found = await post(ctx, base, { filter: { tags: [star] } });
    assert.deepEqual(found.json().conversations.map((c: { name: string }) => c.name), [plain]);
  });

  it('deletes a tag; deleting an absent one is NOT_FOUND and writes nothing', async () => {
    const c = (await post(ctx, `${base}/tags-delete:start`, {})).json().name;
    await post(ctx, `/v1/${c}/tags`, { tag: 'customers/acme/profiles/default/tags/temp' });
    const res = await del(ctx, `/v1/${c}/tags/temp`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {});
    assert.deepEqual((await get(ctx, `/v1/${c}/tags`)).json(), { tags: [] });
    assert.deepEqual(await eventTypes(ctx, c), ['TAG_ADD:temp', 'TAG_REMOVE:temp']);
    const before = await ctx.snapshot();
    const absent = await del(ctx, `/v1/${c}/tags/temp`);
    assert.equal(absent.statusCode, 404, absent.body);
    assert.equal(absent.json().code, 5);
    const never = await del(ctx, `/v1/${c}/tags/never-seen`);
    assert.equal(never.statusCode, 404);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('refuses malformed tags and bodies, writing nothing', async () => {
    const before = await ctx.snapshot();
    for (const payload of [
      {}, { tag: 5 }, { tag: vip, extra: 1 }, { tag: 'vip' }, { tag: 'customers/acme/profiles/default/labels/vip' },
      { tag: 'customers/acme/profiles/default/tags/Not Valid' }, { tag: 'customers/acme/profiles/support/tags/vip' },
      { tag: 'customers/globex/profiles/default/tags/vip' },
    ]) {
      const res = await post(ctx, `/v1/${conv}/tags`, payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().code, 3);
    }
    const star = await post(ctx, `/v1/${conv}/addConversationStarTag`, { bogus: true });
    assert.equal(star.statusCode, 400);
    const badId = await del(ctx, `/v1/${conv}/tags/Bad%20Tag`);
    assert.equal(badId.statusCode, 400);
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('answers NOT_FOUND for an absent conversation and across tenants, writing nothing', async () => {
    const before = await ctx.snapshot();
    assert.equal((await get(ctx, `${base}/nope/tags`)).statusCode, 404);
    assert.equal((await post(ctx, `${base}/nope/tags`, { tag: vip })).statusCode, 404);
    assert.equal((await post(ctx, `${base}/nope/addConversationStarTag`, {})).statusCode, 404);
    const other = await ctx.app.inject({ method: 'POST', url: `/v1/${conv}/tags`, headers: ctx.b.auth, payload: { tag: vip } });
    assert.equal(other.statusCode, 404);
    const otherList = await ctx.app.inject({ method: 'GET', url: `/v1/${conv}/tags`, headers: ctx.b.auth });
    assert.equal(otherList.statusCode, 404);
    assert.deepEqual(await ctx.snapshot(), before);
  });
});

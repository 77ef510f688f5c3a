import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';

type Json = Record<string, unknown>;
const LIST = '/v1/customers/acme/profiles/search/conversations';
const T0 = Date.parse('2024-05-01T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

forEachDriver('console API: ListConversations with filter.search', (kind) => {
  const ctx = useTestApp(kind);

  const list = (body: object, headers: Json = ctx.a.auth) => ctx.app.inject({ method: 'POST', url: LIST, headers: headers as Record<string, string>, payload: body });
  async function ids(body: object): Promise<string[]> {
    const res = await list(body);
    assert.equal(res.statusCode, 200, res.body);
    return (res.json().conversations as Json[]).map((c) => String(c.name).split('/').pop()!);
  }
  /** Every page of a list, by its tokens. */
  async function walk(body: Json): Promise<string[]> {
    const all: string[] = [];
    let pageToken = '';
    do {
      const res = await list({ ...body, ...(pageToken ? { pageToken } : {}) });
      assert.equal(res.statusCode, 200, res.body);
      all.push(...(res.json().conversations as Json[]).map((c) => String(c.name).split('/').pop()!));
      pageToken = res.json().nextPageToken;
    } while (pageToken);
    return all;
  }

  async function start(path: string, body: object, headers: Json = ctx.a.auth, text?: string) {
    const res = await ctx.app.inject({ method: 'POST', url: `${path}:start`, headers: headers as Record<string, string>, payload: body });
    assert.equal(res.statusCode, 200, res.body);
    if (text) {
      const posted = await ctx.app.inject({ method: 'POST', url: `/v1/${res.json().name}/conversationMessages`, headers: headers as Record<string, string>, payload: { text, speaker: 'VISITOR' } });
      assert.equal(posted.statusCode, 200, posted.body);
    }
  }

  before(async () => {
    await ctx.core.tenancy.createProfile('acme', 'search');
    // Started in an order unlike both the rank and the start times.
    await start(`${LIST}/in-messages`, { startTime: at(3), channel: 'CHAT' }, ctx.a.auth, 'the chain of my bike broke');
    await start(`${LIST}/in-title`, { startTime: at(1), displayName: 'Bike repair question', channel: 'VOICE' });
    await start(`${LIST}/fragment`, { startTime: at(2), displayName: 'Bikeshop opening hours', channel: 'CHAT' });
    await start(`${LIST}/unrelated`, { startTime: at(4), displayName: 'Invoice copy' }, ctx.a.auth, 'please send the invoice');
    await start(`${LIST}/in-title-too`, { startTime: at(5), displayName: 'Second bike' });
    await start('/v1/customers/acme/profiles/default/conversations/other-profile', { displayName: 'bike elsewhere' });
    await start('/v1/customers/globex/profiles/default/conversations/other-customer', { displayName: 'bike at globex' }, ctx.b.auth);
  });

  it("ranks by the support desk's search: a whole word in the title, then a fragment, then the messages; ties newest first", async () => {
    assert.deepEqual(await ids({ filter: { search: 'bike' } }), ['in-title-too', 'in-title', 'fragment', 'in-messages']);
    assert.deepEqual(await ids({ filter: { search: 'invoice' } }), ['unrelated']);
    assert.deepEqual(await ids({ filter: { search: 'spaceship' } }), []);
    // Every word must be found.
    assert.deepEqual(await ids({ filter: { search: 'bike repair' } }), ['in-title']);
  });

  it('combines with the other filters and a time order, and pages by keyset without losing or repeating one', async () => {
    assert.deepEqual(await ids({ filter: { search: 'bike', channels: ['CHAT'] } }), ['fragment', 'in-messages']);
    assert.deepEqual(await ids({ filter: { search: 'bike', rangeEndTime: at(2) } }), ['in-title', 'fragment']);
    assert.deepEqual(await ids({ filter: { search: 'bike' }, orderBy: 'startTime' }), ['in-title', 'fragment', 'in-messages', 'in-title-too']);
    assert.deepEqual(await walk({ filter: { search: 'bike' }, pageSize: 1 }), ['in-title-too', 'in-title', 'fragment', 'in-messages']);
    assert.deepEqual(await walk({ filter: { search: 'bike' }, pageSize: 3, orderBy: 'startTime desc' }), ['in-title-too', 'in-messages', 'fragment', 'in-title']);
    // Blank is no search: the plain list, newest first.
    assert.deepEqual(await ids({ filter: { search: '  ' } }), ['in-title-too', 'unrelated', 'in-messages', 'fragment', 'in-title']);
  });

  it("finds only its agent's conversations with a key narrowed to an agent", async () => {
    const agent = await ctx.core.agents.create({ customerId: 'acme', profileId: 'search' }, { name: 'Workshop', knowledge: [{ name: 'a.md', content: '# Repairs\nTwo days.' }] });
    const key = (await ctx.core.apiKeys.create({ customerId: 'acme', agentId: agent.id })).secret;
    const turn = await ctx.core.interactions.create(await ctx.core.apiKeys.authenticate(key), { agentId: agent.id, initialMessage: { type: 'user-message', text: 'Is my bike repaired yet?' } }, new AbortController().signal);
    for await (const _ of turn.events) { /* persisted before its last event */ }
    const narrowed = await list({ filter: { search: 'bike' } }, { authorization: `Bearer ${key}` });
    assert.equal(narrowed.statusCode, 200, narrowed.body);
    assert.deepEqual((narrowed.json().conversations as Json[]).map((c) => c.uid), [turn.conversationId]);
    const all = await ids({ filter: { search: 'bike' } });
    assert.equal(all.length, 5);
    assert.ok(all.includes(turn.conversationId));
  });

  it("refuses a page token of another search or a forged one, a search too long, and other tenants' lists", async () => {
    const first = await list({ filter: { search: 'bike' }, pageSize: 1 });
    const token = first.json().nextPageToken as string;
    assert.ok(token);
    const other = await list({ filter: { search: 'bikes' }, pageSize: 1, pageToken: token });
    assert.equal(other.statusCode, 400, other.body);
    assert.match(other.json().message, /different filter/);
    const plain = await list({ pageSize: 1, pageToken: token });
    assert.equal(plain.statusCode, 400, plain.body);
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    for (const rank of ['6; DROP TABLE x', -1, 1e9]) {
      const forged = Buffer.from(JSON.stringify({ ...decoded, k: [rank, ...decoded.k.slice(1)] })).toString('base64url');
      const res = await list({ filter: { search: 'bike' }, pageSize: 1, pageToken: forged });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.json().message, /not a page token issued by this server/);
    }
    const long = await list({ filter: { search: 'x'.repeat(257) } });
    assert.equal(long.statusCode, 400, long.body);
    assert.equal(long.json().code, 3);
    for (const headers of [ctx.b.auth, ctx.aSupport.auth]) {
      const res = await list({ filter: { search: 'bike' } }, headers);
      assert.equal(res.statusCode, 404, res.body);
    }
  });
});

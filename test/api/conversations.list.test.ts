import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Caller } from '../../src/kernel/types.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const H = 3_600_000;

forEachDriver('ListConversations / CountConversations / DeleteConversation', (kind) => {
  const ctx = useTestApp(kind);
  let caller: Caller;
  /** Fixture key → resource name, in profile `listing`. */
  const names: Record<string, string> = {};
  const listing = '/v1/customers/acme/profiles/listing/conversations';

  async function start(profile: string, body: object): Promise<string> {
    const res = await ctx.app.inject({ method: 'POST', url: `/v1/customers/acme/profiles/${profile}/conversations:start`, headers: ctx.a.auth, payload: body });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().name;
  }

  const nameId = (name: string) => name.split('/').pop()!;
  const ref = (name: string) => ({ customerId: 'acme', profileId: name.split('/')[3], nameId: nameId(name) });

  /** Closes through the API, then pins end_time: the API stamps "now", and the range bounds need exact instants. */
  async function closeAt(name: string, endTime: string) {
    const res = await ctx.app.inject({ method: 'POST', url: `/v1/${name}:close`, headers: ctx.a.auth, payload: {} });
    assert.equal(res.statusCode, 200, res.body);
    await ctx.database.db.query(`UPDATE conversations SET end_time = $1::timestamptz WHERE customer_id = 'acme' AND name_id = $2`, [endTime, nameId(name)]);
  }

  before(async () => {
    caller = await ctx.core.apiKeys.authenticate(ctx.a.key);
    await ctx.core.tenancy.createProfile('acme', 'listing');
    // Created in the order c3, c1, c4, c2 so createTime order differs from startTime order.
    names.c3 = await start('listing', {
      startTime: at(3 * H), team: 'blue', agentUserName: 'bob', channel: 'CHAT', languageCode: 'fr-FR', usecase: 'support', agent: 'agents/a1',
    });
    names.c1 = await start('listing', {
      startTime: at(0), team: 'blue', agentUserName: 'alice', channel: 'CHAT', languageCode: 'en-US', usecase: 'sales', agent: 'agents/a1',
      platformInfo: { platform: 'genesys', platformConversationId: 'p-1' },
    });
    names.c4 = await start('listing', {
      startTime: at(5 * H), team: 'green', agentUserName: 'carol', channel: 'SMS', languageCode: 'en-US', usecase: 'sales', agent: 'agents/a3',
    });
    names.c2 = await start('listing', {
      startTime: at(2 * H), team: 'red', agentUserName: 'bob', channel: 'VOICE', source: 'OPERA_SYNTHETIC', languageCode: 'de-CH',
      usecase: 'support', agent: 'agents/a2', platformInfo: { platformConversationId: 'p-2' },
    });
    // Messages first: a closed conversation accepts none.
    await ctx.core.messages.append(caller, ref(names.c1), [{ text: 'hello, 50% off today' }]);
    await ctx.core.messages.append(caller, ref(names.c2), [{ text: '500 off' }, { text: 'under_score' }]);
    await ctx.core.messages.append(caller, ref(names.c4), [{ text: 'HELLO world' }]);
    await closeAt(names.c1, at(H));
    await closeAt(names.c2, at(2 * H + 30_000));
    await closeAt(names.c4, at(6 * H));
    const hold = await ctx.app.inject({ method: 'POST', url: `/v1/${names.c3}:updateState`, headers: ctx.a.auth, payload: { state: 'ON_HOLD' } });
    assert.equal(hold.statusCode, 200, hold.body);
  });

  async function list(body: object, url = listing) {
    const res = await ctx.app.inject({ method: 'POST', url, headers: ctx.a.auth, payload: body });
    assert.equal(res.statusCode, 200, `${JSON.stringify(body)}: ${res.body}`);
    return res.json() as { conversations: { name: string }[]; nextPageToken: string };
  }

  /** The fixture keys a filter selects, in the order the server returned them. */
  async function selected(filter: object, orderBy = 'startTime'): Promise<string[]> {
    const page = await list({ filter, orderBy });
    const byName = Object.fromEntries(Object.entries(names).map(([k, v]) => [v, k]));
    return page.conversations.map((c) => byName[c.name] ?? c.name);
  }

  it('filters on every field: repeated values OR, fields AND', async () => {
    const cases: [object, string[]][] = [
      [{}, ['c1', 'c2', 'c3', 'c4']],
      // Overlap with both bounds inclusive: c1 ends exactly at the start, c2 starts exactly at the end.
      [{ rangeStartTime: at(H), rangeEndTime: at(2 * H) }, ['c1', 'c2']],
      [{ rangeStartTime: at(H + 1), rangeEndTime: at(2 * H) }, ['c2']],
      [{ rangeStartTime: at(H), rangeEndTime: at(2 * H - 1) }, ['c1']],
      // An open conversation (c3) overlaps every window after its start.
      [{ rangeStartTime: at(100 * H) }, ['c3']],
      [{ rangeStartTime: at(4 * H) }, ['c3', 'c4']],
      [{ rangeEndTime: at(0) }, ['c1']],
      [{ users: [{ userName: 'bob', teamName: 'red' }] }, ['c2']],
      [{ users: [{ userName: 'bob' }] }, ['c2', 'c3']],
      [{ users: [{ userName: 'alice' }, { teamName: 'green' }] }, ['c1', 'c4']],
      [{ teams: ['blue'] }, ['c1', 'c3']],
      [{ teams: ['red', 'green'] }, ['c2', 'c4']],
      [{ platformConversationId: 'p-1' }, ['c1']],
      [{ platformConversationId: 'p-9' }, []],
      [{ minConversationDuration: '3600s' }, ['c1', 'c3', 'c4']],
      [{ maxConversationDuration: '60s' }, ['c2']],
      [{ minConversationDuration: '30s', maxConversationDuration: '30s' }, ['c2']],
      [{ minConversationDuration: '3600.001s', maxConversationDuration: '7200s' }, []],
      [{ messageKeyword: 'hello' }, ['c1', 'c4']],
      // '%' and '_' are literal: LIKE would let '50%' match "500 off" and '_' match any character.
      [{ messageKeyword: '50%' }, ['c1']],
      [{ messageKeyword: 'hel_o' }, []],
      [{ messageKeyword: '_' }, ['c2']],
      [{ messageKeyword: 'zebra' }, []],
      [{ states: ['ON_HOLD'] }, ['c3']],
      [{ states: ['CLOSED'] }, ['c1', 'c2', 'c4']],
      [{ states: ['ACTIVE'] }, []],
      [{ channels: ['VOICE', 'SMS'] }, ['c2', 'c4']],
      [{ sources: ['OPERA_SYNTHETIC'] }, ['c2']],
      [{ sources: ['API'] }, ['c1', 'c3', 'c4']],
      [{ languageCodes: ['de-CH', 'fr-FR'] }, ['c2', 'c3']],
      [{ usecases: ['sales'] }, ['c1', 'c4']],
      [{ agents: ['agents/a1'] }, ['c1', 'c3']],
      [{ agents: ['agents/a2', 'agents/a3'] }, ['c2', 'c4']],
      [{ teams: ['blue'], channels: ['CHAT'], states: ['ON_HOLD'] }, ['c3']],
      [{ teams: ['blue'], usecases: ['support'], languageCodes: ['en-US'] }, []],
    ];
    for (const [filter, expected] of cases) {
      assert.deepEqual(await selected(filter), expected, JSON.stringify(filter));
    }
  });

  it('orders by startTime and createTime, ascending and descending; startTime desc by default', async () => {
    assert.deepEqual(await selected({}, 'startTime'), ['c1', 'c2', 'c3', 'c4']);
    assert.deepEqual(await selected({}, 'startTime desc'), ['c4', 'c3', 'c2', 'c1']);
    assert.deepEqual(await selected({}, 'createTime'), ['c3', 'c1', 'c4', 'c2']);
    assert.deepEqual(await selected({}, 'createTime desc'), ['c2', 'c4', 'c1', 'c3']);
    const byDefault = await list({});
    assert.deepEqual(byDefault.conversations.map((c) => c.name), [names.c4, names.c3, names.c2, names.c1]);
    assert.equal(byDefault.nextPageToken, '');
  });

  it('refuses bad filters, orders and page sizes with INVALID_ARGUMENT', async () => {
    const bad: object[] = [
      { filter: { rangeStartTime: at(2 * H), rangeEndTime: at(H) } },
      { filter: { rangeStartTime: 'yesterday' } },
      { filter: { states: ['DONE'] } },
      { filter: { minConversationDuration: '5 minutes' } },
      { filter: { messageKeyword: '' } },
      { filter: { bogus: 1 } },
      { orderBy: 'updateTime' },
      { pageSize: 1001 },
      { pageSize: -1 },
      { pageToken: 'not-a-token' },
      { bogus: true },
    ];
    for (const body of bad) {
      const before = await ctx.snapshot();
      const res = await ctx.app.inject({ method: 'POST', url: listing, headers: ctx.a.auth, payload: body });
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
      assert.equal(res.json().code, 3);
      assert.deepEqual(await ctx.snapshot(), before);
    }
  });

  it('pages 50 by default', async () => {
    await ctx.core.tenancy.createProfile('acme', 'fifty');
    for (let i = 0; i < 55; i++) await start('fifty', { startTime: at(i * 1000) });
    const url = '/v1/customers/acme/profiles/fifty/conversations';
    const first = await list({}, url);
    assert.equal(first.conversations.length, 50);
    assert.notEqual(first.nextPageToken, '');
    const second = await list({ pageToken: first.nextPageToken }, url);
    assert.equal(second.conversations.length, 5);
    assert.equal(second.nextPageToken, '');
    assert.equal(new Set([...first.conversations, ...second.conversations].map((c) => c.name)).size, 55);
  });

  it('keyset page tokens neither skip nor repeat while conversations are inserted between pages', async () => {
    await ctx.core.tenancy.createProfile('acme', 'paging');
    const url = '/v1/customers/acme/profiles/paging/conversations';
    // Seven distinct start times for 40 conversations: most page boundaries fall inside a tie.
    for (let i = 0; i < 40; i++) await start('paging', { startTime: at((i % 7) * H) });
    for (const orderBy of ['startTime', 'startTime desc', 'createTime', 'createTime desc']) {
      const existing = new Set((await list({ pageSize: 1000 }, url)).conversations.map((c) => c.name));
      const descending = orderBy.endsWith('desc');
      const ahead = new Set<string>();
      const behind = new Set<string>();
      const seen: string[] = [];
      let token = '';
      do {
        const page = await list({ pageSize: 6, orderBy, pageToken: token || undefined }, url);
        seen.push(...page.conversations.map((c) => c.name));
        token = page.nextPageToken;
        if (token && ahead.size + behind.size < 6) {
          const early = await start('paging', { startTime: at(-50 * H) });
          const late = await start('paging', { startTime: at(50 * H) });
          if (orderBy.startsWith('startTime')) {
            (descending ? ahead : behind).add(early);
            (descending ? behind : ahead).add(late);
          } else {
            // By createTime both are the newest: past the end ascending, before the cursor descending.
            for (const n of [early, late]) (descending ? behind : ahead).add(n);
          }
        }
      } while (token);
      assert.equal(new Set(seen).size, seen.length, `${orderBy}: a conversation came twice`);
      for (const n of existing) assert.ok(seen.includes(n), `${orderBy}: ${n} was skipped`);
      for (const n of ahead) assert.ok(seen.includes(n), `${orderBy}: ${n}, inserted ahead of the cursor, was skipped`);
      for (const n of behind) assert.ok(!seen.includes(n), `${orderBy}: ${n}, inserted behind the cursor, came back`);
      assert.equal(seen.length, existing.size + ahead.size, orderBy);
      assert.equal(ahead.size + behind.size, 6, `${orderBy}: inserted between pages`);
    }
  });

  it('refuses a page token reused with another filter or order', async () => {
    const first = await list({ pageSize: 1, filter: { teams: ['blue'] } });
    assert.notEqual(first.nextPageToken, '');
    const ok = await list({ pageSize: 1, filter: { teams: ['blue'] }, pageToken: first.nextPageToken });
    assert.equal(ok.conversations.length, 1);
    for (const body of [
      { pageSize: 1, filter: { teams: ['red'] }, pageToken: first.nextPageToken },
      { pageSize: 1, pageToken: first.nextPageToken },
      { pageSize: 1, filter: { teams: ['blue'] }, orderBy: 'createTime', pageToken: first.nextPageToken },
    ]) {
      const before = await ctx.snapshot();
      const res = await ctx.app.inject({ method: 'POST', url: listing, headers: ctx.a.auth, payload: body });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().code, 3);
      assert.match(res.json().message, /pageToken/);
      assert.deepEqual(await ctx.snapshot(), before);
    }
    // Bound to the profile as well: the same filter in another profile is another listing.
    const other = await ctx.app.inject({
      method: 'POST', url: '/v1/customers/acme/profiles/default/conversations', headers: ctx.a.auth,
      payload: { pageSize: 1, filter: { teams: ['blue'] }, pageToken: first.nextPageToken },
    });
    assert.equal(other.statusCode, 400, other.body);
  });

  it('CountConversations answers {count} as an int64 string, with the filter in the query', async () => {
    const count = async (query: string) => {
      const res = await ctx.app.inject({ method: 'GET', url: `${listing}:count${query}`, headers: ctx.a.auth });
      assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
      return res.json();
    };
    assert.deepEqual(await count(''), { count: '4' });
    assert.deepEqual(await count(`?filter.rangeStartTime=${encodeURIComponent(at(H))}&filter.rangeEndTime=${encodeURIComponent(at(2 * H))}`), { count: '2' });
    assert.deepEqual(await count('?filter.teams=red&filter.teams=green'), { count: '2' });
    assert.deepEqual(await count('?filter.teams=blue'), { count: '2' });
    assert.deepEqual(await count('?filter.states=CLOSED&filter.channels=CHAT'), { count: '1' });
    assert.deepEqual(await count('?filter.messageKeyword=50%25'), { count: '1' });
    assert.deepEqual(await count('?filter.maxConversationDuration=60s'), { count: '1' });
    for (const query of ['?filter.states=DONE', '?filter.rangeStartTime=yesterday', '?filter.bogus=1', `?filter.rangeStartTime=${at(2 * H)}&filter.rangeEndTime=${at(H)}`]) {
      const res = await ctx.app.inject({ method: 'GET', url: `${listing}:count${query}`, headers: ctx.a.auth });
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
      assert.equal(res.json().code, 3);
    }
  });

  it('DeleteConversation removes the conversation with its messages, events and tags; again is 404', async () => {
    const name = await start('default', { displayName: 'doomed' });
    const keep = await start('default', { displayName: 'kept' });
    await ctx.core.messages.append(caller, ref(name), [{ text: 'one' }, { text: 'two' }]);
    await ctx.core.messages.append(caller, ref(keep), [{ text: 'stays' }]);
    await ctx.core.tags.add(caller, ref(name), { profileId: 'default', id: 'vip' });
    await ctx.core.tags.add(caller, ref(keep), { profileId: 'default', id: 'vip' });
    const id = (await ctx.core.conversations.get(ref(name))).id;
    const rowsOf = async (table: string) =>
      (await ctx.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE customer_id = 'acme' AND conversation_id = $1`, [id]))[0].n;
    assert.equal(await rowsOf('messages'), 2);
    assert.ok((await rowsOf('events')) >= 3);
    assert.equal(await rowsOf('conversation_tags'), 1);
    const before = await ctx.snapshot();

    const res = await ctx.app.inject({ method: 'DELETE', url: `/v1/${name}`, headers: ctx.a.auth });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {});
    for (const table of ['messages', 'conversation_tags']) assert.equal(await rowsOf(table), 0, table);
    // A deletion is an event: of the log only the CONVERSATION_DELETE stays, with ids and no content.
    const left = await ctx.database.db.query<{ type: string; payload: unknown }>(
      `SELECT type, payload FROM events WHERE customer_id = 'acme' AND conversation_id = $1`, [id]);
    assert.deepEqual(left, [{ type: 'CONVERSATION_DELETE', payload: { profileId: 'default', nameId: name.split('/').pop() } }]);
    const after = await ctx.snapshot();
    assert.equal(after.conversations, before.conversations - 1);
    assert.equal(after.messages, before.messages - 2);
    assert.equal(after.conversation_tags, before.conversation_tags - 1);
    assert.equal(after.tags, before.tags, "the profile's tag itself stays: the other conversation still carries it");
    const gone = await ctx.app.inject({ method: 'GET', url: `/v1/${name}`, headers: ctx.a.auth });
    assert.equal(gone.statusCode, 404);
    const kept = await ctx.app.inject({ method: 'GET', url: `/v1/${keep}`, headers: ctx.a.auth });
    assert.equal(kept.statusCode, 200);

    const again = await ctx.app.inject({ method: 'DELETE', url: `/v1/${name}`, headers: ctx.a.auth });
    assert.equal(again.statusCode, 404);
    assert.equal(again.json().code, 5);
    assert.deepEqual(await ctx.snapshot(), after);
  });
});

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { buildApp, type App } from '../../src/api/http.ts';
import { createCore, type Core } from '../../src/core/index.ts';
import type { StreamEvent } from '../../src/core/streams/event-streams.ts';
import type { Queryable } from '../../src/store/driver.ts';
import { appendEvents } from '../../src/store/events.ts';
import { openPostgres } from '../../src/store/pg-driver.ts';
import { useTestApp } from '../helpers/app.ts';
import { forEachDriver } from '../helpers/db.ts';
import { eventsOf, openStream, type StreamClient } from '../helpers/stream-client.ts';

const HEARTBEAT_MS = 100;
const MAX_BUFFER_BYTES = 64 * 1024;

forEachDriver('live event streams (conversations surface)', (kind) => {
  const open: StreamClient[] = [];
  // Registered before the app's own hooks, so it runs before the app closes: a stream whose reader
  // stopped holds its connection, and the server's close would wait for it.
  after(() => {
    for (const stream of open) stream.close();
  });
  // Polling every minute: within a test every event must come from the post-commit NOTIFY.
  const ctx = useTestApp(kind, { streams: { pollMs: 60_000, heartbeatMs: HEARTBEAT_MS, maxBufferBytes: MAX_BUFFER_BYTES } });
  let base = '';

  before(async () => {
    base = await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  });

  const P = '/v1/customers/acme/profiles/default';

  async function start(name: string, profile = 'default') {
    const res = await ctx.app.inject({ method: 'POST', url: `/v1/customers/acme/profiles/${profile}/conversations/${name}:start`, headers: ctx.a.auth, payload: {} });
    assert.equal(res.statusCode, 200, res.body);
  }

  async function record(name: string, types: string[], profile = 'default', payload: object = {}) {
    const res = await ctx.app.inject({
      method: 'POST', url: `/v1/customers/acme/profiles/${profile}/conversations/${name}/events:batchCreate`, headers: ctx.a.auth,
      payload: { events: types.map((type) => ({ type, payload })) },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().events as { name: string; type: string }[];
  }

  async function stream(path: string, headers: Record<string, string> = {}, options: { read?: boolean; auth?: Record<string, string> } = {}) {
    const client = await openStream(`${base}${path}`, { ...(options.auth ?? ctx.a.auth), ...headers }, options);
    open.push(client);
    return client;
  }

  const names = (frames: ReturnType<typeof eventsOf>) => frames.map((f) => `${f.data.name.split('/')[5]} ${f.data.type}`);

  it('SSE (the default): each event as the events list renders it, its cursor as `id:`; from the live end', async () => {
    await start('sse-1');
    await record('sse-1', ['USED_SUGGESTION']);
    const s = await stream(`${P}/conversations/sse-1/events:stream`);
    assert.equal(s.status, 200);
    assert.match(s.contentType, /^text\/event-stream/);
    // Not kept alive once it ends: a shutting-down server would wait out the keep-alive timeout on it.
    assert.equal(s.connection, 'close');
    await record('sse-1', ['USED_HINT_SUGGESTION']);
    const [event] = eventsOf(await s.until((f) => eventsOf(f).length >= 1, 'one event'));
    // Only what was committed after subscribing: not the start event, not the earlier USED_SUGGESTION.
    assert.equal(event.data.type, 'USED_HINT_SUGGESTION');
    assert.equal(event.kind, 'data');
    assert.equal(event.event, undefined);
    assert.match(event.id!, /^\d+\.\d+$/);
    assert.equal(event.data.cursor, event.id);
    const list = await ctx.app.inject({ method: 'GET', url: `${P}/conversations/sse-1/events`, headers: ctx.a.auth });
    const listed = list.json().conversationEvents.find((e: { type: string }) => e.type === 'USED_HINT_SUGGESTION');
    const { cursor: _cursor, ...rendered } = event.data;
    assert.deepEqual(rendered, listed);
    await s.until((f) => f.some((x) => x.kind === 'comment' && x.comment === 'heartbeat'), 'an SSE heartbeat comment');
  });

  it('NDJSON with Accept: application/x-ndjson: one event a line with its cursor, heartbeat lines', async () => {
    await start('nd-1');
    const s = await stream(`${P}/conversations/nd-1/events:stream`, { accept: 'application/x-ndjson' });
    assert.match(s.contentType, /^application\/x-ndjson/);
    await record('nd-1', ['USED_SUGGESTION', 'USED_KB_SEARCH']);
    const frames = await s.until((f) => eventsOf(f).length >= 2 && f.some((x) => x.data?.type === 'heartbeat'), 'two events and a heartbeat');
    const events = eventsOf(frames);
    assert.deepEqual(events.map((e) => e.data.type), ['USED_SUGGESTION', 'USED_KB_SEARCH']);
    assert.ok(events.every((e) => /^\d+\.\d+$/.test(e.data.cursor)));
    assert.notEqual(events[0].data.cursor, events[1].data.cursor);
    assert.deepEqual(frames.find((x) => x.data?.type === 'heartbeat')!.data, { type: 'heartbeat' });
  });

  it('resumes after a cursor given as Last-Event-ID or ?after=, then goes on live, without a gap or a repeat', async () => {
    await start('resume-1');
    const first = await stream(`${P}/conversations/resume-1/events:stream`);
    await record('resume-1', ['USED_SUGGESTION']);
    const [one] = eventsOf(await first.until((f) => eventsOf(f).length === 1, 'the first event'));
    first.close();
    await record('resume-1', ['USED_HINT_SUGGESTION', 'USED_KB_SEARCH']);

    const byHeader = await stream(`${P}/conversations/resume-1/events:stream`, { 'last-event-id': one.id! });
    const byQuery = await stream(`${P}/conversations/resume-1/events:stream?after=${one.id}`, { accept: 'application/x-ndjson' });
    for (const s of [byHeader, byQuery]) await s.until((f) => eventsOf(f).length === 2, 'the two missed events');
    await record('resume-1', ['USED_KB_DOCUMENT']);
    for (const s of [byHeader, byQuery]) {
      const events = eventsOf(await s.until((f) => eventsOf(f).length === 3, 'the live event after them'));
      assert.deepEqual(events.map((e) => e.data.type), ['USED_HINT_SUGGESTION', 'USED_KB_SEARCH', 'USED_KB_DOCUMENT']);
    }
    // A cursor from before the whole log (or before what retention kept) resumes from what is there.
    const all = await stream(`${P}/conversations/resume-1/events:stream?after=0.0`);
    const events = eventsOf(await all.until((f) => eventsOf(f).length === 5, 'the whole log'));
    assert.deepEqual(events.map((e) => e.data.type), ['CONVERSATION_START', 'USED_SUGGESTION', 'USED_HINT_SUGGESTION', 'USED_KB_SEARCH', 'USED_KB_DOCUMENT']);
    assert.equal(events[1].id, one.id);
  });

  it('types: only those event types, repeated or comma-separated, live and resumed', async () => {
    await start('types-1');
    const comma = await stream(`${P}/conversations/types-1/events:stream?types=USED_KB_SEARCH,TAG_ADD`);
    const repeated = await stream(`${P}/conversations/types-1/events:stream?types=USED_KB_SEARCH&types=TAG_ADD`);
    await record('types-1', ['USED_SUGGESTION', 'USED_KB_SEARCH', 'USED_HINT_SUGGESTION', 'USED_KB_SEARCH']);
    for (const s of [comma, repeated]) {
      const events = eventsOf(await s.until((f) => eventsOf(f).length === 2, 'the two USED_KB_SEARCH events'));
      assert.deepEqual(events.map((e) => e.data.type), ['USED_KB_SEARCH', 'USED_KB_SEARCH']);
    }
    const resumed = await stream(`${P}/conversations/types-1/events:stream?after=0.0&types=CONVERSATION_START,USED_HINT_SUGGESTION`);
    const events = eventsOf(await resumed.until((f) => eventsOf(f).length === 2, 'the two chosen types from the log'));
    assert.deepEqual(events.map((e) => e.data.type), ['CONVERSATION_START', 'USED_HINT_SUGGESTION']);
  });

  it('the profile stream carries every conversation of its profile, named, and none of another profile', async () => {
    const s = await stream(`${P}/events:stream`);
    await start('prof-1');
    await start('prof-2');
    await start('other-1', 'support');
    await record('other-1', ['USED_SUGGESTION'], 'support');
    await record('prof-2', ['USED_SUGGESTION']);
    await record('prof-1', ['USED_KB_SEARCH']);
    const events = eventsOf(await s.until((f) => eventsOf(f).length === 4, 'four events of profile default'));
    assert.deepEqual(names(events), ['prof-1 CONVERSATION_START', 'prof-2 CONVERSATION_START', 'prof-2 USED_SUGGESTION', 'prof-1 USED_KB_SEARCH']);
    assert.ok(events.every((e) => e.data.name.startsWith('customers/acme/profiles/default/conversations/')));
    // Resumed: the same events after the first one, from the log.
    const resumed = await stream(`${P}/events:stream?after=${events[0].id}&types=USED_SUGGESTION,USED_KB_SEARCH`);
    const again = eventsOf(await resumed.until((f) => eventsOf(f).length === 2, 'the two client events from the log'));
    assert.deepEqual(names(again), ['prof-2 USED_SUGGESTION', 'prof-1 USED_KB_SEARCH']);
  });

  it('authorisation: another customer and a key narrowed elsewhere get NOT_FOUND; no key 401; a narrowed key sees its own', async () => {
    await start('auth-1');
    await start('auth-s', 'support');
    const before = await ctx.snapshot();
    const refused = async (path: string, auth: Record<string, string>, status: number, code: number) => {
      const s = await openStream(`${base}${path}`, auth);
      assert.equal(s.status, status, path);
      const body = JSON.parse(await s.text());
      assert.equal(body.code, code, JSON.stringify(body));
      assert.equal(typeof body.message, 'string');
    };
    await refused(`${P}/conversations/auth-1/events:stream`, ctx.b.auth, 404, 5);
    await refused(`${P}/events:stream`, ctx.b.auth, 404, 5);
    await refused(`${P}/conversations/auth-1/events:stream`, ctx.aSupport.auth, 404, 5);
    await refused(`${P}/events:stream`, ctx.aSupport.auth, 404, 5);
    await refused(`${P}/conversations/auth-1/events:stream`, {}, 401, 16);
    await refused(`${P}/conversations/nope/events:stream`, ctx.a.auth, 404, 5);
    assert.deepEqual(await ctx.snapshot(), before);

    const narrowed = await stream('/v1/customers/acme/profiles/support/events:stream', {}, { auth: ctx.aSupport.auth });
    await record('auth-1', ['USED_SUGGESTION']);
    await record('auth-s', ['USED_KB_SEARCH'], 'support');
    const events = eventsOf(await narrowed.until((f) => eventsOf(f).length === 1, 'the support profile\'s event'));
    assert.deepEqual(names(events), ['auth-s USED_KB_SEARCH']);
  });

  it('a key narrowed to an agent follows only that agent\'s conversations', async () => {
    await start('agent-mine');
    await start('agent-other');
    await ctx.database.db.query(`UPDATE conversations SET agent_id = 'agent-a' WHERE customer_id = 'acme' AND name_id = 'agent-mine'`);
    const key = await ctx.core.apiKeys.create({ customerId: 'acme', agentId: 'agent-a' });
    const auth = { authorization: `Bearer ${key.secret}` };
    const refused = await openStream(`${base}${P}/conversations/agent-other/events:stream`, auth);
    assert.equal(refused.status, 404, await refused.text());
    const one = await stream(`${P}/conversations/agent-mine/events:stream`, {}, { auth });
    const all = await stream(`${P}/events:stream`, {}, { auth });
    await record('agent-other', ['USED_SUGGESTION']);
    await record('agent-mine', ['USED_KB_SEARCH']);
    for (const s of [one, all]) {
      const events = eventsOf(await s.until((f) => eventsOf(f).length === 1, 'the agent\'s conversation\'s event'));
      assert.deepEqual(names(events), ['agent-mine USED_KB_SEARCH']);
    }
  });

  it('refuses a malformed cursor and an unknown type with INVALID_ARGUMENT, changing nothing', async () => {
    await start('bad-1');
    const before = await ctx.snapshot();
    for (const [query, headers, field] of [
      ['?after=abc', {}, 'after'],
      ['?after=1.2.3', {}, 'after'],
      ['', { 'last-event-id': 'not-a-cursor' }, 'Last-Event-ID'],
      ['?types=NOT_A_TYPE', {}, 'types'],
    ] as const) {
      const res = await ctx.app.inject({ method: 'GET', url: `${P}/conversations/bad-1/events:stream${query}`, headers: { ...ctx.a.auth, ...headers } });
      assert.equal(res.statusCode, 400, res.body);
      const body = res.json();
      assert.equal(body.code, 3);
      assert.equal(body.details[0].fieldViolations[0].field, field, res.body);
    }
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('a consumer that stops reading is closed with the cursor to resume from, and resuming there loses nothing', async () => {
    await start('slow-1');
    const slow = await stream(`${P}/conversations/slow-1/events:stream`, { accept: 'application/x-ndjson' }, { read: false });
    const openBefore = ctx.core.streams.open;
    const big = { blob: 'x'.repeat(60_000) };
    let appended = 0;
    // Each call is 3 MB of events; the socket buffers fill, then the stream's own bound.
    while (ctx.core.streams.open === openBefore) {
      assert.ok(appended < 2000, 'the stalled stream was never closed');
      await record('slow-1', Array.from({ length: 50 }, () => 'USED_SUGGESTION'), 'default', big);
      appended += 50;
    }
    // Written after the close: only the resumed stream can have them.
    await record('slow-1', ['USED_KB_SEARCH', 'USED_KB_SEARCH']);
    appended += 2;
    slow.read();
    const frames = await slow.until(() => slow.ended, 'the end of the stalled stream');
    const end = frames.at(-1)!.data;
    assert.equal(end.type, 'end');
    assert.equal(end.reason, 'SLOW_CONSUMER');
    const got = eventsOf(frames);
    assert.ok(got.length > 0 && got.length < appended, `${got.length} of ${appended}`);
    assert.equal(end.cursor, got.at(-1)!.data.cursor);
    // Bounded: what was buffered past the bound is at most one chunk, not every event of the poll.
    assert.ok(got.length * 60_000 < 8 * 1024 * 1024, `${got.length} events buffered`);
    const rest = await stream(`${P}/conversations/slow-1/events:stream?after=${end.cursor}`, { accept: 'application/x-ndjson' });
    await rest.until((f) => eventsOf(f).length === appended - got.length, 'the rest of the events');
    const all = [...got, ...eventsOf(rest.frames)].map((e) => e.data.name);
    assert.equal(new Set(all).size, appended);
    rest.close();
  });

  it('a resumed subscription hands its consumer the last page of its catch-up before live events follow', async () => {
    await start('backlog-1');
    const live = await stream(`${P}/conversations/backlog-1/events:stream`);
    await record('backlog-1', ['USED_SUGGESTION']);
    const [first] = eventsOf(await live.until((f) => eventsOf(f).length === 1, 'the first event'));
    await record('backlog-1', ['USED_HINT_SUGGESTION', 'USED_KB_SEARCH']);
    await live.until((f) => eventsOf(f).length === 3, 'the backlog');

    const scope = await ctx.core.streams.conversationScope({ customerId: 'acme', keyId: 'k', profileId: null, agentId: null, scopes: ['*'] }, { customerId: 'acme', profileId: 'default', nameId: 'backlog-1' }, []);
    const deliveries: { types: string[]; live: boolean }[] = [];
    const waiters: (() => void)[] = [];
    const delivered = (count: number) => new Promise<void>((resolve) => {
      const check = () => (deliveries.length >= count ? resolve() : waiters.push(check));
      check();
    });
    let take: () => void = () => undefined;
    const taken = new Promise<void>((resolve) => (take = resolve));
    const subscription = ctx.core.streams.subscribe(scope, await ctx.core.streams.start(ctx.core.streams.parseCursor(first.id!, 'after')), {
      deliver: (events, isLive) => {
        deliveries.push({ types: events.map((e) => e.event.type), live: isLive });
        for (const wake of waiters.splice(0)) wake();
      },
      // A consumer that has not taken the page yet.
      room: () => taken,
      end: () => undefined,
    });
    try {
      await delivered(1);
      await record('backlog-1', ['USED_KB_DOCUMENT']);
      // The other stream gets the live event from the same fan-out that decides this subscription's.
      await live.until((f) => eventsOf(f).length === 4, 'the live event');
      assert.deepEqual(deliveries, [{ types: ['USED_HINT_SUGGESTION', 'USED_KB_SEARCH'], live: false }], 'nothing live before the consumer took the page');
      take();
      await delivered(2);
      assert.deepEqual(deliveries[1], { types: ['USED_KB_DOCUMENT'], live: true });
    } finally {
      subscription.close();
    }
  });

  it('an event written without a NOTIFY still arrives, by polling', async () => {
    await start('poll-1');
    const polling = createCore(ctx.database.db, { streams: { pollMs: 50 } });
    try {
      const scope = await polling.streams.conversationScope({ customerId: 'acme', keyId: 'k', profileId: null, agentId: null, scopes: ['*'] }, { customerId: 'acme', profileId: 'default', nameId: 'poll-1' }, []);
      const got: StreamEvent[] = [];
      let arrived: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (arrived = resolve));
      polling.streams.subscribe(scope, await polling.streams.start(undefined), { deliver: (events) => { got.push(...events); arrived(); }, room: async () => undefined, end: () => undefined });
      // A handle without notifyAfterCommit: the write commits and nothing wakes the follower.
      const silent: Queryable = { query: (sql, params) => ctx.database.db.query(sql, params), exec: (sql) => ctx.database.db.exec(sql) };
      await appendEvents(silent, 'acme', scope.conversation!.id, 'test', [{ type: 'USED_SUGGESTION' }]);
      await done;
      assert.deepEqual(got.map((e) => e.event.type), ['USED_SUGGESTION']);
    } finally {
      await polling.streams.close();
    }
  });

  it('from the live end skips every event committed before the stream opened, also one the follower has not read yet', async () => {
    await start('edge-1');
    const lagging = createCore(ctx.database.db, { streams: { pollMs: 60_000 } });
    try {
      const scope = await lagging.streams.conversationScope({ customerId: 'acme', keyId: 'k', profileId: null, agentId: null, scopes: ['*'] }, { customerId: 'acme', profileId: 'default', nameId: 'edge-1' }, []);
      await lagging.streams.start(undefined);
      // Committed, but nothing wakes the follower: it has not read this event when the stream opens.
      const silent: Queryable = { query: (sql, params) => ctx.database.db.query(sql, params), exec: (sql) => ctx.database.db.exec(sql) };
      await appendEvents(silent, 'acme', scope.conversation!.id, 'test', [{ type: 'USED_SUGGESTION' }]);
      const got: StreamEvent[] = [];
      let arrived: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (arrived = resolve));
      lagging.streams.subscribe(scope, await lagging.streams.start(undefined), { deliver: (events) => { got.push(...events); arrived(); }, room: async () => undefined, end: () => undefined });
      await record('edge-1', ['USED_HINT_SUGGESTION']);
      await done;
      assert.deepEqual(got.map((e) => e.event.type), ['USED_HINT_SUGGESTION']);
    } finally {
      await lagging.streams.close();
    }
  });

  it('an event appended through one process reaches a stream on another; closing that app ends its streams with their cursor', async () => {
    // The second process: its own core and app on the same database (PGlite: the same instance).
    const db = kind === 'postgres' ? openPostgres({ connectionString: ctx.database.url!, max: 4 }) : ctx.database.db;
    let other: { core: Core; app: App } | undefined;
    try {
      const core = createCore(db, { keyCacheSeconds: 0, streams: { pollMs: 60_000, heartbeatMs: 60_000 } });
      other = { core, app: await buildApp({ core, logger: pino({ level: 'silent' }) }) };
      const otherBase = await other.app.listen({ host: '127.0.0.1', port: 0 });
      await start('cross-1');
      const s = await openStream(`${otherBase}${P}/conversations/cross-1/events:stream`, ctx.a.auth);
      open.push(s);
      await record('cross-1', ['USED_SUGGESTION']);
      const [event] = eventsOf(await s.until((f) => eventsOf(f).length === 1, 'the event on the other process'));
      assert.equal(event.data.type, 'USED_SUGGESTION');
      await other.app.close();
      other = undefined;
      const frames = await s.until(() => s.ended, 'the end of the stream at close');
      assert.equal(frames.at(-1)!.event, 'end');
      assert.deepEqual(frames.at(-1)!.data, { type: 'end', reason: 'SHUTTING_DOWN', cursor: event.id });
    } finally {
      await other?.app.close();
      if (db !== ctx.database.db) await db.close();
    }
  });
});

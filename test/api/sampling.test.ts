import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';

interface Sampled { conversation: string; startTime: string; messageCount?: string }
interface SampleResponse {
  sampledConversations: Sampled[];
  nextPageToken: string;
  parent: string;
  pageStartTime: string;
  pageEndTime: string;
  pageConversationCount: number;
}

forEachDriver('SampleConversations', (kind) => {
  const ctx = useTestApp(kind);
  const url = '/v1/customers/acme/profiles/support/conversations:sample';
  const window = { startTime: '2024-01-01T00:00:00Z', endTime: '2024-01-02T00:00:00Z' };
  const sample = async (payload: Record<string, unknown>, auth = ctx.a.auth) => {
    const res = await ctx.app.inject({ method: 'POST', url, headers: auth, payload });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as SampleResponse;
  };
  const all = async (payload: Record<string, unknown>) => {
    const pages: SampleResponse[] = [];
    let pageToken: string | undefined;
    do {
      const page = await sample({ ...payload, pageToken });
      pages.push(page);
      pageToken = page.nextPageToken || undefined;
    } while (pageToken);
    return pages;
  };
  const names = (pages: SampleResponse[]) => pages.flatMap((p) => p.sampledConversations.map((c) => c.conversation));

  before(async () => {
    // 600 conversations a minute apart from 2024-01-01T00:00Z (400 inside the window's first
    // 400 minutes, the rest later), message counts 0..9, and 20 outside the window before it.
    await ctx.database.db.exec(`
      INSERT INTO conversations (customer_id, id, profile_id, name_id, start_time, message_count)
      SELECT 'acme', lpad(to_hex(i), 24, '0'), 'support', 's-' || i,
             timestamptz '2024-01-01T00:00:00Z' + (i - 21) * interval '1 minute', i % 10
        FROM generate_series(1, 620) AS i`);
  });

  it('samples the window in start-time order with counts, deterministically', async () => {
    const page = await sample({ filter: { ...window, maxConversationRatio: 0.2 } });
    assert.equal(page.parent, 'customers/acme/profiles/support');
    assert.equal(page.nextPageToken, '');
    assert.equal(page.pageStartTime, '2024-01-01T00:00:00.000Z');
    assert.equal(page.pageEndTime, '2024-01-02T00:00:00.000Z');
    assert.equal(page.pageConversationCount, 600);
    const n = page.sampledConversations.length;
    assert.ok(n > 80 && n < 160, `about 120 of 600 sampled at 0.2, got ${n}`);
    const times = page.sampledConversations.map((c) => c.startTime);
    assert.deepEqual(times, [...times].sort());
    for (const c of page.sampledConversations) {
      const i = Number(c.conversation.split('/s-')[1]);
      assert.match(c.conversation, /^customers\/acme\/profiles\/support\/conversations\/s-\d+$/);
      assert.ok(i >= 21, 'nothing before the window');
      assert.equal(c.messageCount, String(i % 10));
      assert.equal(c.startTime, new Date(Date.parse('2024-01-01T00:00:00Z') + (i - 21) * 60_000).toISOString());
    }
    assert.deepEqual(await sample({ filter: { ...window, maxConversationRatio: 0.2 }, samplingMethod: 'UNIFORM' }), page, 'UNSPECIFIED is UNIFORM');
    const larger = await sample({ filter: { ...window, maxConversationRatio: 0.5 } });
    const largerNames = new Set(names([larger]));
    assert.ok(names([page]).every((name) => largerNames.has(name)), 'a larger ratio is a superset');
  });

  it('pages by time windows that tile the request window, bound to the request', async () => {
    const request = { pageSize: 7, filter: { ...window, maxConversationRatio: 0.1 } };
    const pages = await all(request);
    const whole = await sample({ filter: request.filter });
    assert.ok(pages.length >= 5, `${pages.length} pages`);
    assert.deepEqual(names(pages), names([whole]));
    assert.equal(pages[0].pageStartTime, whole.pageStartTime);
    assert.equal(pages.at(-1)!.pageEndTime, whole.pageEndTime);
    for (const [i, page] of pages.entries()) {
      assert.ok(page.sampledConversations.length <= 7);
      if (i > 0) assert.equal(page.pageStartTime, pages[i - 1].pageEndTime, 'no gap, no overlap');
      for (const c of page.sampledConversations) assert.ok(c.startTime >= page.pageStartTime && c.startTime < page.pageEndTime);
    }
    assert.equal(pages.reduce((sum, p) => sum + p.pageConversationCount, 0), 600);
  });

  it('caps by maxConversations (string or number) and maxMessages, smallest hashes first', async () => {
    const filter = { ...window, maxConversationRatio: 0.3 };
    const uncapped = names([await sample({ filter })]);
    const ten = names([await sample({ filter: { ...filter, maxConversations: '10' } })]);
    assert.equal(ten.length, 10);
    assert.deepEqual(names([await sample({ filter: { ...filter, maxConversations: 10 } })]), ten);
    const twenty = new Set(names([await sample({ filter: { ...filter, maxConversations: '20' } })]));
    assert.ok(ten.every((n) => twenty.has(n) && uncapped.includes(n)), 'a smaller cap is a prefix of a larger one');
    const capped = await sample({ filter: { ...filter, maxMessages: '50' } });
    const total = capped.sampledConversations.reduce((sum, c) => sum + Number(c.messageCount), 0);
    assert.ok(total <= 50 && total > 30, `messages ${total}`);
    const pagedCapped = await all({ pageSize: 3, filter: { ...filter, maxMessages: '50' } });
    assert.deepEqual(names(pagedCapped), names([capped]), 'the cap holds across pages');
  });

  it('omits messageCount when disableMessageCounts', async () => {
    const page = await sample({ filter: { ...window, maxConversationRatio: 0.1 }, disableMessageCounts: true });
    assert.ok(page.sampledConversations.length > 0);
    for (const c of page.sampledConversations) assert.deepEqual(Object.keys(c).sort(), ['conversation', 'startTime']);
  });

  it('without a window spans the first to one microsecond past the last start', async () => {
    const page = await sample({ filter: { maxConversationRatio: 1 } });
    assert.equal(page.sampledConversations.length, 620);
    assert.equal(page.pageConversationCount, 620);
    assert.equal(page.pageStartTime, '2023-12-31T23:40:00.000Z');
    assert.equal(page.pageEndTime, '2024-01-01T09:59:00.000001Z');
    const none = await ctx.app.inject({ method: 'POST', url: url.replace('support', 'default'), headers: ctx.a.auth, payload: {} });
    assert.equal(none.statusCode, 200, none.body);
    assert.deepEqual(none.json().sampledConversations, []);
    assert.equal(none.json().pageConversationCount, 0);
  });

  it('refuses bad input with INVALID_ARGUMENT and writes nothing', async () => {
    const first = await sample({ pageSize: 2, filter: { ...window, maxConversationRatio: 0.1 } });
    assert.ok(first.nextPageToken);
    const before = await ctx.snapshot();
    const bad: Record<string, unknown>[] = [
      { filter: { maxConversationRatio: 0 } },
      { filter: { maxConversationRatio: -0.5 } },
      { filter: { maxConversationRatio: 1.5 } },
      { filter: { startTime: window.endTime, endTime: window.startTime } },
      { samplingMethod: 'STRATIFIED' },
      { filter: { maxConversations: '-1' } },
      { filter: { maxMessages: 'lots' } },
      { pageSize: 10_001 },
      { pageToken: 'not-a-token' },
      { pageSize: 2, pageToken: first.nextPageToken, filter: { ...window, maxConversationRatio: 0.2 } },
      { pageSize: 2, pageToken: first.nextPageToken, filter: { ...window, maxConversationRatio: 0.1 }, samplingMethod: 'UNIFORM' },
      { filter: { ratio: 0.1 } },
    ];
    for (const payload of bad) {
      const res = await ctx.app.inject({ method: 'POST', url, headers: ctx.a.auth, payload });
      assert.equal(res.statusCode, 400, `${JSON.stringify(payload)} → ${res.body}`);
      assert.equal(res.json().code, 3);
    }
    assert.deepEqual(await ctx.snapshot(), before);
    const next = await sample({ pageSize: 2, pageToken: first.nextPageToken, filter: { ...window, maxConversationRatio: 0.1 } });
    assert.equal(next.pageStartTime, first.pageEndTime, 'the token still works with its own request');
  });

  it('is NOT_FOUND across tenants and for a profile outside a narrowed key', async () => {
    const other = await ctx.app.inject({ method: 'POST', url, headers: ctx.b.auth, payload: {} });
    assert.equal(other.statusCode, 404);
    const narrowed = await ctx.app.inject({ method: 'POST', url: url.replace('support', 'default'), headers: ctx.aSupport.auth, payload: {} });
    assert.equal(narrowed.statusCode, 404);
  });
});

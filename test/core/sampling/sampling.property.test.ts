import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createCore } from '../../../src/core/index.ts';
import { samplePage, type SamplePage, type SampleRequest } from '../../../src/core/sampling/sampling.ts';
import { forEachDriver, freshDatabase, type TestDatabase } from '../../helpers/db.ts';

const T0 = Date.parse('2024-06-01T00:00:00Z');
const minute = (m: number) => new Date(T0 + m * 60_000).toISOString();

interface Row { id: number; minute: number; messages: number }

/** Every page of one request, following nextPageToken. */
async function allPages(database: TestDatabase, profileId: string, request: SampleRequest): Promise<SamplePage[]> {
  const pages: SamplePage[] = [];
  let pageToken: string | undefined;
  do {
    const page = await samplePage(database.db, 'acme', profileId, { ...request, pageToken });
    pages.push(page);
    pageToken = page.nextPageToken || undefined;
    assert.ok(pages.length < 10_000, 'paging terminates');
  } while (pageToken);
  return pages;
}

/** RFC 3339 with up to microseconds → microseconds since the epoch (Date.parse stops at ms). */
function micros(time: string): number {
  const fraction = /\.(\d+)Z$/.exec(time)?.[1] ?? '';
  return Math.floor(Date.parse(time) / 1000) * 1_000_000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

const ids = (pages: SamplePage[]) => pages.flatMap((p) => p.conversations.map((c) => c.nameId));

forEachDriver('sampling properties', (kind) => {
  let database: TestDatabase;
  before(async () => {
    database = await freshDatabase(kind);
    const core = createCore(database.db);
    await core.tenancy.createCustomer('acme');
    await core.tenancy.createProfile('acme', 'prop', {});
    await core.tenancy.createProfile('acme', 'uniform', {});
  });
  after(() => database.drop());

  // Few distinct minutes, so start times tie often and page boundaries fall inside ties.
  const rows = fc.uniqueArray(
    fc.record({ id: fc.integer({ min: 1, max: 10_000 }), minute: fc.integer({ min: 0, max: 30 }), messages: fc.integer({ min: 0, max: 20 }) }),
    { selector: (r) => r.id, maxLength: 60 },
  );
  const window = fc.record({
    start: fc.option(fc.integer({ min: -2, max: 20 }), { nil: undefined }),
    length: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
  }).map(({ start, length }) => ({
    startTime: start === undefined ? undefined : minute(start),
    endTime: length === undefined ? undefined : minute((start ?? 0) + length),
  }));
  const ratio = fc.double({ min: 0.01, max: 1, noNaN: true });

  async function load(data: Row[]): Promise<void> {
    await database.db.query(`DELETE FROM conversations WHERE customer_id = 'acme' AND profile_id = 'prop'`);
    await database.db.query(
      `INSERT INTO conversations (customer_id, id, profile_id, name_id, start_time, message_count)
       SELECT 'acme', lpad(to_hex(i), 24, '0'), 'prop', 'c' || i, $2::timestamptz + m * interval '1 minute', n
         FROM unnest($1::int[], $3::int[], $4::int[]) AS t(i, m, n)`,
      [data.map((r) => r.id), minute(0), data.map((r) => r.minute), data.map((r) => r.messages)],
    );
  }

  it('is deterministic and a larger ratio yields a superset', async () => {
    await fc.assert(fc.asyncProperty(rows, window, ratio, ratio, async (data, w, r1, r2) => {
      await load(data);
      const [small, large] = r1 <= r2 ? [r1, r2] : [r2, r1];
      const request = { ...w, maxConversationRatio: small };
      const once = await allPages(database, 'prop', request);
      assert.deepEqual(await allPages(database, 'prop', request), once);
      const bigger = new Set(ids(await allPages(database, 'prop', { ...w, maxConversationRatio: large })));
      for (const id of ids(once)) assert.ok(bigger.has(id), `${id} sampled at ${small} but not at ${large}`);
    }), { numRuns: 40 });
  });

  it('honours maxConversations and maxMessages as prefixes of one hash order', async () => {
    await fc.assert(fc.asyncProperty(rows, window, ratio, fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 150 }), async (data, w, r, maxC, maxM) => {
      await load(data);
      const messages = new Map(data.map((d) => [`c${d.id}`, d.messages]));
      const request = { ...w, maxConversationRatio: r };
      const uncapped = ids(await allPages(database, 'prop', request));
      const byCount = ids(await allPages(database, 'prop', { ...request, maxConversations: String(maxC) }));
      assert.equal(byCount.length, Math.min(maxC, uncapped.length));
      assert.ok(byCount.every((id) => uncapped.includes(id)));
      const oneMore = new Set(ids(await allPages(database, 'prop', { ...request, maxConversations: String(maxC + 1) })));
      assert.ok(byCount.every((id) => oneMore.has(id)), 'a smaller cap is a subset of a larger one');
      const byMessages = ids(await allPages(database, 'prop', { ...request, maxMessages: String(maxM) }));
      const total = byMessages.reduce((sum, id) => sum + messages.get(id)!, 0);
      assert.ok(total <= maxM, `${total} messages > ${maxM}`);
      assert.ok(byMessages.every((id) => uncapped.includes(id)));
      const uncappedTotal = uncapped.reduce((sum, id) => sum + messages.get(id)!, 0);
      if (uncappedTotal <= maxM) assert.deepEqual(byMessages, uncapped);
      const both = ids(await allPages(database, 'prop', { ...request, maxMessages: String(maxM), maxConversations: String(maxC) }));
      assert.deepEqual(new Set(both), new Set(byCount.filter((id) => byMessages.includes(id))), 'both caps: the shorter prefix');
    }), { numRuns: 30 });
  });

  it('pages tile the window with no overlap and no gap, each within pageSize unless one start time holds more', async () => {
    await fc.assert(fc.asyncProperty(rows, window, ratio, fc.integer({ min: 1, max: 6 }), fc.boolean(), async (data, w, r, pageSize, counts) => {
      await load(data);
      const request = { ...w, maxConversationRatio: r, disableMessageCounts: !counts };
      const pages = await allPages(database, 'prop', { ...request, pageSize });
      const [whole] = await allPages(database, 'prop', request);
      assert.deepEqual(ids(pages), ids([whole]), 'pages concatenate to the one-page answer, each conversation once');
      assert.equal(pages[0].pageStartTime, whole.pageStartTime);
      assert.equal(pages.at(-1)!.pageEndTime, whole.pageEndTime);
      if (w.startTime) assert.equal(pages[0].pageStartTime, w.startTime);
      if (w.endTime && data.length) assert.equal(pages.at(-1)!.pageEndTime, w.endTime);
      for (const [i, page] of pages.entries()) {
        if (i > 0) assert.equal(page.pageStartTime, pages[i - 1].pageEndTime);
        assert.ok(micros(page.pageStartTime) <= micros(page.pageEndTime));
        const starts = new Set(page.conversations.map((c) => c.startTime));
        assert.ok(page.conversations.length <= pageSize || starts.size === 1, `page of ${page.conversations.length} > ${pageSize}`);
        for (const c of page.conversations) {
          assert.ok(micros(c.startTime) >= micros(page.pageStartTime) && micros(c.startTime) < micros(page.pageEndTime));
          assert.equal('messageCount' in c, counts);
        }
      }
      const inWindow = data.filter((d) => (!w.startTime || minute(d.minute) >= w.startTime) && (!w.endTime || minute(d.minute) < w.endTime));
      assert.equal(pages.reduce((sum, p) => sum + p.pageConversationCount, 0), inWindow.length, 'page counts add up to the base set');
      assert.equal(whole.pageConversationCount, inWindow.length);
      for (const id of ids(pages)) assert.ok(inWindow.some((d) => `c${d.id}` === id), `${id} is outside the window`);
    }), { numRuns: 40 });
  });

  describe('uniformity', () => {
    it('samples 100,000 conversations at ratio 0.1 uniformly (chi-square over 50 buckets)', async () => {
      await database.db.query(
        `INSERT INTO conversations (customer_id, id, profile_id, name_id, start_time, message_count)
         SELECT 'acme', 'a' || lpad(to_hex(i), 23, '0'), 'uniform', 'u' || i, $1::timestamptz + i * interval '1 second', i % 7
           FROM generate_series(0, 99999) AS i`,
        [minute(0)],
      );
      const pages = await allPages(database, 'uniform', { maxConversationRatio: 0.1, disableMessageCounts: true });
      const sampled = ids(pages).map((id) => Number(id.slice(1)));
      assert.equal(new Set(sampled).size, sampled.length);
      // Binomial(100000, 0.1): sd ≈ 95, so ±500 is more than 5 sd.
      assert.ok(Math.abs(sampled.length - 10_000) < 500, `${sampled.length} sampled`);
      const buckets = new Array<number>(50).fill(0);
      for (const i of sampled) buckets[Math.floor(i / 2000)]++;
      const expected = sampled.length / 50;
      const chiSquare = buckets.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
      // 49 degrees of freedom: the 0.001 upper quantile is 85.35.
      assert.ok(chiSquare < 85.35, `chi-square ${chiSquare.toFixed(1)} over buckets ${buckets.join(',')}`);
      // Residues of the id also spread evenly (no bias towards ids sharing a suffix).
      const residues = new Array<number>(10).fill(0);
      for (const i of sampled) residues[i % 10]++;
      const chiResidues = residues.reduce((sum, observed) => sum + (observed - sampled.length / 10) ** 2 / (sampled.length / 10), 0);
      // 9 degrees of freedom: 0.001 upper quantile 27.88.
      assert.ok(chiResidues < 27.88, `chi-square ${chiResidues.toFixed(1)} over residues ${residues.join(',')}`);
    });
  });
});

describe('sampling across drivers', () => {
  it('PGlite and PostgreSQL draw the same sample for the same request', async () => {
    const databases = [await freshDatabase('pglite'), await freshDatabase('postgres')];
    try {
      const samples = [];
      for (const database of databases) {
        await createCore(database.db).tenancy.createCustomer('acme');
        await database.db.query(
          `INSERT INTO conversations (customer_id, id, profile_id, name_id, start_time, message_count)
           SELECT 'acme', lpad(to_hex(i), 24, '0'), 'default', 'x' || i, $1::timestamptz + i * interval '1 second', i % 5
             FROM generate_series(1, 5000) AS i`,
          [minute(0)],
        );
        samples.push(await allPages(database, 'default', { maxConversationRatio: 0.05, maxMessages: '300', pageSize: 50 }));
      }
      assert.ok(ids(samples[0]).length > 50);
      assert.deepEqual(samples[0], samples[1]);
    } finally {
      for (const database of databases) await database.drop();
    }
  });
});

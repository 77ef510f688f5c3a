import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useCore } from '../helpers/core.ts';
import { keywordMatch, messageSubstringMatch } from '../../src/store/search.ts';
import { upsertAnalysis } from '../../src/store/analyses.ts';

/*
 * acme's agent a1 has t1–t4, its agent a2 has t5; globex has the same names and words in g1.
 * t1: the title says kettle. t2: with Jane Doe (e-mail, phone), a title with a literal %.
 * t3: the summary says warranty (written as every analysis is, by upsertAnalysis). t4: only its messages say anything, one of them long ago and one deleted.
 */
const FIXTURE = `
  INSERT INTO agents (customer_id, profile_id, id, name) VALUES
    ('acme', 'default', 'a1', 'Billing Helper'), ('acme', 'default', 'a2', 'Travel Desk'), ('globex', 'default', 'a1', 'Billing Helper');
  INSERT INTO end_users (customer_id, id, external_id, first_name, last_name, email, phone_number) VALUES
    ('acme', 'u1', 'x1', 'Jane', 'Doe', 'jane.doe@example.com', '+1 555-0101'),
    ('acme', 'u2', 'x2', 'Omar', 'Haddad', 'omar@haddad.io', '+41 79 123 45 67'),
    ('globex', 'u1', 'x1', 'Jane', 'Doe', 'jane.doe@example.com', '+1 555-0101');
  INSERT INTO conversations (customer_id, id, profile_id, name_id, start_time, agent_id, end_user_id, display_name, update_time) VALUES
    ('acme', 't1', 'default', 't1', now(), 'a1', 'u2', 'Refund for broken kettle', now() - interval '4 days'),
    ('acme', 't2', 'default', 't2', now(), 'a1', 'u1', 'Question about 100% cotton', now() - interval '3 days'),
    ('acme', 't3', 'default', 't3', now(), 'a1', 'u2', '', now() - interval '2 days'),
    ('acme', 't4', 'default', 't4', '2019-03-01', 'a1', 'u2', '', now() - interval '1 day'),
    ('acme', 't5', 'default', 't5', now(), 'a2', 'u1', 'Kettle again', now()),
    ('globex', 'g1', 'default', 'g1', now(), 'a1', 'u1', 'Refund for broken kettle', now());
  INSERT INTO messages (customer_id, conversation_id, seq, id, text, state, create_time)
    SELECT 'acme', 't4', s, 'm' || s, CASE s WHEN 3 THEN 'the zeppelin arrived' WHEN 20 THEN 'my kettle is broken' WHEN 21 THEN '50% off'
      WHEN 22 THEN 'secretword' ELSE 'nothing to see here' END, CASE s WHEN 22 THEN 'DELETED' ELSE 'FINAL' END,
      timestamptz '2019-03-01' + s * interval '1 minute'
    FROM generate_series(0, 29) s;
  INSERT INTO messages (customer_id, conversation_id, seq, id, text) VALUES
    ('acme', 't5', 0, 'm0', 'kettle zeppelin secretword'), ('globex', 'g1', 0, 'm0', 'zeppelin kettle secretword 50% off');
`;

forEachDriver('store search', (kind) => {
  const ctx = useCore(kind);

  before(async () => {
    await ctx.core.tenancy.createCustomer('globex');
    await ctx.database.db.exec(FIXTURE);
    for (const [customerId, conversationId] of [['acme', 't3'], ['globex', 'g1']]) await analyse(customerId, conversationId, 'The customer wanted a warranty extension.');
  });

  const analyse = (customerId: string, conversationId: string, summary: string) => upsertAnalysis(ctx.database.db, {
    customerId, conversationId, sentiment: 'neutral', sentimentScore: 0, taskCompleted: true, topics: [], summary, issues: [],
    analyzer: 'test', analyzerVersion: '1', jobId: null,
  });

  /** The support desk's shape: one agent's conversations, a count and a page by rank, on the same parameters. */
  async function search(keyword: string, agentId = 'a1', customerId = 'acme'): Promise<{ ids: string[]; total: number }> {
    const params: unknown[] = [customerId, agentId];
    const bind = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const match = keywordMatch(keyword, bind, 'c');
    const where = `c.customer_id = $1 AND c.agent_id = $2 AND ${match.where}`;
    const [{ total }] = await ctx.database.db.query<{ total: number }>(`SELECT count(*)::int AS total FROM conversations c ${match.join} WHERE ${where}`, params.slice());
    const rows = await ctx.database.db.query<{ id: string }>(
      `SELECT c.id FROM conversations c ${match.join} WHERE ${where} ORDER BY ${match.rank} DESC, c.update_time DESC, c.id DESC LIMIT ${bind(50)}`, params);
    const ids = rows.map((r) => r.id);
    assert.equal(ids.length, total, `count and page agree for ${JSON.stringify(keyword)}`);
    return { ids, total };
  }

  const sorted = (ids: string[]) => [...ids].sort();

  it('matches each field: title, summary, agent name, first and last name, e-mail, phone and message text', async () => {
    assert.deepEqual((await search('kettle')).ids, ['t1', 't4'], 'title, then a message');
    assert.deepEqual((await search('warranty')).ids, ['t3'], 'summary');
    assert.deepEqual(sorted((await search('billing')).ids), ['t1', 't2', 't3', 't4'], 'agent name');
    assert.deepEqual((await search('Jane')).ids, ['t2'], 'first name');
    assert.deepEqual((await search('doe')).ids, ['t2'], 'last name');
    assert.deepEqual((await search('jane.doe@example.com')).ids, ['t2'], 'e-mail');
    assert.deepEqual((await search('doe@exa')).ids, ['t2'], 'e-mail fragment');
    assert.deepEqual((await search('555-0101')).ids, ['t2'], 'phone');
    assert.deepEqual((await search('0101')).ids, ['t2'], 'phone fragment');
    assert.deepEqual((await search('5550101')).ids, ['t2'], 'phone digits');
    assert.deepEqual(sorted((await search('79 123')).ids), ['t1', 't3', 't4'], 'phone words, one too short for the index');
    assert.deepEqual((await search('Jane Doe')).ids, ['t2'], 'both names');
    assert.deepEqual((await search('broken kettle')).ids, ['t1', 't4'], 'two words in one message');
  });

  it('finds a word deep in an old conversation (no time window) and nothing in deleted messages', async () => {
    assert.deepEqual((await search('zeppelin')).ids, ['t4']);
    assert.deepEqual((await search('ZEPPELIN')).ids, ['t4']);
    assert.deepEqual((await search('secretword')).ids, []);
    // Message text matches whole words; fragments match in the small fields only ("kett": t1's title).
    assert.deepEqual((await search('zepp')).ids, []);
    assert.deepEqual((await search('kett')).ids, ['t1']);
  });

  it('follows message text through appends, rewrites, deletions and the conversation\'s removal', async () => {
    const db = ctx.database.db;
    await db.exec(`INSERT INTO conversations (customer_id, id, profile_id, name_id, start_time, agent_id) VALUES ('acme', 't6', 'default', 't6', now(), 'a1')`);
    await db.exec(`INSERT INTO messages (customer_id, conversation_id, seq, id, text) VALUES
      ('acme', 't6', 0, 'm0', 'call me on my landline'), ('acme', 't6', 1, 'm1', 'landline again, and a fax')`);
    assert.deepEqual((await search('landline')).ids, ['t6']);
    assert.deepEqual((await search('fax')).ids, ['t6']);
    // A redaction rewrites the text in place: the old word goes, a word still in another message stays.
    await db.exec(`UPDATE messages SET text = 'call me on my [redacted]' WHERE customer_id = 'acme' AND conversation_id = 't6' AND seq = 0`);
    assert.deepEqual((await search('landline')).ids, ['t6']);
    assert.deepEqual((await search('redacted')).ids, ['t6']);
    await db.exec(`UPDATE messages SET state = 'DELETED' WHERE customer_id = 'acme' AND conversation_id = 't6' AND seq = 1`);
    assert.deepEqual((await search('landline')).ids, []);
    assert.deepEqual((await search('fax')).ids, []);
    assert.deepEqual((await search('redacted')).ids, ['t6']);
    await db.exec(`DELETE FROM conversations WHERE customer_id = 'acme' AND id = 't6'`);
    const left = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM message_words WHERE customer_id = 'acme' AND conversation_id = 't6'`);
    assert.equal(left[0].n, 0);
  });

  it('follows the summary through a new analysis', async () => {
    await analyse('acme', 't3', 'The customer asked for a refund of the kettle.');
    assert.deepEqual((await search('warranty')).ids, [], 'the old summary is gone');
    assert.ok((await search('refund')).ids.includes('t3'), 'the new one is found');
    await analyse('acme', 't3', 'The customer wanted a warranty extension.');
    assert.deepEqual((await search('warranty')).ids, ['t3']);
  });

  it('ranks title and name matches above message-only ones, whole words above fragments', async () => {
    // t4 was updated last, so only the rank puts t1 first.
    assert.deepEqual((await search('kettle')).ids, ['t1', 't4']);
    const params: unknown[] = [];
    const bind = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const rankOf = async (keyword: string, id: string) => {
      params.length = 0;
      const { rank, join, where } = keywordMatch(keyword, bind, 'c');
      params.push(id);
      const [row] = await ctx.database.db.query<{ rank: number }>(`SELECT ${rank} AS rank, ${where} AS matched FROM conversations c ${join} WHERE c.customer_id = 'acme' AND c.id = $${params.length}`, params);
      return row.rank;
    };
    assert.ok((await rankOf('kettle', 't1')) > (await rankOf('kett', 't1')), 'whole word above fragment in the title');
    assert.ok((await rankOf('kett', 't1')) > (await rankOf('kettle', 't4')), 'a title fragment above a message word');
    assert.ok((await rankOf('doe', 't2')) > (await rankOf('warranty', 't3')), 'the person above the summary');
    assert.ok((await rankOf('warranty', 't3')) > (await rankOf('zeppelin', 't4')), 'the summary above messages');
  });

  it('never matches another agent\'s or another customer\'s conversations', async () => {
    assert.deepEqual((await search('kettle', 'a2')).ids, ['t5']);
    assert.deepEqual((await search('zeppelin', 'a2')).ids, ['t5']);
    assert.deepEqual((await search('Travel', 'a1')).ids, []);
    assert.deepEqual((await search('kettle', 'a1', 'globex')).ids, ['g1']);
    assert.deepEqual((await search('Jane', 'a1', 'globex')).ids, ['g1']);
    assert.deepEqual((await search('nobody-here', 'a1', 'globex')).ids, []);
  });

  it('takes punctuation, LIKE wildcards and empty keywords literally, without errors or matching everything', async () => {
    for (const keyword of ["'", '&|!', '_', '\\', '%%', "O'Brien", 'a:b & c | !d', '(', '   ', '']) {
      assert.deepEqual((await search(keyword)).ids, [], JSON.stringify(keyword));
    }
    // A literal % in a title (t2); t4's message "50% off" is not searched for a keyword without three letters or digits in a row.
    assert.deepEqual((await search('%')).ids, ['t2']);
    assert.deepEqual((await search('100%')).ids, ['t2']);
    assert.deepEqual((await search('1_0')).ids, []);
    // A short word, too short for an index: a piece of the title ("cotton", t2) and of the summary ("extension", t3).
    assert.deepEqual(sorted((await search('on')).ids), ['t2', 't3']);
  });

  /** The conversations surface's messageKeyword filter over one customer's conversations. */
  const matching = async (keyword: string, customerId = 'acme') => {
    const params: unknown[] = [customerId];
    const where = messageSubstringMatch(keyword, (value) => {
      params.push(value);
      return `$${params.length}`;
    }, 'c');
    const rows = await ctx.database.db.query<{ id: string }>(`SELECT c.id FROM conversations c WHERE c.customer_id = $1 AND ${where} ORDER BY c.id`, params);
    return rows.map((r) => r.id);
  };

  it('messageSubstringMatch: a case-insensitive substring of a live message, % and _ literal, one customer', async () => {
    assert.deepEqual(await matching('zeppelin'), ['t4', 't5']);
    assert.deepEqual(await matching('ZEPPELIN ARR'), ['t4']);
    assert.deepEqual(await matching('secretword'), ['t5'], 't4\'s copy is deleted');
    assert.deepEqual(await matching('50% off'), ['t4']);
    assert.deepEqual(await matching('50%'), ['t4']);
    assert.deepEqual(await matching('5_% off'), []);
    assert.deepEqual(await matching('_'), []);
    assert.deepEqual(await matching('zeppelin', 'globex'), ['g1']);
  });

  it('messageSubstringMatch finds messages through the trigram index (the pattern reaches it as a constant)', async () => {
    const params: unknown[] = [];
    const where = messageSubstringMatch('zeppelin', (value) => {
      params.push(value);
      return `$${params.length}`;
    }, 'c');
    // The tables are tiny: left to itself the planner reads them whole, which says nothing here.
    const plan = await ctx.database.db.transaction(async (tx) => {
      await tx.exec('SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off');
      return tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT c.id FROM conversations c WHERE ${where}`, params);
    });
    assert.match(plan.map((r) => r['QUERY PLAN']).join('\n'), /Bitmap Index Scan on messages_text_trigrams/);
  });
});

import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import pino from 'pino';
import { startJobRunner } from '../../src/jobs/runner.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';

type Json = Record<string, unknown>;
type Bucket = { startTime: string; endTime: string; conversationCount: number; analyzedCount: number; positiveCount: number; neutralCount: number;
  negativeCount: number; taskCompletedCount: number; handedOffCount: number };

const T0 = Date.parse('2024-03-04T00:00:00Z');
const MIN = 60_000;
const H = 60 * MIN;
const at = (ms: number) => new Date(T0 + ms).toISOString();
const PROFILE = '/v1/customers/acme/profiles/stats';
const ZERO = { conversationCount: 0, analyzedCount: 0, positiveCount: 0, neutralCount: 0, negativeCount: 0, taskCompletedCount: 0, handedOffCount: 0 };

const TURNS: Record<string, [string, string][]> = {
  happy: [['VISITOR', 'Hi, I was charged twice for my subscription this month.'], ['AGENT', "Sorry about that! I've refunded the duplicate charge to your card."], ['VISITOR', 'Great, thank you so much for the quick help!']],
  angry: [['VISITOR', 'My bike arrived broken and nobody answers my emails.'], ['AGENT', 'I cannot help with deliveries here.'], ['VISITOR', 'This is terrible service, I want a refund for the broken bike.']],
  plain: [['VISITOR', 'What are your opening hours?'], ['AGENT', 'We open at nine.']],
};

forEachDriver('console API: conversation statistics', (kind) => {
  const ctx = useTestApp(kind);
  const ids: Record<string, string> = {};
  let agentId: string;
  let agentKey: string;

  const get = (url: string, headers: Json = ctx.a.auth) => ctx.app.inject({ method: 'GET', url, headers: headers as Record<string, string> });
  const stats = async (query: string, headers: Json = ctx.a.auth): Promise<{ buckets: Bucket[]; topTopics: { topic: string; count: number }[] }> => {
    const res = await get(`${PROFILE}/conversationStats?${query}`, headers);
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const range = (interval: string, from: number, to: number) => `interval=${interval}&startTime=${at(from)}&endTime=${at(to)}`;

  async function post(url: string, payload: object) {
    const res = await ctx.app.inject({ method: 'POST', url, headers: ctx.a.auth, payload });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  }

  /** A conversation of profile `stats` started at T0 + offset, with the turns; closed (which queues its analysis) when asked. */
  async function conversation(key: string, offset: number, turns: [string, string][], close: boolean) {
    const started = await post(`${PROFILE}/conversations/${key}:start`, { startTime: at(offset) });
    ids[key] = started.uid;
    for (const [speaker, text] of turns) await post(`/v1/${started.name}/conversationMessages`, { text, speaker });
    if (close) await post(`/v1/${started.name}:close`, {});
  }

  before(async () => {
    await ctx.core.tenancy.createProfile('acme', 'stats');
    await conversation('s1', 10 * MIN, TURNS.happy, true);
    await conversation('s2', 50 * MIN, TURNS.angry, false);
    // s2 went to a human and back: handed off once, however often.
    for (const mode of ['MANUAL', 'AI', 'MANUAL']) await post(`${PROFILE}/conversations/s2:updateMode`, { mode });
    await post(`${PROFILE}/conversations/s2:close`, {});
    await conversation('s3', 2 * H + 5 * MIN, TURNS.plain, false);
    await conversation('early', -MIN, TURNS.plain, true);
    await conversation('at-end', 4 * H, TURNS.plain, true);
    // The insights come from the analysis job that closing queued.
    const runner = startJobRunner({ core: ctx.core, log: pino({ level: 'silent' }), pollMs: 5 });
    try {
      await runner.drain();
    } finally {
      await runner.stop();
    }
    // An agent of the profile with one conversation of its own, at T0 + 3h.
    const agent = await ctx.core.agents.create({ customerId: 'acme', profileId: 'stats' }, {
      name: 'Stats agent', knowledge: [{ name: 'help.md', content: '# Hours\nWe open at nine.' }],
    });
    agentId = agent.id;
    agentKey = (await ctx.core.apiKeys.create({ customerId: 'acme', agentId })).secret;
    const caller = await ctx.core.apiKeys.authenticate(agentKey);
    const turn = await ctx.core.interactions.create(caller, { agentId, initialMessage: { type: 'user-message', text: 'When do you open?' } }, new AbortController().signal);
    for await (const _ of turn.events) { /* persisted before its last event */ }
    ids.agent = turn.conversationId;
    await ctx.database.db.query(`UPDATE conversations SET start_time = $1::timestamptz WHERE customer_id = 'acme' AND id = $2`, [at(3 * H + MIN), turn.conversationId]);
  });

  /** What the analyses table says about these conversations, as one bucket's counts. */
  async function expected(keys: string[], handedOff: number): Promise<typeof ZERO> {
    const rows = await ctx.database.db.query<{ sentiment: string; task_completed: boolean }>(
      'SELECT sentiment, task_completed FROM analyses WHERE customer_id = $1 AND conversation_id = ANY($2::text[])', ['acme', keys.map((k) => ids[k])]);
    return {
      conversationCount: keys.length, analyzedCount: rows.length,
      positiveCount: rows.filter((r) => r.sentiment === 'positive').length,
      neutralCount: rows.filter((r) => r.sentiment === 'neutral').length,
      negativeCount: rows.filter((r) => r.sentiment === 'negative').length,
      taskCompletedCount: rows.filter((r) => r.task_completed).length,
      handedOffCount: handedOff,
    };
  }

  it('counts conversations by start time in hourly buckets, with their insights and handoffs; empty buckets included', async () => {
    const analysed = await ctx.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM analyses WHERE conversation_id = ANY($1::text[])', [[ids.s1, ids.s2]]);
    assert.equal(analysed[0].n, 2, 'the analysis job analysed both closed conversations');
    const { buckets, topTopics } = await stats(range('HOUR', 0, 4 * H));
    assert.deepEqual(buckets.map((b) => [b.startTime, b.endTime]), [0, 1, 2, 3].map((i) => [at(i * H), at((i + 1) * H)]));
    const counts = buckets.map(({ startTime: _s, endTime: _e, ...c }) => c);
    assert.deepEqual(counts, [await expected(['s1', 's2'], 1), ZERO, await expected(['s3'], 0), { ...ZERO, conversationCount: 1 }]);
    assert.equal(counts[0].positiveCount + counts[0].neutralCount + counts[0].negativeCount, 2);

    const topics = await ctx.database.db.query<{ topics: string[] }>('SELECT topics FROM analyses WHERE conversation_id = ANY($1::text[])', [[ids.s1, ids.s2]]);
    const tally = new Map<string, number>();
    for (const { topics: list } of topics) for (const topic of new Set(list)) tally.set(topic, (tally.get(topic) ?? 0) + 1);
    const want = [...tally].map(([topic, count]) => ({ topic, count })).sort((x, y) => y.count - x.count || (x.topic < y.topic ? -1 : 1)).slice(0, 10);
    assert.deepEqual(topTopics, want);
  });

  it('anchors buckets at startTime, clips the last one at endTime, and takes DAY as 24 h and WEEK as 7 days', async () => {
    const days = await stats(range('DAY', -12 * H, 18 * H));
    assert.deepEqual(days.buckets.map((b) => [b.startTime, b.endTime, b.conversationCount]), [[at(-12 * H), at(12 * H), 6], [at(12 * H), at(18 * H), 0]]);
    const weeks = await stats(range('WEEK', -8 * 24 * H, 6 * 24 * H));
    assert.deepEqual(weeks.buckets.map((b) => [b.startTime, b.endTime, b.conversationCount]), [[at(-8 * 24 * H), at(-24 * H), 0], [at(-24 * H), at(6 * 24 * H), 6]]);
    assert.equal((await stats(range('HOUR', 0, 400 * H))).buckets.length, 400);
    // The end is exclusive: `at-end` starts at 4 h; a minute earlier is in.
    assert.equal((await stats(range('HOUR', -H, 4 * H))).buckets[0].conversationCount, 1);
  });

  it("narrows to an agent by name or id; a key narrowed to an agent counts that agent's conversations only", async () => {
    const agentName = `customers/acme/profiles/stats/agents/${agentId}`;
    for (const agent of [agentName, agentId]) {
      const { buckets, topTopics } = await stats(`${range('HOUR', 0, 4 * H)}&agent=${encodeURIComponent(agent)}`);
      assert.deepEqual(buckets.map((b) => b.conversationCount), [0, 0, 0, 1]);
      assert.deepEqual(topTopics, []);
    }
    const narrowed = await stats(range('HOUR', 0, 4 * H), { authorization: `Bearer ${agentKey}` });
    assert.deepEqual(narrowed.buckets.map((b) => b.conversationCount), [0, 0, 0, 1]);
    const other = await ctx.core.agents.create({ customerId: 'acme', profileId: 'stats' }, { name: 'Other' });
    const refused = await get(`${PROFILE}/conversationStats?${range('HOUR', 0, 4 * H)}&agent=${other.id}`, { authorization: `Bearer ${agentKey}` });
    assert.equal(refused.statusCode, 404, refused.body);
  });

  it('refuses bad ranges and other tenants clearly', async () => {
    const cases: [string, number, string][] = [
      [range('HOUR', 0, 401 * H), 400, 'interval'],
      [range('HOUR', H, H), 400, 'endTime'],
      [range('DAY', H, 0), 400, 'endTime'],
      [`interval=MONTH&startTime=${at(0)}&endTime=${at(H)}`, 400, ''],
      [`startTime=${at(0)}&endTime=${at(H)}`, 400, ''],
      [`interval=HOUR&startTime=yesterday&endTime=${at(H)}`, 400, ''],
      [`${range('HOUR', 0, H)}&agent=nope`, 400, 'agent'],
      [`${range('HOUR', 0, H)}&agent=customers/acme/profiles/default/agents/${'0'.repeat(24)}`, 400, 'agent'],
      [`${range('HOUR', 0, H)}&agent=${'0'.repeat(24)}`, 404, ''],
      [`${range('HOUR', 0, H)}&extra=1`, 400, ''],
    ];
    for (const [query, status, field] of cases) {
      const res = await get(`${PROFILE}/conversationStats?${query}`);
      assert.equal(res.statusCode, status, `${query}: ${res.body}`);
      assert.equal(res.json().code, status === 404 ? 5 : 3, query);
      if (field) assert.equal(res.json().details.find((d: Json) => d.fieldViolations)?.fieldViolations[0].field, field, res.body);
    }
    assert.match((await get(`${PROFILE}/conversationStats?${range('HOUR', 0, 401 * H)}`)).json().message, /401 buckets.*at most 400/);
    for (const headers of [ctx.b.auth, ctx.aSupport.auth]) {
      const res = await get(`${PROFILE}/conversationStats?${range('HOUR', 0, H)}`, headers);
      assert.equal(res.statusCode, 404, res.body);
    }
    assert.equal((await get(`/v1/customers/acme/profiles/nope/conversationStats?${range('HOUR', 0, H)}`)).statusCode, 404);
  });
});

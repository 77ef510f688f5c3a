import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { LlmAnalyzer } from '../../../src/providers/analysis/llm-analyzer.ts';
import { systemCaller } from '../../../src/core/tenancy/access.ts';
import { createCore } from '../../../src/core/index.ts';
import { ANALYSIS_QUEUE } from '../../../src/core/insights/insights.ts';
import type { Caller } from '../../../src/kernel/types.ts';
import { analysisQueue } from '../../../src/jobs/analysis.ts';
import { QUEUES } from '../../../src/jobs/queues.ts';
import { startJobRunner } from '../../../src/jobs/runner.ts';
import { stores } from '../../../src/store/index.ts';
import { forEachDriver } from '../../helpers/db.ts';
import { useTestApp, type TestContext } from '../../helpers/app.ts';
import { GOOD_ANSWER, startFakeLlm, type FakeLlm } from '../../providers/llm/openai-chat-double.ts';

const base = '/v1/customers/acme/profiles/default/conversations';
const log = pino({ level: 'silent' });
const acme: Caller = systemCaller('acme');
const globex: Caller = systemCaller('globex');

async function post(ctx: TestContext, url: string, payload: object = {}) {
  const res = await ctx.app.inject({ method: 'POST', url, headers: ctx.a.auth, payload });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/** A conversation with the given turns (VISITOR / AGENT); returns its resource name and id. */
async function conversationWith(ctx: TestContext, turns: [speaker: 'VISITOR' | 'AGENT', text: string][]): Promise<{ name: string; id: string; messages: string[] }> {
  const { name } = await post(ctx, `${base}:start`);
  const messages: string[] = [];
  for (const [speaker, text] of turns) messages.push((await post(ctx, `/v1/${name}/conversationMessages`, { text, speaker })).name);
  return { name, id: name.split('/').pop()!, messages };
}

const RESOLVED: [ 'VISITOR' | 'AGENT', string][] = [
  ['VISITOR', 'Hi, I was charged twice for my subscription this month.'],
  ['AGENT', "Sorry about that! I've refunded the duplicate charge to your card."],
  ['VISITOR', 'Great, thank you so much for the quick help!'],
];

async function eventTypes(ctx: TestContext, name: string): Promise<string[]> {
  const res = await ctx.app.inject({ method: 'GET', url: `/v1/${name}/events?pageSize=1000`, headers: ctx.a.auth });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().conversationEvents as { type: string }[]).map((e) => e.type);
}

async function analysisJobs(ctx: TestContext, conversationId: string): Promise<number> {
  const rows = await ctx.database.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM jobs WHERE queue = $1 AND payload->>'conversationId' = $2`, [ANALYSIS_QUEUE, conversationId]);
  return rows[0].n;
}

/**
 * Drains the runner until every event is dispatched too. drain() alone can return while events
 * wait: on PostgreSQL the dispatcher takes only events older than every running transaction of
 * the whole cluster (other test processes' included), and a drain may reuse a tick that began
 * before the test's last commit.
 */
async function settle(ctx: TestContext, runner: { drain(): Promise<void> }): Promise<void> {
  for (;;) {
    await runner.drain();
    const [{ n }] = await ctx.database.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events e, event_cursors c WHERE c.name = 'dispatcher' AND (e.tx, e.gid) > (c.tx, c.gid)`);
    if (n === 0) {
      await runner.drain();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

forEachDriver('insights (analysis job, reactor, core.insights)', (kind) => {
  const ctx = useTestApp(kind);
  let drain: () => Promise<void>;
  let stop: () => Promise<void>;
  before(() => {
    const runner = startJobRunner({ core: ctx.core, log, pollMs: 20 });
    drain = () => settle(ctx, runner);
    stop = () => runner.stop();
  });
  after(() => stop());

  it('closing a conversation through the conversations surface analyses it once the runner drains', async () => {
    const c = await conversationWith(ctx, RESOLVED);
    assert.equal(await ctx.core.insights.get(acme, c.id), null);
    await post(ctx, `/v1/${c.name}:close`);
    await drain();
    const insights = await ctx.core.insights.get(acme, c.id);
    assert.ok(insights);
    assert.equal(insights.conversationId, c.id);
    assert.equal(insights.sentiment, 'positive');
    assert.equal(insights.taskCompleted, true);
    assert.ok(insights.topics.includes('billing'), JSON.stringify(insights.topics));
    assert.match(insights.summary, /charged twice/);
    assert.deepEqual([insights.analyzer, insights.analyzerVersion], ['local', '2']);
    assert.ok(insights.createTime instanceof Date);
    const types = await eventTypes(ctx, c.name);
    assert.deepEqual(types.slice(-2), ['CONVERSATION_END', 'ANALYSIS_COMPLETE']);
    const events = await ctx.app.inject({ method: 'GET', url: `/v1/${c.name}/events?filter.types=ANALYSIS_COMPLETE`, headers: ctx.a.auth });
    const [event] = events.json().conversationEvents;
    assert.equal(event.actor, 'system:jobs');
    assert.equal(event.payload.insights.sentiment, 'positive');
    assert.equal(event.payload.insights.taskCompleted, true);
    assert.equal(event.payload.insights.createTime, insights.createTime.toISOString());
  });

  it('a conversation ended twice is analysed once, whether the second end comes before or after the analysis', async () => {
    const c = await conversationWith(ctx, RESOLVED);
    await post(ctx, `/v1/${c.name}:close`);
    // Another surface ends it again before the runner has run (e.g. a call end after an ingest "completed").
    await stores(ctx.database.db).events.appendEvents('acme', c.id, 'test', [{ type: 'CONVERSATION_END', payload: { reason: 'again' } }]);
    await drain();
    await post(ctx, `/v1/${c.name}:close`); // idempotent at the core: no new event
    await stores(ctx.database.db).events.appendEvents('acme', c.id, 'test', [{ type: 'CONVERSATION_END', payload: { reason: 'late' } }]);
    await drain();
    assert.equal(await analysisJobs(ctx, c.id), 1);
    assert.equal((await eventTypes(ctx, c.name)).filter((t) => t === 'ANALYSIS_COMPLETE').length, 1);
    const rows = await ctx.database.db.query(`SELECT 1 FROM analyses WHERE customer_id = 'acme' AND conversation_id = $1`, [c.id]);
    assert.equal(rows.length, 1);
  });

  it('regenerate replaces the insights with a new analysis and a second ANALYSIS_COMPLETE', async () => {
    const c = await conversationWith(ctx, RESOLVED);
    await post(ctx, `/v1/${c.name}:close`);
    await drain();
    const first = (await ctx.core.insights.get(acme, c.id))!;
    const firstJob = (await stores(ctx.database.db).analyses.getAnalysis('acme', c.id))!.jobId;
    await ctx.core.insights.regenerate(acme, c.id);
    await drain();
    const second = (await ctx.core.insights.get(acme, c.id))!;
    assert.notEqual((await stores(ctx.database.db).analyses.getAnalysis('acme', c.id))!.jobId, firstJob);
    assert.ok(second.createTime.getTime() >= first.createTime.getTime());
    assert.equal(second.sentiment, first.sentiment);
    assert.equal((await eventTypes(ctx, c.name)).filter((t) => t === 'ANALYSIS_COMPLETE').length, 2);
    assert.equal((await ctx.database.db.query(`SELECT 1 FROM analyses WHERE conversation_id = $1`, [c.id])).length, 1);
  });

  it("another tenant's conversation is NOT_FOUND for get and regenerate, and nothing is written", async () => {
    const c = await conversationWith(ctx, RESOLVED);
    const before = await ctx.snapshot();
    await assert.rejects(ctx.core.insights.get(globex, c.id), { code: 'NOT_FOUND' });
    await assert.rejects(ctx.core.insights.regenerate(globex, c.id), { code: 'NOT_FOUND' });
    await assert.rejects(ctx.core.insights.regenerate(acme, '0123456789abcdef01234567'), { code: 'NOT_FOUND' });
    const supportOnly: Caller = { ...acme, profileId: 'support' };
    await assert.rejects(ctx.core.insights.get(supportOnly, c.id), { code: 'NOT_FOUND' });
    assert.deepEqual(await ctx.snapshot(), before);
    assert.equal(await analysisJobs(ctx, c.id), 0);
  });

  it('a conversation without messages: regenerate is FAILED_PRECONDITION; closing it stores no insights', async () => {
    const c = await conversationWith(ctx, []);
    const before = await ctx.snapshot();
    await assert.rejects(ctx.core.insights.regenerate(acme, c.id), { code: 'FAILED_PRECONDITION', message: /no messages/ });
    assert.deepEqual(await ctx.snapshot(), before);
    await post(ctx, `/v1/${c.name}:close`);
    await drain();
    assert.equal(await analysisJobs(ctx, c.id), 1);
    assert.equal(await ctx.core.insights.get(acme, c.id), null);
    assert.ok(!(await eventTypes(ctx, c.name)).includes('ANALYSIS_COMPLETE'));
  });

  it('an end marked abandoned (the ingest surface) is not analysed', async () => {
    const c = await conversationWith(ctx, RESOLVED);
    await stores(ctx.database.db).events.appendEvents('acme', c.id, 'test', [{ type: 'CONVERSATION_END', payload: { reason: 'abandoned' } }]);
    await drain();
    assert.equal(await analysisJobs(ctx, c.id), 0);
    assert.equal(await ctx.core.insights.get(acme, c.id), null);
  });

  it('a job run again after its transaction committed (a killed worker) writes nothing twice', async () => {
    const c = await conversationWith(ctx, RESOLVED);
    const signal = new AbortController().signal;
    assert.equal(await ctx.core.insights.analyze('acme', c.id, 'job-x', signal), 'analysed');
    assert.equal(await ctx.core.insights.analyze('acme', c.id, 'job-x', signal), 'already-done');
    assert.equal((await eventTypes(ctx, c.name)).filter((t) => t === 'ANALYSIS_COMPLETE').length, 1);
    assert.equal(await ctx.core.insights.analyze('acme', 'ffffffffffffffffffffffff', 'job-y', signal), 'conversation-gone');
  });

  it('deleting the conversation removes its insights', async () => {
    const c = await conversationWith(ctx, RESOLVED);
    await ctx.core.insights.analyze('acme', c.id, 'job-del', new AbortController().signal);
    const res = await ctx.app.inject({ method: 'DELETE', url: `/v1/${c.name}`, headers: ctx.a.auth });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await ctx.database.db.query(`SELECT 1 FROM analyses WHERE conversation_id = $1`, [c.id])).length, 0);
  });
});

forEachDriver('insights with the LLM analyzer', (kind) => {
  const ctx = useTestApp(kind);
  let llm: FakeLlm;
  before(async () => {
    llm = await startFakeLlm({ apiKey: 'sk-parley-test', model: 'gpt-test' });
  });
  after(() => llm.close());

  it('sends the stored transcript (redacted, without deleted messages), retries a malformed answer, stores the good one', async () => {
    const c = await conversationWith(ctx, [
      ['VISITOR', 'My parcel is five days late. My card is 4111 1111 1111 1111.'],
      ['VISITOR', 'a message deleted later'],
      ['AGENT', 'It is delayed at the depot; I have no new date yet.'],
      ['VISITOR', 'This is unacceptable.'],
    ]);
    const card = 'My parcel is five days late. My card is '.length;
    await post(ctx, `/v1/${c.messages[0]}:redact`, { startIndex: card, endIndex: card + 19 });
    const del = await ctx.app.inject({ method: 'DELETE', url: `/v1/${c.messages[1]}`, headers: ctx.a.auth });
    assert.equal(del.statusCode, 200, del.body);
    await post(ctx, `/v1/${c.name}:close`);

    const core = createCore(ctx.database.db, {
      keyCacheSeconds: 0,
      analyzer: new LlmAnalyzer({ baseUrl: llm.baseUrl, apiKey: 'sk-parley-test', model: 'gpt-test', timeoutMs: 10_000 }),
    });
    llm.reply('{"sentiment": "negative", "summary": "cut off', GOOD_ANSWER);
    const queues = { ...QUEUES, [ANALYSIS_QUEUE]: { ...analysisQueue, retry: { baseMs: 1, maxMs: 1, maxAttempts: 5 } } };
    const runner = startJobRunner({ core, log, queues, pollMs: 5 });
    try {
      while (!(await core.insights.get(acme, c.id))) await settle(ctx, runner);
    } finally {
      await runner.stop();
    }
    const insights = (await core.insights.get(acme, c.id))!;
    assert.deepEqual(
      { sentiment: insights.sentiment, score: insights.sentimentScore, done: insights.taskCompleted, topics: insights.topics, summary: insights.summary, issues: insights.issues },
      { sentiment: 'negative', score: -0.6, done: false, topics: GOOD_ANSWER.topics, summary: GOOD_ANSWER.summary, issues: GOOD_ANSWER.issues },
    );
    assert.deepEqual([insights.analyzer, insights.analyzerVersion], ['llm', 'gpt-test']);
    assert.equal(llm.requests.length, 2, 'the malformed answer was retried once');
    const [job] = await ctx.database.db.query<{ state: string; attempt: number }>(
      `SELECT state, attempt FROM jobs WHERE queue = $1 AND payload->>'conversationId' = $2`, [ANALYSIS_QUEUE, c.id]);
    assert.deepEqual(job, { state: 'done', attempt: 2 });
    const sent = llm.requests[1].body.messages[1].content;
    assert.match(sent, /User: My parcel is five days late\. My card is \*{19}\.\nAssistant: It is delayed/);
    assert.doesNotMatch(sent, /4111|deleted later/);
    assert.equal((await eventTypes(ctx, c.name)).filter((t) => t === 'ANALYSIS_COMPLETE').length, 1);
  });
});

/**
 * `node --import tsx bench/ingest.ts`: the ingest surface against PostgreSQL, beside the
 * conversations surface's append. Prints a markdown section (for bench/RESULTS.md) on stdout;
 * progress goes to stderr.
 *
 * 1. A fresh database on BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 *    migrated, with a customer and a key made by the CLI, and one prompt made over HTTP.
 * 2. Scenarios, each on its own `parley serve` process (PARLEY_JOBS=off: the HTTP path only;
 *    PARLEY_INGEST_RATE_LIMIT_PER_MINUTE very high, so the limiter is measured but never refuses),
 *    all with one API key: an ingest create with a 50-message structured transcript, an ingest
 *    append of 2 messages, and the conversations surface's append of one message
 *    (POST …/conversationMessages, as bench/run.ts calls it); both appends rotate over
 *    BENCH_APPEND_CONVERSATIONS (200) open conversations of their own.
 * 3. Warm-up, then autocannon at BENCH_CONNECTIONS (50) for BENCH_SECONDS (15); req/s, p50/p99 and
 *    the server's peak RSS (VmHWM). Any non-2xx response is reported. The ratios to the
 *    conversations append are printed. The database is dropped.
 *
 * BENCH_WAITS=1 also samples pg_stat_activity every 10 ms during each measured run and prints what
 * the bench database's sessions were doing (wait events and the statement waited on): where the
 * time goes, without pg_stat_statements (which needs a server restart on a shared machine).
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import autocannon, { type AutocannonOptions, type AutocannonResult } from 'autocannon';
import pg from 'pg';
import { admin, benchDatabase, cpuWindow, peakRssMb, positiveInt, ROOT, startServer, stopServer, urlFor, type CpuUse, type Server } from './lib.ts';

const run = promisify(execFile);
const SECONDS = positiveInt('BENCH_SECONDS', 15);
const WARMUP_SECONDS = positiveInt('BENCH_WARMUP_SECONDS', 3);
const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 50);
const APPEND_CONVERSATIONS = positiveInt('BENCH_APPEND_CONVERSATIONS', 200);
const SAMPLE_WAITS = process.env.BENCH_WAITS === '1';
// BENCH_PARLEY_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the measured servers.
const NODE_ARGS = process.env.BENCH_PARLEY_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
/** BENCH_ONLY=ingest-append (comma-separated scenario ids) runs only those. */
const ONLY = process.env.BENCH_ONLY?.split(',');
const RATE_LIMIT = 1_000_000_000;
const CONV_BASE = '/v1/customers/bench/profiles/default/conversations';

const log = (line: string) => process.stderr.write(`[bench:ingest] ${line}\n`);

async function call(server: Server, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, {
    method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${JSON.stringify(json).slice(0, 500)}`);
  return { status: res.status, headers: res.headers, json };
}

/** A 50-message structured transcript of plausible turns (~6 KB). */
function transcript(): string {
  const messages = Array.from({ length: 50 }, (_, i) => (i % 2 === 0
    ? { role: 'user', content: `Turn ${i}: my order #${1000 + i} has not arrived yet, can you check where it is and when it will be delivered?` }
    : { role: 'assistant', content: `Turn ${i}: I checked order #${1000 + i - 1}; it left the warehouse yesterday and should arrive within two days.`, model: 'gpt-4o', tokens: 42 }));
  return JSON.stringify({ messages, metadata: { channel: 'web', sessionId: 'bench' } });
}

interface Outcome {
  id: string;
  title: string;
  request: string;
  result: AutocannonResult;
  peakRssMb: number;
  loadAvg: number;
  waits: string;
  cpu: CpuUse;
}

type Load = Omit<AutocannonOptions, 'url'> & { path?: string };

/**
 * Samples the bench database's sessions every 10 ms: the share of samples per state/wait event,
 * and the statements most often seen waiting on a lock or on the commit's WAL flush.
 */
function sampleWaits(databaseUrl: string, database: string): { stop: () => Promise<string> } {
  const client = new pg.Client({ connectionString: databaseUrl });
  const counts = new Map<string, number>();
  const waitedOn = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const rows = (await client.query<{ what: string; query: string; waiting: boolean }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU (' || state || ')') AS what, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query,
                wait_event_type IN ('Lock', 'LWLock', 'IO') AS waiting
           FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
        [database])).rows;
      samples++;
      for (const r of rows) {
        counts.set(r.what, (counts.get(r.what) ?? 0) + 1);
        if (r.waiting) waitedOn.set(`${r.what} ← ${r.query}`, (waitedOn.get(`${r.what} ← ${r.query}`) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await client.end();
  })();
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([k, v]) => `    ${(v / samples).toFixed(2).padStart(6)} ${k}`).join('\n');
  return {
    stop: async () => {
      running = false;
      await loop;
      return `  sessions per sample (${samples} samples):\n${top(counts, 8)}\n  waiting on:\n${top(waitedOn, 8)}`;
    },
  };
}

async function measure(
  id: string, title: string, request: string, env: Record<string, string>, database: string, load: (server: Server) => Promise<Load>,
): Promise<Outcome | undefined> {
  if (ONLY && !ONLY.includes(id)) return undefined;
  log(`${title}: starting a fresh server`);
  const server = await startServer('parley', [...NODE_ARGS, 'bin/parley.js', 'serve'], env);
  try {
    // autocannon takes a fixed path from the URL (a top-level `path` option is overridden by it).
    const { path = '', ...options } = await load(server);
    const cannon = (duration: number) => autocannon({ url: `${server.url}${path}`, connections: CONNECTIONS, pipelining: 1, timeout: 10, ...options, duration });
    await cannon(WARMUP_SECONDS);
    const sampler = SAMPLE_WAITS ? sampleWaits(env.DATABASE_URL, database) : undefined;
    const window = await cpuWindow(server.pid, database);
    const result = await cannon(SECONDS);
    const cpu = await window.stop();
    const waits = (await sampler?.stop()) ?? '';
    const peak = peakRssMb(server.child.pid!);
    log(`${title}: ${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms, peak RSS ${peak.toFixed(1)} MB, non-2xx ${result.non2xx}, errors ${result.errors}`);
    if (waits) log(`${title}: database sessions\n${waits}`);
    return { id, title, request, result, peakRssMb: peak, loadAvg: os.loadavg()[0], waits, cpu };
  } finally {
    await stopServer(server);
  }
}

async function main(): Promise<void> {
  const { database, cleanup } = await benchDatabase('parley_bench_ingest', log);
  const env = {
    DATABASE_URL: urlFor(database), LOG_LEVEL: 'warn', PARLEY_DB_POOL_SIZE: '20', PARLEY_JOBS: 'off',
    PARLEY_INGEST_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
  };
  const cli = async (...args: string[]) => (await run(process.execPath, ['bin/parley.js', ...args], { cwd: ROOT, env: { ...process.env, ...env } })).stdout.trim();
  try {
    await cli('migrate');
    await cli('customers', 'create', 'bench');
    const key = await cli('keys', 'create', '--customer', 'bench', '--quiet');
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const createBody = { content: transcript(), status: 'completed', llmModel: 'gpt-4o' };
    let promptId = '';
    const ingestConversations: string[] = [];
    const coreConversations = Array.from({ length: APPEND_CONVERSATIONS }, (_, i) => `bench-append-${String(i).padStart(3, '0')}`);

    const setup = await startServer('parley', ['bin/parley.js', 'serve'], env);
    try {
      const prompt = await call(setup, key, 'POST', '/api/v1/prompts', { name: 'bench', content: 'You are a delivery support agent.' });
      if (prompt.headers.get('ratelimit-limit') !== String(RATE_LIMIT)) {
        throw new Error(`the server's ingest rate limit is ${prompt.headers.get('ratelimit-limit')}, not ${RATE_LIMIT}: ` +
          'PARLEY_INGEST_RATE_LIMIT_PER_MINUTE does not reach createCore (src/cli/core-options.ts)');
      }
      promptId = prompt.json.id as string;
      for (let i = 0; i < APPEND_CONVERSATIONS; i++) {
        const opened = await call(setup, key, 'POST', '/api/v1/conversations', { promptId, content: 'User: hello', status: 'active' });
        ingestConversations.push(opened.json.id as string);
      }
      for (const id of coreConversations) await call(setup, key, 'POST', `${CONV_BASE}/${id}:start`, {});
    } finally {
      await stopServer(setup);
    }

    const outcomes: (Outcome | undefined)[] = [];
    let coreTurn = 0;
    const coreAppendJson = JSON.stringify({ text: 'Is it out for delivery yet? It was due yesterday.', speaker: 'VISITOR' });
    outcomes.push(await measure('core-append', `Conversations surface: append 1 message, ${APPEND_CONVERSATIONS} conversations`,
      'POST /v1/…/conversations/{conv}/conversationMessages', env, database, async () => ({
        method: 'POST', headers: auth, body: coreAppendJson,
        requests: [{ setupRequest: (request) => ({ ...request, path: `${CONV_BASE}/${coreConversations[coreTurn++ % coreConversations.length]}/conversationMessages` }) }],
      })));
    const createJson = JSON.stringify({ ...createBody, promptId });
    outcomes.push(await measure('ingest-create', 'Ingest: create, 50-message transcript', 'POST /api/v1/conversations', env, database, async () => ({
      method: 'POST', path: '/api/v1/conversations', headers: auth, body: createJson,
    })));
    let turn = 0;
    const appendJson = JSON.stringify({ messages: [{ role: 'user', content: 'Is it out for delivery yet?' }, { role: 'assistant', content: 'Yes, it arrives today.' }] });
    outcomes.push(await measure('ingest-append', `Ingest: append 2 messages, ${APPEND_CONVERSATIONS} conversations`,
      'POST /api/v1/conversations/{id}/messages', env, database, async () => ({
        method: 'POST', headers: auth, body: appendJson,
        requests: [{ setupRequest: (request) => ({ ...request, path: `/api/v1/conversations/${ingestConversations[turn++ % ingestConversations.length]}/messages` }) }],
      })));

    const version = (await admin<{ server_version: string }>('SHOW server_version'))[0].server_version;
    const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    const rate = (id: string) => outcomes.find((o) => o?.id === id)?.result.requests.average ?? NaN;
    // n/a when BENCH_ONLY left out either scenario.
    const ratio = (id: string) => (Number.isNaN(rate(id) / rate('core-append')) ? 'n/a' : (rate(id) / rate('core-append')).toFixed(2));
    // CPU a request (server + database), the append's over the scenario's: what the rate ratio would be on a machine that ran nothing else.
    const cpuOf = (o: Outcome) => (o.cpu.serverMs + o.cpu.databaseMs) / o.result.requests.total;
    const cpuRatio = (id: string) => {
      const [core, other] = [outcomes.find((o) => o?.id === 'core-append'), outcomes.find((o) => o?.id === id)];
      return core && other ? (cpuOf(core) / cpuOf(other)).toFixed(2) : 'n/a';
    };
    process.stdout.write(`## Ingest surface (\`/api/v1\`)

Command: \`node --import tsx bench/ingest.ts\` (BENCH_SECONDS=${SECONDS}, BENCH_CONNECTIONS=${CONNECTIONS}, BENCH_APPEND_CONVERSATIONS=${APPEND_CONVERSATIONS}).
${new Date().toISOString()}; ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores; Node.js ${process.version}; PostgreSQL ${version}; loopback, server, database and load generator on one machine.

| Scenario | Request | req/s | p50 ms | p99 ms | CPU ms a request: server / PostgreSQL | Peak RSS MB | Requests | non-2xx / errors / timeouts | Load avg |
|---|---|--:|--:|--:|--:|--:|--:|--:|--:|
${outcomes.filter((o) => o !== undefined).map((o) => `| ${o.title} | \`${o.request}\` | ${fmt(o.result.requests.average)} | ${fmt(o.result.latency.p50, 1)} | ${fmt(o.result.latency.p99, 1)} | ${fmt(o.cpu.serverMs / o.result.requests.total, 2)} / ${fmt(o.cpu.databaseMs / o.result.requests.total, 2)} | ${fmt(o.peakRssMb, 1)} | ${fmt(o.result.requests.total)} | ${o.result.non2xx} / ${o.result.errors} / ${o.result.timeouts} | ${fmt(o.loadAvg, 1)} |`).join('\n')}

Ratios to the conversations-surface append: ingest append **${ratio('ingest-append')}x**, ingest create **${ratio('ingest-create')}x**.
By CPU a request (the conversations append's server + PostgreSQL CPU over the scenario's; the rate ratio on a machine that ran nothing else): ingest append **${cpuRatio('ingest-append')}x**, ingest create **${cpuRatio('ingest-create')}x**.

- Conversations append: one message to the next of ${APPEND_CONVERSATIONS} conversations in turn (group commit), as \`npm run bench\` measures it.
- Create: the conversation, its 50 messages and their events, the ingest record and the close (status completed), plus the rate limiter's count.
- Append: 2 messages to the next of ${APPEND_CONVERSATIONS} open conversations in turn, with their events and a CONVERSATION_UPDATE, answered with the whole accumulated conversation (which grows during the run).
- PARLEY_JOBS=off: background analysis of the completed conversations is not part of the measurement.
`);
  } finally {
    await cleanup();
  }
}

await main();

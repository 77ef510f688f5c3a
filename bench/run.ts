/**
 * `npm run bench`: Parley's append-message and list-messages against PostgreSQL, beside a bare
 * Fastify + pg baseline on the same machine, in one run; writes bench/RESULTS.md.
 *
 * 1. Creates a fresh database on PostgreSQL (BENCH_POSTGRES_URL, default
 *    postgres://postgres@127.0.0.1:5432/postgres), migrates it and creates customer/key with the CLI.
 * 2. Seeds: the baseline's 100,000-row table; Parley conversations, one of them with 100,000
 *    messages (batchCreate over HTTP in chunks of 500 when the route exists, else the core's
 *    append in-process); walks that conversation once to collect page tokens.
 * 3. Each scenario gets its own server process (so peak RSS is its own) and a warm-up. Then, in
 *    BENCH_ROUNDS (3) rounds, every scenario of a family (write, read) runs in turn for
 *    BENCH_SECONDS (10) at BENCH_CONNECTIONS (50): each Parley round is measured right beside its
 *    baseline's, so load from elsewhere on a shared machine hits both alike, and the ratio judged
 *    is the median of the rounds' ratios. Peak RSS = VmHWM of the process.
 * 4. Writes bench/RESULTS.md, stops every child, drops the database.
 *
 * Loopback only. Not part of `npm test`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import autocannon, { type AutocannonOptions, type AutocannonResult } from 'autocannon';
import { createCore } from '../src/core/index.ts';
import { DISPATCHER_CURSOR } from '../src/jobs/dispatcher.ts';
import { eventsPastCursor } from '../src/store/jobs.ts';
import { openPostgres } from '../src/store/pg-driver.ts';
import { ADMIN_URL, admin, children, killChildrenNow, peakRssMb, positiveInt, ROOT, startServer, stopServer, urlFor, type Server } from './lib.ts';

const run = promisify(execFile);
const RESULTS_PATH = fileURLToPath(new URL('RESULTS.md', import.meta.url));
/** RESULTS.md holds other benchmarks' sections too: the report replaces only what comes before this line. */
const REPORT_END = '<!-- end of the `npm run bench` report: everything below is kept when it is rewritten -->';

function writeReport(markdown: string): void {
  let kept = '';
  try {
    const previous = readFileSync(RESULTS_PATH, 'utf8');
    const end = previous.indexOf(REPORT_END);
    if (end >= 0) kept = previous.slice(end + REPORT_END.length);
  } catch {
    // no previous results
  }
  writeFileSync(RESULTS_PATH, `${markdown}\n${REPORT_END}${kept || '\n'}`);
}

const SECONDS = positiveInt('BENCH_SECONDS', 10);
const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const WARMUP_SECONDS = positiveInt('BENCH_WARMUP_SECONDS', 3, true);
const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 50);
const MESSAGES = positiveInt('BENCH_MESSAGES', 100_000);
const APPEND_CONVERSATIONS = 50;
const PAGE_SIZE = 100;
const TOKENS_WANTED = 200;
const SEED_CHUNK = 500;

/** Targets from the requirement. */
const TARGET_RATIO = 0.7;
const TARGET_RSS_MB = 250;

const CUSTOMER = 'bench';
const PROFILE = 'default';
const BIG = 'bench-big';
const SINGLE = 'bench-single';
const MULTI = Array.from({ length: APPEND_CONVERSATIONS }, (_, i) => `bench-multi-${String(i).padStart(2, '0')}`);
const CONV_BASE = `/v1/customers/${CUSTOMER}/profiles/${PROFILE}/conversations`;

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

function messageText(i: number): string {
  return `benchmark message ${i}: the quick brown fox jumps over the lazy dog`;
}

// ---------------------------------------------------------------------------------------------
// Parley over HTTP

async function call(server: Server, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // left as text
  }
  return { status: res.status, json };
}

async function mustCall(server: Server, key: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const { status, json } = await call(server, key, method, path, body);
  if (status < 200 || status > 299) throw new Error(`${method} ${path} → ${status}: ${JSON.stringify(json).slice(0, 500)}`);
  return json;
}

/** Seeds `count` messages into a conversation: batchCreate over HTTP if the route exists, else the core in-process. */
async function seedMessages(server: Server, key: string, databaseUrl: string, nameId: string, count: number): Promise<string> {
  const chunk = (start: number) =>
    Array.from({ length: Math.min(SEED_CHUNK, count - start) }, (_, i) => ({ text: messageText(start + i), speaker: (start + i) % 2 ? 'AGENT' : 'VISITOR' }));
  const probe = await call(server, key, 'POST', `${CONV_BASE}/${nameId}/conversationMessages:batchCreate`, { conversationMessages: chunk(0) });
  if (probe.status >= 200 && probe.status < 300) {
    for (let start = SEED_CHUNK; start < count; start += SEED_CHUNK) {
      await mustCall(server, key, 'POST', `${CONV_BASE}/${nameId}/conversationMessages:batchCreate`, { conversationMessages: chunk(start) });
    }
    return 'HTTP batchCreate (500 a request)';
  }
  if (probe.status !== 404 && probe.status !== 405) {
    throw new Error(`batchCreate probe → ${probe.status}: ${JSON.stringify(probe.json).slice(0, 500)}`);
  }
  log(`batchCreate answered ${probe.status}; seeding through the core in-process`);
  const db = openPostgres({ connectionString: databaseUrl, max: 2 });
  try {
    const core = createCore(db);
    const caller = await core.apiKeys.authenticate(key);
    const ref = { customerId: CUSTOMER, profileId: PROFILE, nameId };
    for (let start = 0; start < count; start += SEED_CHUNK) {
      await core.messages.append(caller, ref, chunk(start).map((m) => ({ text: m.text, speaker: m.speaker as 'AGENT' | 'VISITOR' })));
    }
  } finally {
    await db.close();
  }
  return 'core MessageService.append in-process (500 a call)';
}

/** Walks the big conversation once; keeps ~TOKENS_WANTED page tokens spread over it ('' = first page). */
async function collectPageTokens(server: Server, key: string): Promise<{ tokens: string[]; pages: number; messages: number }> {
  const all: string[] = [''];
  let token = '';
  let pages = 0;
  let messages = 0;
  for (;;) {
    const query = `pageSize=${PAGE_SIZE}${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`;
    const page = (await mustCall(server, key, 'GET', `${CONV_BASE}/${BIG}/conversationMessages?${query}`)) as {
      conversationMessages?: unknown[];
      nextPageToken?: string;
    };
    pages++;
    messages += page.conversationMessages?.length ?? 0;
    token = page.nextPageToken ?? '';
    if (!token) break;
    all.push(token);
  }
  const step = Math.max(1, Math.floor(all.length / TOKENS_WANTED));
  return { tokens: all.filter((_, i) => i % step === 0).slice(0, TOKENS_WANTED), pages, messages };
}

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Scenario {
  id: string;
  title: string;
  family: 'write' | 'read';
  baseline: boolean;
  /** Counted against the targets (the single-conversation append is reported beside it). */
  target: boolean;
  /** The baseline whose req/s the target ratio is taken against (default: the family's first). */
  vs?: string;
  start: () => Promise<Server>;
  load: (server: Server) => Load;
  request: string;
}

interface Outcome {
  scenario: Scenario;
  /** One autocannon result a round, in round order. */
  rounds: AutocannonResult[];
  warmup?: AutocannonResult;
  peakRssMb: number;
  /** 1-minute load average at the end of the scenario: the machine may be shared. */
  loadAvg: number;
}

type Load = Omit<AutocannonOptions, 'url' | 'connections' | 'duration'> & { path?: string };

async function cannon(base: string, seconds: number, { path = '', ...load }: Load): Promise<AutocannonResult> {
  // autocannon takes the fixed path from the URL (a top-level `path` option is overridden by it).
  return autocannon({ url: `${base}${path}`, connections: CONNECTIONS, duration: seconds, pipelining: 1, timeout: 10, ...load });
}

function badResponses(r: AutocannonResult): number {
  return r.non2xx + r.errors + r.timeouts;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Mean req/s over the rounds; p50/p99 the median round's; counts summed. */
function summary(o: Outcome) {
  const sum = (f: (r: AutocannonResult) => number) => o.rounds.reduce((total, r) => total + f(r), 0);
  return {
    reqPerSec: sum((r) => r.requests.average) / o.rounds.length,
    p50: median(o.rounds.map((r) => r.latency.p50)),
    p99: median(o.rounds.map((r) => r.latency.p99)),
    requests: sum((r) => r.requests.total),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
  };
}

/** Per-round ratios of o's req/s to base's (the same round's), and their median. */
function ratios(o: Outcome, base: Outcome): { perRound: number[]; median: number } {
  const perRound = o.rounds.map((r, i) => r.requests.average / base.rounds[i].requests.average);
  return { perRound, median: median(perRound) };
}

/** Starts and warms every scenario's server, then runs the rounds: each scenario in turn, ROUNDS times. */
async function runFamily(scenarios: readonly Scenario[], settle: () => Promise<void>): Promise<Outcome[]> {
  const running: Array<{ scenario: Scenario; server: Server; load: Load; warmup?: AutocannonResult; rounds: AutocannonResult[] }> = [];
  try {
    for (const scenario of scenarios) {
      log(`${scenario.title}: starting its server`);
      const server = await scenario.start();
      const load = scenario.load(server);
      running.push({ scenario, server, load, rounds: [] });
    }
    for (const entry of running) {
      entry.warmup = WARMUP_SECONDS > 0 ? await cannon(entry.server.url, WARMUP_SECONDS, entry.load) : undefined;
      await settle();
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const entry of running) {
        const result = await cannon(entry.server.url, SECONDS, entry.load);
        entry.rounds.push(result);
        await settle();
        log(`round ${round}/${ROUNDS} ${entry.scenario.title}: ${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, ` +
          `p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`);
      }
    }
    return running.map((entry) => {
      const peak = peakRssMb(entry.server.pid);
      log(`${entry.scenario.title}: peak RSS ${peak.toFixed(1)} MB`);
      return { scenario: entry.scenario, rounds: entry.rounds, warmup: entry.warmup, peakRssMb: peak, loadAvg: os.loadavg()[0] };
    });
  } finally {
    await Promise.all(running.map((entry) => stopServer(entry.server)));
  }
}

// ---------------------------------------------------------------------------------------------
// Report

interface Facts {
  date: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  loadAtStart: number;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function report(facts: Facts, outcomes: Outcome[], setup: { seededWith: string; seedSeconds: number; tokens: number; pages: number; walked: number }, command: string): { markdown: string; pass: boolean } {
  const baselinesOf = (family: Outcome['scenario']['family']) => outcomes.filter((o) => o.scenario.family === family && o.scenario.baseline);
  let pass = true;
  const rows = (family: Outcome['scenario']['family']) => outcomes.filter((o) => o.scenario.family === family).map((o) => {
    const bases = baselinesOf(family);
    const base = bases.find((b) => b.scenario.id === o.scenario.vs) ?? bases[0];
    const { perRound, median: ratio } = ratios(o, base);
    const others = o.scenario.baseline ? [] : bases.filter((b) => b !== base)
      .map((b) => `; vs ${b.scenario.title}: ${fmt(ratios(o, b).median, 2)}`);
    const sum = summary(o);
    const bad = sum.non2xx + sum.errors + sum.timeouts;
    const rssOk = o.peakRssMb <= TARGET_RSS_MB;
    let verdict: string;
    if (o.scenario.baseline) {
      verdict = bad ? 'FAIL (errors)' : '— (baseline)';
    } else {
      const failures = [ratio < TARGET_RATIO && `ratio < ${TARGET_RATIO}`, !rssOk && `RSS > ${TARGET_RSS_MB} MB`, bad > 0 && 'errors'].filter(Boolean);
      verdict = failures.length ? `FAIL (${failures.join(', ')})` : 'PASS';
      if (!o.scenario.target) verdict += ' (reported, not the target)';
      verdict += ` (ratio vs ${base.scenario.title}, rounds ${perRound.map((r) => fmt(r, 2)).join(' / ')}${others.join('')})`;
    }
    if (bad > 0 || (o.scenario.target && (ratio < TARGET_RATIO || !rssOk))) pass = false;
    return `| ${o.scenario.title} | \`${o.scenario.request}\` | ${fmt(sum.reqPerSec)} | ${fmt(sum.p50, 1)} | ${fmt(sum.p99, 1)} | ` +
      `${fmt(o.peakRssMb, 1)} | ${fmt(sum.requests)} | ${sum.non2xx} / ${sum.errors} / ${sum.timeouts} | ` +
      `${o.scenario.baseline ? '1.00' : fmt(ratio, 2)} | ${fmt(o.loadAvg, 1)} | ${verdict} |`;
  });
  const header = '| Scenario | Request | req/s | p50 ms | p99 ms | Peak RSS MB | Requests | non-2xx / errors / timeouts | Ratio to baseline | Load avg | Verdict |\n' +
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|';
  // Built before the text: building them settles `pass`, which the text's first lines show.
  const writeRows = rows('write');
  const readRows = rows('read');
  const warmupBad = outcomes.filter((o) => o.warmup && badResponses(o.warmup) > 0);
  if (warmupBad.length) pass = false;
  const settings = Object.entries(facts.postgresSettings).map(([k, v]) => `${k}=${v}`).join(', ');
  const markdown = `# Benchmark results

Requirement: append-message and list-messages (a conversation with 100,000 messages, pages of 100)
on PostgreSQL reach **≥ ${TARGET_RATIO * 100}% of the bare Fastify + pg baseline's req/s at ${CONNECTIONS} connections**, with
**peak RSS ≤ ${TARGET_RSS_MB} MB**. Any non-2xx response, socket error or timeout fails its scenario.

**Overall: ${pass ? 'PASS' : 'FAIL'}**

Command:

\`\`\`
${command}
\`\`\`

## Machine

| | |
|---|---|
| Date | ${facts.date} |
| CPU | ${facts.cpu} |
| Cores | ${facts.cores} |
| Memory | ${fmt(facts.memoryGb, 1)} GB |
| Kernel | ${facts.kernel} |
| Node.js | ${facts.node} |
| PostgreSQL | ${facts.postgres} |
| PostgreSQL settings | ${settings} |

PostgreSQL, the server under test and the load generator (autocannon, in the bench process) share
this machine's cores; loopback only. "Load avg" in the tables is the 1-minute load average at the end of
each scenario (load average at the start of the run: ${fmt(facts.loadAtStart, 1)}); anything well above the server's own
work means other processes shared the machine during that scenario.

## Write: one message / one row per request

${header}
${writeRows.join('\n')}

- Baseline: bare Fastify 5 + pg Pool (max 20, logger off, no auth, no schema): \`INSERT INTO bench_insert (text) VALUES ($1) RETURNING …\`.
- Parley: \`node bin/parley.js serve\` (LOG_LEVEL=warn, pool 20, Bearer key auth). "${APPEND_CONVERSATIONS} conversations":
  each request appends one message to the next of ${APPEND_CONVERSATIONS} conversations in turn; "1 conversation": every
  request appends to the same one, so all ${CONNECTIONS} connections queue on its row lock. The target applies to the
  ${APPEND_CONVERSATIONS}-conversation figure; the single-conversation one is reported beside it.

## Read: one page of 100

${header}
${readRows.join('\n')}

- Baseline "3 columns": \`SELECT id, text, create_time FROM bench_rows WHERE id > $1 ORDER BY id LIMIT 100\` on ${fmt(MESSAGES)} rows,
  \`after\` rotating over ${setup.tokens} positions spread over the table.
- Baseline "same rows": \`SELECT * FROM messages WHERE customer_id = $1 AND conversation_id = $2 AND seq > $3 ORDER BY seq LIMIT 100\`:
  the very rows Parley's page reads (its 19 columns, returned as Fastify's default JSON), at the same positions. Parley
  renders the same rows in the vendor's wire shape (resource names, durations, RFC 3339 times), so this baseline
  measures exactly what Parley adds: auth, validation, page tokens, mapping, logging. The target is taken against it;
  the ratio to the 3-column baseline is shown beside it.
- Parley: ListConversationMessages \`pageSize=${PAGE_SIZE}\` on a conversation of ${fmt(MESSAGES)} messages, rotating over
  ${setup.tokens} page tokens (the first page and pages spread over the whole conversation), collected by walking it once
  at setup (${setup.pages} pages, ${fmt(setup.walked)} messages).

## Method

- Fresh database \`parley_bench_*\` on \`${ADMIN_URL.replace(/\/[^/]*$/, '/…')}\`, migrated with \`node bin/parley.js migrate\`;
  customer and key with \`node bin/parley.js customers create bench\` and \`keys create --customer bench --quiet\`.
  Dropped at the end.
- Seed: ${fmt(MESSAGES)} messages in ${fmt(setup.seedSeconds, 1)} s via ${setup.seededWith}.
- Every scenario has its own server process and a ${WARMUP_SECONDS} s warm-up (not measured). Then ${ROUNDS} rounds: in each,
  every scenario of the family runs in turn under autocannon (programmatic API) at ${CONNECTIONS} connections,
  pipelining 1, for ${SECONDS} s. A round's ratio is Parley's req/s over its baseline's in the same round, measured
  back to back, so load from elsewhere on this shared machine weighs on both; the **ratio judged is the median of
  the rounds' ratios** (each round's is in the verdict). req/s in the table is the mean over the rounds of
  autocannon's mean of per-second samples; p50/p99 are the median round's latency percentiles. Peak RSS is
  \`VmHWM\` of the server process (\`/proc/<pid>/status\`) read after its last round, so it covers warm-up and
  every round.
- Between runs the bench waits until Parley's job runner (on by default in \`parley serve\`) has dispatched every
  event the run wrote, then 1 s more, so no scenario's background work is measured in another's time.
${warmupBad.length ? `- Warm-up had non-2xx/errors in: ${warmupBad.map((o) => o.scenario.title).join(', ')}.\n` : ''}`;
  return { markdown, pass };
}

async function machineFacts(databaseUrl: string, loadAtStart: number): Promise<Facts> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const [version] = await admin<{ server_version: string }>('SHOW server_version', [], databaseUrl);
  const names = ['shared_buffers', 'synchronous_commit', 'fsync', 'max_connections'];
  const settings = await admin<{ name: string; setting: string; unit: string | null }>(
    'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1) ORDER BY name', [names], databaseUrl);
  return {
    date: new Date().toISOString(),
    cpu: model,
    cores: os.availableParallelism(),
    memoryGb: os.totalmem() / 1024 ** 3,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: version.server_version,
    loadAtStart,
    postgresSettings: Object.fromEntries(settings.map((s) => [s.name, s.unit && s.unit !== 'bool' ? `${s.setting} (${s.unit})` : s.setting])),
  };
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const loadAtStart = os.loadavg()[0];
  const database = `parley_bench_${randomBytes(5).toString('hex')}`;
  const databaseUrl = urlFor(database);
  const cliEnv = { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
  const cli = async (...args: string[]) => (await run(process.execPath, ['bin/parley.js', ...args], { cwd: ROOT, env: cliEnv })).stdout.trim();

  log(`creating database ${database}`);
  await admin(`CREATE DATABASE ${database}`);
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    killChildrenNow();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch((err: Error) => log(`could not drop ${database}: ${err.message}`));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: cleaning up`);
    void drop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    log(await cli('migrate'));
    await cli('customers', 'create', CUSTOMER);
    const key = await cli('keys', 'create', '--customer', CUSTOMER, '--quiet');
    if (!/^pk_/.test(key)) throw new Error(`unexpected key output: ${key}`);

    log(`seeding the baseline tables (${MESSAGES} rows)`);
    await admin(
      `CREATE TABLE bench_insert (id bigserial PRIMARY KEY, text text NOT NULL, create_time timestamptz NOT NULL DEFAULT now());
       CREATE TABLE bench_rows (id integer PRIMARY KEY, text text NOT NULL, create_time timestamptz NOT NULL DEFAULT now());
       INSERT INTO bench_rows (id, text) SELECT i, 'benchmark message ' || i || ': the quick brown fox jumps over the lazy dog'
         FROM generate_series(0, ${MESSAGES - 1}) AS i;`,
      [], databaseUrl);
    await admin('VACUUM ANALYZE bench_rows', [], databaseUrl);

    const parleyEnv = { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', PARLEY_DB_POOL_SIZE: '20' };
    // BENCH_PARLEY_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the Parley processes.
    const parleyNodeArgs = process.env.BENCH_PARLEY_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const startParley = () => startServer('parley', [...parleyNodeArgs, 'bin/parley.js', 'serve'], parleyEnv);
    const startBaseline = () => startServer('baseline', ['--import', 'tsx', 'bench/baseline-server.ts'], { DATABASE_URL: databaseUrl });

    log('seeding Parley (setup server, not measured)');
    const setupServer = await startParley();
    let setup: { seededWith: string; seedSeconds: number; tokens: string[]; pages: number; walked: number };
    try {
      for (const id of [BIG, SINGLE, ...MULTI]) await mustCall(setupServer, key, 'POST', `${CONV_BASE}/${id}:start`, {});
      const seedStart = performance.now();
      const seededWith = await seedMessages(setupServer, key, databaseUrl, BIG, MESSAGES);
      const seedSeconds = (performance.now() - seedStart) / 1000;
      log(`seeded ${MESSAGES} messages in ${seedSeconds.toFixed(1)} s via ${seededWith}`);
      await admin('VACUUM ANALYZE', [], databaseUrl);
      const walk = await collectPageTokens(setupServer, key);
      if (walk.messages !== MESSAGES) throw new Error(`walked ${walk.messages} messages, expected ${MESSAGES}`);
      log(`walked ${walk.pages} pages; keeping ${walk.tokens.length} page tokens`);
      setup = { seededWith, seedSeconds, tokens: walk.tokens, pages: walk.pages, walked: walk.messages };
    } finally {
      await stopServer(setupServer);
    }

    const bigId = (await admin<{ id: string }>(`SELECT id FROM conversations WHERE name_id = $1`, [BIG], databaseUrl))[0].id;
    const auth = { authorization: `Bearer ${key}` };
    const json = { 'content-type': 'application/json' };
    let appendTurn = 0;
    let afterTurn = 0;
    let tokenTurn = 0;
    const appendBody = JSON.stringify({ text: messageText(0), speaker: 'VISITOR' });
    const afterPositions = setup.tokens.map((_, i) => Math.floor((i * MESSAGES) / setup.tokens.length) - 1);

    const scenarios: Scenario[] = [
      {
        id: 'baseline-insert', title: 'Baseline insert (bare Fastify + pg)', family: 'write', baseline: true, target: false,
        request: 'POST /insert', start: startBaseline,
        load: () => ({ method: 'POST', path: '/insert', headers: json, body: JSON.stringify({ text: messageText(0) }) }),
      },
      {
        id: 'parley-append-50', title: `Parley append-message, ${APPEND_CONVERSATIONS} conversations`, family: 'write', baseline: false, target: true,
        request: 'POST …/conversations/{conv}/conversationMessages', start: startParley,
        load: () => ({
          method: 'POST', headers: { ...auth, ...json }, body: appendBody,
          requests: [{
            setupRequest: (request) => ({ ...request, path: `${CONV_BASE}/${MULTI[appendTurn++ % MULTI.length]}/conversationMessages` }),
          }],
        }),
      },
      {
        id: 'parley-append-1', title: 'Parley append-message, 1 conversation', family: 'write', baseline: false, target: false,
        request: 'POST …/conversations/{conv}/conversationMessages', start: startParley,
        load: () => ({ method: 'POST', path: `${CONV_BASE}/${SINGLE}/conversationMessages`, headers: { ...auth, ...json }, body: appendBody }),
      },
      {
        id: 'baseline-select', title: 'Baseline select 100 rows (bare Fastify + pg)', family: 'read', baseline: true, target: false,
        request: 'GET /select?after=N', start: startBaseline,
        load: () => ({
          method: 'GET',
          requests: [{ setupRequest: (request) => ({ ...request, path: `/select?after=${afterPositions[afterTurn++ % afterPositions.length]}` }) }],
        }),
      },
      {
        id: 'baseline-select-messages', title: 'Baseline select the same 100 message rows (bare Fastify + pg)', family: 'read', baseline: true, target: false,
        request: 'GET /select-messages?after=N', start: startBaseline,
        load: () => ({
          method: 'GET',
          requests: [{
            setupRequest: (request) => ({
              ...request,
              path: `/select-messages?customer=${CUSTOMER}&conversation=${bigId}&after=${afterPositions[afterTurn++ % afterPositions.length]}`,
            }),
          }],
        }),
      },
      {
        id: 'parley-list', title: 'Parley list-messages, page of 100', family: 'read', baseline: false, target: true, vs: 'baseline-select-messages',
        request: 'GET …/conversationMessages?pageSize=100&pageToken=…', start: startParley,
        load: () => ({
          method: 'GET', headers: auth,
          requests: [{
            setupRequest: (request) => {
              const token = setup.tokens[tokenTurn++ % setup.tokens.length];
              return { ...request, path: `${CONV_BASE}/${BIG}/conversationMessages?pageSize=${PAGE_SIZE}${token ? `&pageToken=${encodeURIComponent(token)}` : ''}` };
            },
          }],
        }),
      },
    ];

    const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
    const chosen = scenarios.filter((scenario) => !only || only.includes(scenario.id) || scenario.baseline);
    const outcomes: Outcome[] = [];
    // Parley's job runner follows the event log behind the load; the next run starts once it has caught up,
    // so its background work never lands in another scenario's measurement.
    const watcher = openPostgres({ connectionString: databaseUrl, max: 1 });
    const settle = async () => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && await eventsPastCursor(watcher, DISPATCHER_CURSOR)) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    };
    try {
      for (const family of ['write', 'read'] as const) outcomes.push(...await runFamily(chosen.filter((scenario) => scenario.family === family), settle));
    } finally {
      await watcher.close();
    }

    const facts = await machineFacts(databaseUrl, loadAtStart);
    const envPrefix = ['BENCH_SECONDS', 'BENCH_ROUNDS', 'BENCH_WARMUP_SECONDS', 'BENCH_CONNECTIONS', 'BENCH_MESSAGES', 'BENCH_ONLY', 'BENCH_POSTGRES_URL']
      .filter((name) => process.env[name]).map((name) => `${name}=${process.env[name]}`).join(' ');
    const command = `${envPrefix ? `${envPrefix} ` : ''}npm run bench`;
    const { markdown, pass } = report(facts, outcomes, { ...setup, tokens: setup.tokens.length }, command);
    if (process.env.BENCH_NO_WRITE) {
      process.stdout.write(markdown);
    } else {
      writeReport(markdown);
      log(`wrote ${RESULTS_PATH}: ${pass ? 'PASS' : 'FAIL'}`);
    }
    return pass ? 0 : 1;
  } finally {
    await Promise.all([...children].map((child) => stopServer({ child })));
    await drop();
  }
}

process.on('exit', killChildrenNow);
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[bench] failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);

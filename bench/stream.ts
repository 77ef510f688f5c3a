/**
 * `node --import tsx bench/stream.ts`: live event streams on PostgreSQL, across processes. Prints a
 * markdown section on stdout, writes it into bench/RESULTS.md between its markers; progress goes to
 * stderr.
 *
 * 1. A fresh database on BENCH_POSTGRES_URL, migrated, with a customer and a key made by the CLI,
 *    and BENCH_STREAM_SUBSCRIBERS (1000) conversations.
 * 2. Two `parley serve` processes on it: the writer takes the appends, the reader holds the streams.
 * 3. One NDJSON stream a conversation on the reader (`…/conversations/{c}/events:stream`, undici,
 *    read as it arrives), opened before the load; the reader's RSS before and after them gives the
 *    cost of a subscriber.
 * 4. BENCH_STREAM_RATE (1000) appends/s to the writer (one message each, `POST …/conversationMessages`,
 *    the conversations in turn) for BENCH_SECONDS (20) after BENCH_WARMUP_SECONDS (3). Latency: to
 *    the arrival of the append's MESSAGE_CREATE line on its stream, from the event's createTime (its
 *    statement's start, just before the commit: an upper bound) and from the append's answer (just
 *    after the commit: a lower bound).
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { admin, benchDatabase, percentile, positiveInt, ROOT, startServer, stopServer, urlFor, writeResultsSection, type Server } from './lib.ts';

const run = promisify(execFile);
const SUBSCRIBERS = positiveInt('BENCH_STREAM_SUBSCRIBERS', 1000);
const RATE = positiveInt('BENCH_STREAM_RATE', 1000);
const SECONDS = positiveInt('BENCH_SECONDS', 20);
const WARMUP_SECONDS = positiveInt('BENCH_WARMUP_SECONDS', 3);
const APPEND_CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 50);
const BEGIN = '<!-- bench/stream.ts: begin -->';
const END = '<!-- bench/stream.ts: end -->';
const ORG = 'bench';
const CONV_BASE = `/v1/customers/${ORG}/profiles/default/conversations`;
const TARGET_P99_MS = 250;

const log = (line: string) => process.stderr.write(`[bench:stream] ${line}\n`);

/** Resident set (VmRSS) of a live process now, MB. */
function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

async function createConversations(writer: Server, key: string): Promise<string[]> {
  const conversations = Array.from({ length: SUBSCRIBERS }, (_, i) => `bench-stream-${String(i).padStart(4, '0')}`);
  const dispatcher = new Agent({ connections: 20 });
  for (let i = 0; i < conversations.length; i += 20) {
    await Promise.all(conversations.slice(i, i + 20).map(async (id) => {
      const res = await request(`${writer.url}${CONV_BASE}/${id}:start`, {
        method: 'POST', dispatcher, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{}',
      });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`start ${id} → ${res.statusCode}`);
    }));
  }
  await dispatcher.close();
  return conversations;
}

interface Measured {
  /** From the event's createTime (its statement's start, before the commit) to its arrival: an upper bound of commit → event. */
  sinceCreate: number[];
  /** From the append's answer (after the commit) to the event's arrival, negative when the event came first: a lower bound. */
  sinceAnswer: number[];
  /** From sending the append: adds the writer's queue when it falls behind the offered rate. */
  sinceSent: number[];
  appendLatencies: number[];
  /** Appends committed a second over the measured ones (by their createTime). */
  committedRate: number;
  appended: number;
  received: number;
  missing: number;
  duplicates: number;
  non2xx: number;
  errors: number;
  endFrames: number;
  rate: number;
  rssBeforeMb: number;
  rssStreamsMb: number;
  rssEndMb: number;
  loadAvg: number;
}

async function measure(reader: Server, writer: Server, key: string, conversations: string[]): Promise<Measured> {
  /** By message name: when its MESSAGE_CREATE line arrived (performance.now) and how long after its createTime (wall clock). */
  const arrived = new Map<string, { at: number; sinceCreateMs: number; createTime: number }>();
  /** By message name, measured appends only: when it was sent and answered. */
  const appends = new Map<string, { sent: number; answered: number }>();
  let duplicates = 0;
  let endFrames = 0;
  let errors = 0;
  const streamDispatcher = new Agent({ connections: null, keepAliveTimeout: 60_000, bodyTimeout: 0, headersTimeout: 0 });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const rssBeforeMb = rssMb(reader.pid);
  log(`opening ${conversations.length} streams on the reader (RSS ${rssBeforeMb.toFixed(1)} MB)`);
  const controllers: AbortController[] = [];
  let opened = 0;
  await Promise.all(conversations.map(async (id, i) => {
    // A few at a time, as clients reconnecting after a deploy would.
    await new Promise((resolve) => setTimeout(resolve, Math.floor(i / 50) * 20));
    const controller = new AbortController();
    controllers.push(controller);
    const res = await request(`${reader.url}${CONV_BASE}/${id}/events:stream`, {
      dispatcher: streamDispatcher, signal: controller.signal, headers: { authorization: `Bearer ${key}`, accept: 'application/x-ndjson' },
    });
    if (res.statusCode !== 200) throw new Error(`stream ${id} → ${res.statusCode}: ${await res.body.text()}`);
    opened++;
    void (async () => {
      let buffer = '';
      try {
        for await (const chunk of res.body) {
          const at = performance.now();
          const wall = Date.now();
          buffer += chunk.toString();
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            const frame = JSON.parse(line) as { type: string; associatedMessage?: string; createTime?: string };
            if (frame.type === 'end') endFrames++;
            if (frame.type !== 'MESSAGE_CREATE' || !frame.associatedMessage) continue;
            const createTime = Date.parse(frame.createTime!);
            if (arrived.has(frame.associatedMessage)) duplicates++;
            else arrived.set(frame.associatedMessage, { at, sinceCreateMs: wall - createTime, createTime });
          }
        }
      } catch {
        if (!controller.signal.aborted) errors++;
      }
    })();
  }));
  // Let the reader settle (its first GC after the burst of connections).
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const rssStreamsMb = rssMb(reader.pid);
  log(`${opened} streams open (RSS ${rssStreamsMb.toFixed(1)} MB); appending ${RATE}/s to the writer for ${WARMUP_SECONDS} + ${SECONDS} s`);

  const appendDispatcher = new Agent({ connections: APPEND_CONNECTIONS });
  const appendLatencies: number[] = [];
  let non2xx = 0;
  let next = 0;
  const inFlight = new Set<Promise<void>>();
  const append = (measured: boolean) => {
    const i = next++;
    const conversation = conversations[i % conversations.length];
    const sent = performance.now();
    const p = (async () => {
      try {
        const res = await request(`${writer.url}${CONV_BASE}/${conversation}/conversationMessages`, {
          method: 'POST', dispatcher: appendDispatcher,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text: `message ${i}`, speaker: 'VISITOR' }),
        });
        const body = (await res.body.json()) as { name?: string };
        const answered = performance.now();
        if (res.statusCode !== 200 || !body.name) non2xx++;
        else if (measured) {
          appends.set(body.name, { sent, answered });
          appendLatencies.push(answered - sent);
        }
      } catch {
        errors++;
      }
    })();
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  // Paced by the clock: every 10 ms, as many appends as the rate owes by then.
  const paced = async (seconds: number, measured: boolean) => {
    const begin = performance.now();
    let issued = 0;
    for (;;) {
      const elapsed = performance.now() - begin;
      if (elapsed >= seconds * 1000) break;
      const owed = Math.floor((elapsed / 1000) * RATE);
      while (issued < owed) {
        append(measured);
        issued++;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return { issued, seconds: (performance.now() - begin) / 1000 };
  };
  await paced(WARMUP_SECONDS, false);
  const measuredRun = await paced(SECONDS, true);
  await Promise.all(inFlight);
  // Wait for the last events to arrive (at most 10 s).
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline && [...appends.keys()].some((name) => !arrived.has(name))) await new Promise((resolve) => setTimeout(resolve, 100));
  const rssEndMb = rssMb(reader.pid);
  const sinceCreate: number[] = [];
  const sinceAnswer: number[] = [];
  const sinceSent: number[] = [];
  let missing = 0;
  let firstCreate = Infinity;
  let lastCreate = -Infinity;
  for (const [name, { sent, answered }] of appends) {
    const got = arrived.get(name);
    if (!got) {
      missing++;
      continue;
    }
    sinceCreate.push(got.sinceCreateMs);
    sinceAnswer.push(got.at - answered);
    sinceSent.push(got.at - sent);
    firstCreate = Math.min(firstCreate, got.createTime);
    lastCreate = Math.max(lastCreate, got.createTime);
  }
  for (const xs of [sinceCreate, sinceAnswer, sinceSent, appendLatencies]) xs.sort((a, b) => a - b);
  for (const c of controllers) c.abort();
  await appendDispatcher.close();
  await streamDispatcher.destroy();
  return {
    sinceCreate, sinceAnswer, sinceSent, appendLatencies, appended: appends.size, received: sinceCreate.length, missing, duplicates, non2xx, errors, endFrames,
    rate: measuredRun.issued / measuredRun.seconds, committedRate: sinceCreate.length / Math.max(0.001, (lastCreate - firstCreate) / 1000),
    rssBeforeMb, rssStreamsMb, rssEndMb, loadAvg: os.loadavg()[0],
  };
}

function report(m: Measured, pgVersion: string, loadStart: number): string {
  const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
  const p = (xs: number[], q: number) => (xs.length ? fmt(percentile(xs, q), 1) : 'n/a');
  const upper = percentile(m.sinceCreate, 99);
  const lower = percentile(m.sinceAnswer, 99);
  const verdict = upper < TARGET_P99_MS ? 'met' : lower >= TARGET_P99_MS ? 'missed' : 'undecided (the bounds straddle it)';
  const perSubscriberKb = ((m.rssStreamsMb - m.rssBeforeMb) * 1024) / SUBSCRIBERS;
  return `${BEGIN}
## Live event streams across processes (\`bench/stream.ts\`)

Command: \`node --import tsx bench/stream.ts\` (BENCH_STREAM_SUBSCRIBERS=${SUBSCRIBERS}, BENCH_STREAM_RATE=${RATE}, BENCH_SECONDS=${SECONDS}, BENCH_WARMUP_SECONDS=${WARMUP_SECONDS}, BENCH_CONNECTIONS=${APPEND_CONNECTIONS}).
${new Date().toISOString()}; ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB; ${os.type()} ${os.release()}; Node.js ${process.version}; PostgreSQL ${pgVersion};
loopback: both servers, the database and the load generator on one machine. 1-minute load average ${fmt(loadStart, 1)} at the start, ${fmt(m.loadAvg, 1)} at the end.

| Subscribers | Appends/s offered / committed | Commit → event p50 ms | p95 ms | p99 ms | max ms | Lower bound p50 / p99 ms | Append sent → event p50 / p99 ms | Append p50 / p99 ms | Appended / received / missing / duplicated | non-2xx / errors / streams ended | Reader RSS before / with streams / at the end MB | RSS a subscriber |
|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|
| ${SUBSCRIBERS} | ${fmt(m.rate)} / ${fmt(m.committedRate)} | ${p(m.sinceCreate, 50)} | ${p(m.sinceCreate, 95)} | ${p(m.sinceCreate, 99)} | ${fmt(m.sinceCreate.at(-1) ?? NaN, 1)} | ${p(m.sinceAnswer, 50)} / ${p(m.sinceAnswer, 99)} | ${p(m.sinceSent, 50)} / ${p(m.sinceSent, 99)} | ${p(m.appendLatencies, 50)} / ${p(m.appendLatencies, 99)} | ${m.appended} / ${m.received} / ${m.missing} / ${m.duplicates} | ${m.non2xx} / ${m.errors} / ${m.endFrames} | ${fmt(m.rssBeforeMb, 1)} / ${fmt(m.rssStreamsMb, 1)} / ${fmt(m.rssEndMb, 1)} | ${fmt(perSubscriberKb, 1)} KB |

Commit → event p99 between ${fmt(lower, 1)} and ${fmt(upper, 1)} ms: the target (< ${TARGET_P99_MS} ms) is **${verdict}**.

- Two \`parley serve\` processes on one PostgreSQL database (PARLEY_JOBS=off, pool 20, PARLEY_STREAM_POLL_MS 1000): the writer takes the appends (\`POST …/conversationMessages\`, one message each, the ${SUBSCRIBERS} conversations in turn, paced by the clock over ${APPEND_CONNECTIONS} connections; group commit); the reader holds one NDJSON stream (\`GET …/conversations/{c}/events:stream\`) a conversation, so each MESSAGE_CREATE event has exactly one subscriber, on the other process.
- Commit → event: from the event's \`createTime\` (the start of the statement that wrote it, just before its commit; the same machine's clock) to its line arriving on its stream: an upper bound. Lower bound: from the append's answer (just after its commit) to that line, negative when the line came first. "Append sent → event" adds the time the append waited in the writer when it fell behind the offered rate. Committed/s: the measured appends over the span of their \`createTime\`s.
- The reader's one follower reads the log once per wake-up (the writer's post-commit NOTIFY, at most one in flight per process) and fans out to the ${SUBSCRIBERS} streams.
- RSS a subscriber: the reader's VmRSS with the streams open minus before them, over ${SUBSCRIBERS} (socket, response, subscription, heartbeat timer).
${END}`;
}

async function main(): Promise<void> {
  const loadStart = os.loadavg()[0];
  const { database, cleanup } = await benchDatabase('parley_bench_stream', log);
  const env = { DATABASE_URL: urlFor(database), LOG_LEVEL: 'warn', PARLEY_DB_POOL_SIZE: '20', PARLEY_JOBS: 'off' };
  let writer: Server | undefined;
  let reader: Server | undefined;
  try {
    const cli = async (...args: string[]) => (await run(process.execPath, ['bin/parley.js', ...args], { cwd: ROOT, env: { ...process.env, ...env } })).stdout.trim();
    await cli('migrate');
    await cli('customers', 'create', ORG);
    const key = await cli('keys', 'create', '--customer', ORG, '--quiet');
    [writer, reader] = await Promise.all([
      startServer('writer', ['bin/parley.js', 'serve'], env),
      startServer('reader', ['bin/parley.js', 'serve'], env),
    ]);
    log(`creating ${SUBSCRIBERS} conversations`);
    const conversations = await createConversations(writer, key);
    const measured = await measure(reader, writer, key, conversations);
    log(`commit → event p50 ${percentile(measured.sinceCreate, 50).toFixed(1)} ms, p99 ${percentile(measured.sinceCreate, 99).toFixed(1)} ms, missing ${measured.missing}`);
    const version = (await admin<{ server_version: string }>('SHOW server_version'))[0].server_version;
    writeResultsSection(report(measured, version, loadStart), BEGIN, END);
  } finally {
    if (reader) await stopServer(reader);
    if (writer) await stopServer(writer);
    await cleanup();
  }
}

await main();

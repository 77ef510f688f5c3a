/**
 * Voice load: N concurrent simulated calls against a real `parley` server process, each one NDJSON
 * StreamCallSessionAudio stream carrying both sides (SEPARATE, 8 kHz µ-law, a 20 ms frame per side
 * every 20 ms = 100 messages/s a call). A step passes when every frame was acknowledged without an
 * error item, p99 acknowledgement latency is under 100 ms, and each call's stored recording holds
 * every acknowledged frame. Prints markdown.
 *
 *   node --import tsx bench/voice.ts [--calls 50,100,200,300] [--duration 60] [--transport ndjson]
 *   node --import tsx bench/voice.ts --calls 20 --duration 5          # a quick run
 *
 * The server runs in a child process (PGlite in memory unless DATABASE_URL is set) so its CPU and
 * RSS are measured apart from the load generator, which shares the same machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { encodeAudio } from '../src/audio/codecs.ts';
import { percentile } from './lib.ts';

const FRAME_MS = 20;
const RATE = 8000;
const P99_LIMIT_MS = 100;

async function serve(): Promise<void> {
  const { buildApp } = await import('../src/api/http.ts');
  const { createCore } = await import('../src/core/index.ts');
  const { openPglite } = await import('../src/store/pglite-driver.ts');
  const { openPostgres } = await import('../src/store/pg-driver.ts');
  const { migrate } = await import('../src/store/migrate.ts');
  const db = process.env.DATABASE_URL ? openPostgres({ connectionString: process.env.DATABASE_URL }) : await openPglite();
  await migrate(db);
  const core = createCore(db, { keyCacheSeconds: 60 });
  const app = await buildApp({ core, logger: pino({ level: 'warn' }) });
  await core.tenancy.createCustomer('bench');
  const key = await core.apiKeys.create({ customerId: 'bench' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ port: address.port, key: key.secret })}\n`);
  // Exit (not die) on SIGTERM, so --cpu-prof can write its profile.
  process.once('SIGTERM', () => process.exit(0));
}

interface Server {
  child: ChildProcess;
  port: number;
  key: string;
}

async function startServer(): Promise<Server> {
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server.
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', new URL(import.meta.url).pathname, '--server'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const { port, key } = JSON.parse(line) as { port: number; key: string };
  return { child, port, key };
}

/** utime + stime of a process in ms, and its RSS in bytes (Linux /proc). */
function usage(pid: number): { cpuMs: number; rss: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return { cpuMs: (ticks * 1000) / 100, rss: rssKb * 1024 };
}

function request(server: Server, method: string, path: string, body?: object): Promise<{ status: number; json: { conversation: { persistedAudioDuration?: string; audioPersistenceState: string } } }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, method, headers: { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

interface CallResult {
  sent: number;
  acked: number;
  errors: number;
  latencies: number[];
  conversationName: string;
}

/** One call: CALL_START, `seconds` of audio from both sides on one stream, CALL_END. */
async function runCall(server: Server, id: string, seconds: number, frames: [string, string], tick: (fn: () => void) => () => void): Promise<CallResult> {
  const profile = 'customers/bench/profiles/default';
  const participants = [{ role: 'AGENT', user: `customers/bench/users/${id}` }, { role: 'VISITOR', externalUserId: id }];
  await request(server, 'POST', `/v1/voicecallsession/${profile}/sessionEvent:process`, { sessionEvent: { eventType: 'CALL_START', platformCallId: id, participants } });
  const result: CallResult = { sent: 0, acked: 0, errors: 0, latencies: [], conversationName: '' };
  const sentAt: number[] = [];
  const req = http.request({
    host: '127.0.0.1', port: server.port, path: '/v1/voicecallsession/streamCallSessionAudio', method: 'POST',
    headers: { authorization: `Bearer ${server.key}`, 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked' },
  });
  let configured: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (configured = resolve));
  const done = new Promise<void>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      const lines = createInterface({ input: res });
      lines.on('line', (line) => {
        if (!result.conversationName && sentAt.length === 0) {
          // The streamingConfig's item: the call is open, audio may start.
          const item = JSON.parse(line) as { result?: { conversationName: string } };
          result.conversationName = item.result?.conversationName ?? '';
          configured();
          return;
        }
        const now = performance.now();
        const item = JSON.parse(line) as { result?: { conversationName: string }; error?: unknown };
        const t = sentAt.shift();
        if (item.error) result.errors++;
        else {
          result.acked++;
          result.conversationName ||= item.result!.conversationName;
        }
        if (t !== undefined) result.latencies.push(now - t);
      });
      lines.on('close', resolve);
    });
  });
  const config = { profile, platformCallId: id, channelType: 'SEPARATE', audioMetadata: { encoding: 'AUDIO_ENCODING_MULAW', sampleRateHertz: RATE } };
  req.write(`${JSON.stringify({ streamingConfig: config })}\n`);
  await ready;
  const total = (seconds * 1000) / FRAME_MS;
  let n = 0;
  await new Promise<void>((resolve) => {
    const stop = tick(() => {
      const now = performance.now();
      sentAt.push(now, now);
      req.write(frames[0] + frames[1]);
      result.sent += 2;
      if (++n >= total) {
        stop();
        resolve();
      }
    });
  });
  req.end();
  await done;
  await request(server, 'POST', `/v1/voicecallsession/${profile}/sessionEvent:process`, { sessionEvent: { eventType: 'CALL_END', platformCallId: id } });
  return result;
}

/** One shared 20 ms timer for every call: N timers would cost more than the work they pace. */
function sharedTicker() {
  const subscribers = new Set<() => void>();
  let timer: NodeJS.Timeout | undefined;
  return (fn: () => void) => {
    subscribers.add(fn);
    timer ??= setInterval(() => {
      for (const s of [...subscribers]) s();
    }, FRAME_MS);
    return () => {
      subscribers.delete(fn);
      if (subscribers.size === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    };
  };
}

async function step(server: Server, calls: number, seconds: number, round: number) {
  const frame = (amplitude: number) => {
    const pcm = new Int16Array(RATE / 50).map((_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / RATE)));
    return Buffer.from(encodeAudio(pcm, 'MULAW')).toString('base64');
  };
  const frames: [string, string] = [
    `${JSON.stringify({ audioContent: { audioContent: frame(9000), participant: { role: 'AGENT' } } })}\n`,
    `${JSON.stringify({ audioContent: { audioContent: frame(3000), participant: { role: 'VISITOR' } } })}\n`,
  ];
  const before = usage(server.child.pid!);
  let peakRss = before.rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, usage(server.child.pid!).rss)), 500);
  const started = performance.now();
  const tick = sharedTicker();
  const results = await Promise.all(Array.from({ length: calls }, (_, i) => runCall(server, `r${round}-c${i}`, seconds, frames, tick)));
  const elapsedS = (performance.now() - started) / 1000;
  const after = usage(server.child.pid!);
  clearInterval(sampler);
  let lost = 0;
  for (const r of results) {
    const res = await request(server, 'GET', `/v1/${r.conversationName}`);
    const stored = Number(String(res.json.conversation.persistedAudioDuration ?? '0s').slice(0, -1));
    // Each side's channel holds `acked / 2` frames of 20 ms.
    const expected = ((r.acked / 2) * FRAME_MS) / 1000;
    if (Math.abs(stored - expected) > 1e-6 || res.json.conversation.audioPersistenceState !== 'PERSISTED') lost++;
  }
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const sent = results.reduce((s, r) => s + r.sent, 0);
  const acked = results.reduce((s, r) => s + r.acked, 0);
  const errors = results.reduce((s, r) => s + r.errors, 0);
  const p99 = percentile(latencies, 99);
  const cpuPercent = ((after.cpuMs - before.cpuMs) / (elapsedS * 1000)) * 100;
  return {
    calls, sent, acked, errors, lost,
    p50: percentile(latencies, 50), p99, max: latencies[latencies.length - 1] ?? 0,
    cpuPercent, cpuPerCall: cpuPercent / calls, rssMb: peakRss / 2 ** 20, rssPerCallKb: (peakRss - before.rss) / 1024 / calls,
    pass: acked === sent && errors === 0 && lost === 0 && p99 < P99_LIMIT_MS,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      server: { type: 'boolean', default: false },
      calls: { type: 'string', default: '50,100,200,300' },
      duration: { type: 'string', default: '60' },
    },
  });
  if (values.server) return serve();
  const ladder = values.calls.split(',').map(Number);
  const seconds = Number(values.duration);
  const server = await startServer();
  const rows = [];
  try {
    for (const [i, calls] of ladder.entries()) {
      const row = await step(server, calls, seconds, i);
      rows.push(row);
      process.stderr.write(`${calls} calls: p99 ${row.p99.toFixed(1)} ms, ${row.acked}/${row.sent} acked, ${row.errors} errors, ${row.lost} lost\n`);
      if (!row.pass) break;
    }
  } finally {
    server.child.kill('SIGTERM');
  }
  const best = rows.filter((r) => r.pass).reduce((m, r) => Math.max(m, r.calls), 0);
  const f = (n: number, d = 1) => n.toFixed(d);
  console.log(`## Voice: concurrent calls (${seconds} s each, 8 kHz µ-law, 20 ms frames, both sides on one NDJSON stream)\n`);
  console.log('| calls | frames sent | acked | errors | calls losing audio | ack p50 ms | ack p99 ms | ack max ms | server CPU % | CPU % per call | server peak RSS MB | RSS KB per call | pass |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.calls} | ${r.sent} | ${r.acked} | ${r.errors} | ${r.lost} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} | ${f(r.cpuPercent)} | ${f(r.cpuPerCall, 2)} | ${f(r.rssMb)} | ${f(r.rssPerCallKb)} | ${r.pass ? 'yes' : 'no'} |`);
  }
  console.log(`\nLargest passing step: **${best} concurrent calls** (pass = every frame acknowledged, p99 < ${P99_LIMIT_MS} ms, every acknowledged frame in the stored recording). The load generator runs on the same machine.`);
}

await main();

/**
 * `node --import tsx bench/webhooks.ts`: webhook delivery throughput and latency on PostgreSQL.
 *
 * 1. Creates a fresh database (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres),
 *    migrates it, registers one endpoint pointing at a local HTTP receiver in this process.
 * 2. Starts `parley worker` as a child process (PARLEY_JOBS_CONCURRENCY = BENCH_WEBHOOK_CONCURRENCY, 16).
 * 3. Appends BENCH_WEBHOOK_EVENTS (5000) messages, one transaction each, spread over
 *    BENCH_WEBHOOK_CONVERSATIONS (200) conversations by 8 concurrent writers; each append is one
 *    `conversation.updated` webhook event.
 * 4. Measures deliveries per second (first append → last arrival), enqueue→delivery latency
 *    (the event's commit time → arrival at the receiver; same clock), and the worker's peak RSS
 *    (VmHWM). Prints a markdown section on stdout.
 *
 * Loopback only. Not part of `npm test`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemCaller } from '../src/core/tenancy/access.ts';
import { createCore } from '../src/core/index.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPostgres } from '../src/store/pg-driver.ts';
import { admin, peakRssMb, percentile, positiveInt, ROOT, urlFor } from './lib.ts';

const EVENTS = positiveInt('BENCH_WEBHOOK_EVENTS', 5000);
const CONVERSATIONS = positiveInt('BENCH_WEBHOOK_CONVERSATIONS', 200);
const CONCURRENCY = positiveInt('BENCH_WEBHOOK_CONCURRENCY', 16);
const WRITERS = 8;

function log(line: string): void {
  process.stderr.write(`[bench:webhooks] ${line}\n`);
}

const database = `parley_bench_wh_${randomBytes(4).toString('hex')}`;
const url = urlFor(database);
await admin(`CREATE DATABASE ${database}`);
const db = openPostgres({ connectionString: url.toString(), max: WRITERS + 2 });
let worker: ReturnType<typeof spawn> | undefined;
const receiver = createServer();
try {
  await migrate(db);
  const core = createCore(db, { webhooks: { allowPrivateNetworks: true } });
  await core.tenancy.createCustomer('bench');
  const caller = systemCaller('bench');

  const arrivals = new Map<string, { createdAt: number; arrivedAt: number }>();
  let duplicates = 0;
  receiver.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrivedAt = Date.now();
      const event = JSON.parse(Buffer.concat(chunks).toString()) as { id: string; type: string; createdAt: string };
      if (event.type === 'conversation.updated') {
        if (arrivals.has(event.id)) duplicates += 1;
        else arrivals.set(event.id, { createdAt: Date.parse(event.createdAt), arrivedAt });
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  // Subscribed to updates only: the conversation starts below are set-up, not measured.
  await core.webhooks.create(caller, { url: receiverUrl, events: ['conversation.updated'] });

  const names: string[] = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
    const { conversation } = await core.conversations.start(caller, 'bench', 'default', `wh-${i}`, {});
    names.push(conversation.nameId);
  }

  worker = spawn(process.execPath, ['bin/parley.js', 'worker'], {
    cwd: ROOT,
    env: {
      ...process.env, DATABASE_URL: url.toString(), LOG_LEVEL: 'warn', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      PARLEY_JOBS_CONCURRENCY: String(CONCURRENCY),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // Let the worker start and deliver nothing yet (the starts are not subscribed).
  await sleep(3000);

  log(`appending ${EVENTS} messages over ${CONVERSATIONS} conversations with ${WRITERS} writers`);
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < EVENTS) {
        const i = next++;
        const ref = { customerId: 'bench', profileId: 'default', nameId: names[i % CONVERSATIONS] };
        await core.messages.append(caller, ref, [{ text: `message ${i}`, speaker: 'VISITOR' }]);
      }
    }),
  );
  const enqueuedIn = (Date.now() - started) / 1000;
  log(`appended in ${enqueuedIn.toFixed(1)} s; waiting for deliveries`);
  while (arrivals.size < EVENTS) {
    if (worker.exitCode !== null) throw new Error(`worker exited with ${worker.exitCode}`);
    await sleep(50);
  }
  const lastArrival = Math.max(...[...arrivals.values()].map((a) => a.arrivedAt));
  const seconds = (lastArrival - started) / 1000;
  const latencies = [...arrivals.values()].map((a) => a.arrivedAt - a.createdAt).sort((a, b) => a - b);
  const rss = peakRssMb(worker.pid!);

  process.stdout.write(
    [
      '## Webhook delivery (`bench/webhooks.ts`)',
      '',
      `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), PostgreSQL on loopback, receiver in the bench process answering 204.`,
      `${EVENTS} message appends (one transaction and one \`conversation.updated\` each) over ${CONVERSATIONS} conversations, ${WRITERS} writers;`,
      `one \`parley worker\` with PARLEY_JOBS_CONCURRENCY=${CONCURRENCY}.`,
      '',
      '| metric | value |',
      '|---|---|',
      `| deliveries per second (first append → last delivery) | ${(EVENTS / seconds).toFixed(0)} |`,
      `| appends per second (writers) | ${(EVENTS / enqueuedIn).toFixed(0)} |`,
      `| enqueue → delivery p50 | ${percentile(latencies, 50)} ms |`,
      `| enqueue → delivery p99 | ${percentile(latencies, 99)} ms |`,
      `| enqueue → delivery max | ${latencies[latencies.length - 1]} ms |`,
      `| duplicate deliveries | ${duplicates} |`,
      `| worker peak RSS | ${rss.toFixed(0)} MB |`,
      '',
    ].join('\n'),
  );
} finally {
  worker?.kill('SIGTERM');
  if (worker && worker.exitCode === null) await new Promise((resolve) => worker!.once('exit', resolve));
  receiver.close();
  await db.close();
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
}

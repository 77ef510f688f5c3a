/**
 * `node --import tsx bench/ingest-create-costs.ts`: where the database's time in an ingest create
 * goes (issue 12's create target). Prints a markdown section and writes it into bench/RESULTS.md
 * between its markers; progress on stderr.
 *
 * The store's one create statement (store/ingest-conversations.ts createIngestConversation: the
 * conversation, its ingest record, 50 messages and 52 events; the same transcript as
 * bench/ingest.ts) is run by BENCH_CLIENTS (4) concurrent loops for BENCH_SECONDS (8), straight on
 * the pool: no HTTP, no validation, so what is measured is PostgreSQL's work. Each variant runs on
 * its own fresh migrated database with some of the schema's per-message work taken away or put
 * back as it was; the variants alternate over BENCH_ROUNDS (3) rounds and the medians are printed.
 * The databases are dropped. The variants are measurements only.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { JsonObject } from '../src/kernel/types.ts';
import type { Driver } from '../src/store/driver.ts';
import { createIngestConversation, type NewIngestConversation } from '../src/store/ingest-conversations.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPostgres } from '../src/store/pg-driver.ts';
import { admin, benchDatabase, cpuWindow, positiveInt, urlFor, writeResultsSection } from './lib.ts';

const SECONDS = positiveInt('BENCH_SECONDS', 8);
const CLIENTS = positiveInt('BENCH_CLIENTS', 4);
const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const BEGIN = '<!-- bench/ingest-create-costs.ts: begin -->';
const END = '<!-- bench/ingest-create-costs.ts: end -->';
const log = (line: string) => process.stderr.write(`[bench:create-costs] ${line}\n`);

/** Before migration 026: the foreign key, checked for every message. */
const PER_ROW_KEY = `DROP TRIGGER messages_check_conversation ON messages;
  DROP TRIGGER conversations_delete_messages ON conversations;
  ALTER TABLE messages ADD CONSTRAINT messages_customer_id_conversation_id_fkey
    FOREIGN KEY (customer_id, conversation_id) REFERENCES conversations (customer_id, id) ON DELETE CASCADE`;
const STATEMENT_CHECK = 'DROP TRIGGER messages_check_conversation ON messages';
const WORDS_TRIGGER = 'ALTER TABLE messages DISABLE TRIGGER message_words_insert';
const TRIGRAMS = 'DROP INDEX messages_text_trigrams';

const VARIANTS: { name: string; change: string[] }[] = [
  { name: 'as shipped', change: [] },
  { name: 'with the per-row foreign key to conversations (before migration 026)', change: [PER_ROW_KEY] },
  { name: 'without the statement-level conversation check', change: [STATEMENT_CHECK] },
  { name: 'without the message_words trigger', change: [WORDS_TRIGGER] },
  { name: 'without the trigram index on messages.text', change: [TRIGRAMS] },
  { name: 'without both search indexes', change: [WORDS_TRIGGER, TRIGRAMS] },
  { name: 'without both search indexes, with the per-row foreign key (the schema before issue 15)', change: [WORDS_TRIGGER, TRIGRAMS, PER_ROW_KEY] },
];

/** The 50-message transcript of bench/ingest.ts, as the core hands it to the store. */
function create(): NewIngestConversation {
  const now = new Date();
  return {
    customerId: 'bench', profileId: 'default', id: randomBytes(8).toString('hex'), agentId: 'agent', agentProfileId: null, actor: 'apiKeys/bench',
    conversation: { state: 'CLOSED', startTime: now, endTime: now, closeReason: 'COMPLETED', channel: 'CHAT', source: 'API' },
    details: { llmModel: 'gpt-4o', companyName: '', metadata: { channel: 'web', sessionId: 'bench' }, openStatus: 'active' },
    messages: Array.from({ length: 50 }, (_, i) => ({
      id: randomBytes(8).toString('hex'),
      speaker: i % 2 === 0 ? 'VISITOR' : 'AGENT',
      state: 'FINAL',
      // What the ingest surface keeps of a message beside its text (its role, model and tokens).
      metadata: (i % 2 === 0 ? { role: 'user' } : { role: 'assistant', model: 'gpt-4o', tokens: 42 }) as JsonObject,
      text: i % 2 === 0
        ? `Turn ${i}: my order #${1000 + i} has not arrived yet, can you check where it is and when it will be delivered?`
        : `Turn ${i}: I checked order #${1000 + i - 1}; it left the warehouse yesterday and should arrive within two days.`,
    })),
    eventsBefore: [{ type: 'CONVERSATION_START', payload: { source: 'API', channel: 'CHAT' } }],
    eventsAfter: [{ type: 'CONVERSATION_CLOSE', payload: { closeReason: 'COMPLETED' } }],
  };
}

interface Measured {
  perSecond: number;
  databaseMs: number;
}

async function measure(change: readonly string[]): Promise<Measured> {
  const { database, cleanup } = await benchDatabase('parley_bench_costs', log);
  let db: Driver | undefined;
  try {
    db = openPostgres({ connectionString: urlFor(database), max: CLIENTS });
    await migrate(db);
    await db.exec(`INSERT INTO customers (id) VALUES ('bench');
      INSERT INTO profiles (customer_id, id, is_default) VALUES ('bench', 'default', true);
      INSERT INTO agents (customer_id, profile_id, id, name) VALUES ('bench', 'default', 'agent', 'Agent');`);
    for (const sql of change) await db.exec(sql);
    const pool = db;
    // Warm-up: every pooled connection prepares the statement once.
    await Promise.all(Array.from({ length: CLIENTS }, () => createIngestConversation(pool, create())));
    const cpu = await cpuWindow(process.pid, database);
    const until = Date.now() + SECONDS * 1000;
    let done = 0;
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < until) {
        await createIngestConversation(pool, create());
        done++;
      }
    }));
    const used = await cpu.stop();
    return { perSecond: done / SECONDS, databaseMs: used.databaseMs / done };
  } finally {
    await db?.close();
    await cleanup();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const results = VARIANTS.map(() => [] as Measured[]);
const loads: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const [i, variant] of VARIANTS.entries()) {
    loads.push(os.loadavg()[0]);
    const measured = await measure(variant.change);
    results[i].push(measured);
    log(`round ${round}, ${variant.name}: ${measured.perSecond.toFixed(0)} creates/s, ${measured.databaseMs.toFixed(2)} ms PostgreSQL CPU each`);
  }
}

const [version] = await admin<{ version: string }>('SELECT version()');
const base = median(results[0].map((r) => r.perSecond));
const rows = VARIANTS.map((variant, i) => {
  const perSecond = median(results[i].map((r) => r.perSecond));
  const databaseMs = median(results[i].map((r) => r.databaseMs));
  return `| ${variant.name} | ${perSecond.toFixed(0)} | ${(perSecond / base).toFixed(2)}× | ${databaseMs.toFixed(2)} |`;
});
writeResultsSection([
  BEGIN,
  '## What an ingest create costs the database (`bench/ingest-create-costs.ts`)',
  '',
  `Command: \`node --import tsx bench/ingest-create-costs.ts\` (BENCH_SECONDS=${SECONDS}, BENCH_CLIENTS=${CLIENTS}, BENCH_ROUNDS=${ROUNDS}).`,
  `${new Date().toISOString()}; ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.cpus().length} cores; Node.js ${process.version}; ${version.version.split(' on ')[0]};`,
  `load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} before the runs. The store's create statement alone (50 messages, 52 events),`,
  `${CLIENTS} loops on the pool; medians of ${ROUNDS} alternating rounds, each variant on its own fresh database.`,
  '',
  '| Schema | creates/s | vs. as shipped | PostgreSQL CPU ms a create |',
  '|---|--:|--:|--:|',
  ...rows,
  END,
].join('\n'), BEGIN, END);

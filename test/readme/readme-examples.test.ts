import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import pino from 'pino';
import { buildApp } from '../../src/api/http.ts';
import { listenAdminSocket } from '../../src/cli/admin-socket.ts';
import { createCore } from '../../src/core/index.ts';
import { startJobRunner } from '../../src/jobs/index.ts';
import { FsBlobStore } from '../../src/providers/blobs/blob-store.ts';
import { freshDatabase } from '../helpers/db.ts';
import { jsonValues, mismatches, readmeBlocks, type Block, type Step } from './readme-blocks.ts';
import { ShellSession, type StepOutput } from './shell-session.ts';

/**
 * The README's shell examples run as written, section by section, each section in a fresh server
 * (in this process, on PGlite) after the README's own set-up block (`npx parley customers create
 * …`, which reaches the server through its admin socket, as beside `parley serve`). The examples
 * write the server's address as http://127.0.0.1:8080 (the default HOST and PORT); the test's
 * server listens on a free port, so that address is replaced by its own in every block.
 *
 * Every request of a step must be answered 2xx, except the last one of a step whose `# →` comment
 * states another status; a `# →` sample answer must match the step's answer (readme-blocks.ts);
 * an `{"error": …}` line (a stream's in-band error) fails the step unless the sample shows one.
 * The server runs its background jobs, as `parley serve` does, with WEBHOOK_ALLOW_PRIVATE_NETWORKS'
 * option on: the examples' webhook hosts (hooks.example.com) do not resolve here, and the address
 * check would refuse them at registration.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README_ADDRESS = 'http://127.0.0.1:8080';
const STEP_TIMEOUT_MS = 60_000;
const log = pino({ level: 'silent' });

const blocks = readmeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
const setup = blocks.filter((b) => b.marker === 'setup');
const sections = new Map<string, Block[]>();
for (const block of blocks) {
  if (block.marker === 'skip') continue;
  sections.set(block.section, [...(sections.get(block.section) ?? []), block]);
}

interface Server {
  base: string;
  dataDir: string;
  close(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const database = await freshDatabase('pglite');
  const dataDir = await mkdtemp(join(tmpdir(), 'parley-readme-'));
  const core = createCore(database.db, {
    keyCacheSeconds: 0,
    blobs: new FsBlobStore(join(dataDir, 'blobs')),
    callSpoolDir: join(dataDir, 'spool'),
    webhooks: { allowPrivateNetworks: true },
  });
  const app = await buildApp({ core, logger: log });
  await app.listen({ host: '127.0.0.1', port: 0 });
  // The CLI finds a running server by the lock file of its data directory (pid, then socket): this process holds it.
  writeFileSync(join(dataDir, 'parley.lock'), `${process.pid}\n`);
  const closeAdmin = await listenAdminSocket(dataDir, { db: database.db, core }, log);
  // Background jobs as `parley serve` runs them: the insights examples wait for an analysis.
  const runner = startJobRunner({ core, log, concurrency: 2 });
  return {
    base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    dataDir,
    async close() {
      await closeAdmin();
      await app.close();
      await runner.stop();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function shellFor(server: Server): ShellSession {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '', PARLEY_DATA_DIR: server.dataDir, LOG_LEVEL: 'silent', npm_config_update_notifier: 'false' };
  // Only what the examples set themselves may be set.
  for (const name of ['PARLEY', 'KEY', 'API', 'C', 'P', 'H', 'CONV', 'MSG', 'ID', 'PROMPT', 'CALL']) delete env[name];
  return new ShellSession(ROOT, env);
}

/** The checks of one step's output (see the top of this file). */
function checkStep(step: Step, out: StepOutput): void {
  const where = `README line ${step.line} (${step.expect ? `# → ${step.expect.text}` : 'no answer shown'})`;
  const detail = `\nstdout: ${out.stdout.slice(0, 2000)}\nstderr: ${out.stderr.slice(0, 2000)}`;
  const status = step.expect?.status;
  if (status !== undefined) assert.ok(out.statuses.length > 0, `${where}: states HTTP ${status}, but the step sent no request${detail}`);
  out.statuses.forEach((got, i) => {
    if (status !== undefined && i === out.statuses.length - 1) assert.equal(got, status, `${where}: HTTP ${got}${detail}`);
    else assert.ok(got >= 200 && got < 300, `${where}: request ${i + 1} of the step answered HTTP ${got}${detail}`);
  });
  const sample = step.expect?.sample;
  const answers = jsonValues(out.stdout);
  if (!sample?.includes('"error"')) {
    for (const item of answers) assert.ok(!(item && typeof item === 'object' && 'error' in item), `${where}: an error answer${detail}`);
  }
  if (sample) {
    const answer = answers.at(-1);
    assert.notEqual(answer, undefined, `${where}: the step printed no JSON answer${detail}`);
    assert.deepEqual(mismatches(sample, answer), [], `${where}: the answer differs from the README's${detail}`);
  }
}

async function runBlocks(shell: ShellSession, server: Server, list: Block[]): Promise<number> {
  let steps = 0;
  for (const block of list) {
    for (const step of block.steps) {
      const out = await shell.run(step.script.replaceAll(README_ADDRESS, server.base), STEP_TIMEOUT_MS).catch((err: Error) => {
        throw new Error(`README line ${step.line} (block at line ${block.line}): ${err.message}`);
      });
      checkStep(step, out);
      steps++;
    }
  }
  return steps;
}

describe('the README examples', () => {
  it('finds one set-up block, and shell examples with answers in every surface section', () => {
    assert.equal(setup.length, 1, 'exactly one block is marked <!-- readme-test: setup -->');
    const run = blocks.filter((b) => b.marker !== 'skip');
    assert.ok(run.length >= 15, `${run.length} blocks run`);
    const answered = run.flatMap((b) => b.steps).filter((s) => s.expect);
    assert.ok(answered.length >= 15, `${answered.length} steps show an answer`);
    for (const surface of ['conversations', 'voice', 'ingest']) {
      const section = [...sections.keys()].find((name) => name.includes(`\`${surface}\``));
      assert.ok(section, `a section about the ${surface} surface has examples that run`);
      assert.ok(sections.get(section)!.some((b) => b.steps.some((s) => s.expect)), `${section}: some example shows its answer`);
    }
  });

  it('refuses an answer that differs from the sample shown', () => {
    const sample = '{"id":"conv_…","status":"completed","events":["a","b"],"data":[…],"_links":{...}}';
    assert.deepEqual(mismatches(sample, { id: 'conv_1', status: 'completed', events: ['a', 'b'], data: [], _links: {}, extra: 1 }), []);
    assert.deepEqual(mismatches(sample, { id: 'prompt_1', status: 'active', events: ['a'], data: {} }), [
      '.id: expected "conv_…", got "prompt_1"',
      '.status: expected "completed", got "active"',
      '.events: expected 2 items, got 1',
      '.data: expected an array, got {}',
      '._links: missing',
    ]);
  });

  for (const [section, list] of sections) {
    it(`runs the examples of "${section}" as written`, { timeout: 240_000 }, async () => {
      const server = await startServer();
      const shell = shellFor(server);
      try {
        const own = list.includes(setup[0]);
        if (!own) await runBlocks(shell, server, setup);
        const steps = await runBlocks(shell, server, list);
        assert.ok(steps > 0);
      } finally {
        shell.close();
        await server.close();
      }
    });
  }
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { emptyPostgresDatabase } from '../helpers/db.ts';
import type { Driver } from '../../src/store/driver.ts';
import { openDatabase } from '../../src/store/open.ts';
import { openPostgres } from '../../src/store/pg-driver.ts';

/*
 * Running `bin/parley.js` as a user does, for the CLI test files: the processes a file starts and
 * the directories and databases it makes are all removed when the file ends (registered on import).
 */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/parley.js');
const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void>)[] = [];

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const cleanup of cleanups) await cleanup();
});

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `parley ARGS` in `cwd` (default: the repository), with the test's database settings only. */
export function start(args: string[], env: Record<string, string>, cwd = ROOT): { child: ChildProcess; output: () => string; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    // Blank out the caller's database settings so only the test's choice applies.
    env: { ...process.env, DATABASE_URL: '', PARLEY_DATA_DIR: '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, output: () => stdout, done };
}

export const parley = (args: string[], env: Record<string, string>, cwd?: string) => start(args, env, cwd).done;

/** `parley ARGS`, which must exit 0; its standard output. */
export async function ok(args: string[], env: Record<string, string>, cwd?: string): Promise<string> {
  const run = await parley(args, env, cwd);
  assert.equal(run.code, 0, `parley ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/** Waits until `read()` matches `pattern`; fails at once if the process exits first. */
export async function waitFor(read: () => string, pattern: RegExp, exited: Promise<Run>, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  let gone: Run | undefined;
  void exited.then((run) => (gone = run));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = read().match(pattern);
    if (match) return match;
    if (gone) assert.fail(`server exited with ${gone.code} before printing ${pattern}: ${gone.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no ${pattern} within ${timeoutMs} ms; output so far: ${read()}`);
}

/** A fresh directory, removed when the file ends. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-cli-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Where a CLI test runs: the settings that choose its database, and a way to open it from the test. */
export interface Target {
  env: Record<string, string>;
  open(): Promise<Driver>;
}

/** The embedded database in a fresh data directory, and a fresh empty PostgreSQL database. */
export const targets: Record<'embedded' | 'postgres', () => Promise<Target>> = {
  embedded: async () => {
    const dir = await tempDir();
    return { env: { PARLEY_DATA_DIR: dir }, open: () => openDatabase({ databaseUrl: undefined, dataDir: dir, memory: false, dbPoolSize: 1 }) };
  },
  postgres: async () => {
    const database = await emptyPostgresDatabase();
    cleanups.push(database.drop);
    return { env: { DATABASE_URL: database.url }, open: async () => openPostgres({ connectionString: database.url, max: 1 }) };
  },
};

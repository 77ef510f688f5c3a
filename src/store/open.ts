import { accessSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Driver } from './driver.ts';

export class DatabaseLockedError extends Error {}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const lockPathOf = (dataDir: string) => join(dataDir, 'parley.lock');

/** Who holds a data directory: the lock file's first line is the pid, the second (once it listens) the admin socket. */
export interface DataDirOwner {
  pid: number;
  socket: string | undefined;
}

function readLock(lockPath: string): DataDirOwner | undefined {
  let text: string;
  try {
    text = readFileSync(lockPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const [pid, socket] = text.split('\n').map((line) => line.trim());
  return { pid: Number(pid), socket: socket || undefined };
}

/**
 * The live process holding the embedded database in dataDir, or undefined when nobody does (no
 * lock file, or its owner is gone: a server killed with -9 leaves both its lock and its socket
 * file behind, and neither may be trusted then).
 */
export function dataDirOwner(dataDir: string): DataDirOwner | undefined {
  const owner = readLock(lockPathOf(dataDir));
  if (!owner || !Number.isInteger(owner.pid) || owner.pid <= 0 || owner.pid === process.pid || !processAlive(owner.pid)) return undefined;
  return owner;
}

/** Writes the admin socket's path into this process's lock file, for the CLI to find (dataDirOwner). */
export function advertiseAdminSocket(dataDir: string, socket: string): void {
  const lockPath = lockPathOf(dataDir);
  if (readLock(lockPath)?.pid !== process.pid) throw new DatabaseLockedError(`${lockPath} is not held by this process`);
  const next = `${lockPath}.${process.pid}`;
  writeFileSync(next, `${process.pid}\n${socket}\n`);
  // A rename, so a reader sees either the old lock or the new one, never half of one.
  renameSync(next, lockPath);
}

export const inUseMessage = (dataDir: string, pid: number) =>
  `the embedded database in ${dataDir} is in use by process ${pid} (a running Parley server?). ` +
  'Stop it first, or run Parley on PostgreSQL (DATABASE_URL) to share one database between processes.';

/**
 * PGlite is single-process: two processes on one data directory corrupt it. A lock file holding
 * the owner's pid keeps a second process out; a stale lock (owner gone) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = lockPathOf(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = dataDirOwner(dataDir);
      if (owner) throw new DatabaseLockedError(inUseMessage(dataDir, owner.pid));
      rmSync(lockPath, { force: true });
    }
  }
  throw new DatabaseLockedError(`could not lock ${lockPath}`);
}

/** Where the database is: PostgreSQL when `databaseUrl` is set, else PGlite in memory or under `dataDir`. */
export interface DatabaseLocation {
  databaseUrl: string | undefined;
  dataDir: string;
  memory: boolean;
  dbPoolSize: number;
  /**
   * A migrated PGlite data directory (`npm run build` makes one): a new embedded database starts
   * as a copy of it instead of running initdb, which takes 7–11 s and peaks near 900 MB.
   * Migrations newer than the template still run on top (migrate).
   */
  pgliteTemplate?: string;
}

const isEmptyDir = (dir: string) => !existsSync(dir) || readdirSync(dir).length === 0;

/**
 * cpSync in a worker thread: the server imports and compiles its app meanwhile (serve opens the
 * database first), which a copy on the main thread, or fs.promises.cp's thousand small callbacks
 * waiting behind synchronous module loading, would hold up.
 */
function copyInWorker(from: string, to: string): Promise<void> {
  const code = "const { workerData } = require('node:worker_threads'); require('node:fs').cpSync(workerData.from, workerData.to, { recursive: true });";
  const worker = new Worker(code, { eval: true, workerData: { from, to } });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`copying ${from} to ${to} failed (worker exit ${code})`))));
  });
}

/** Copies the template to dir through a temporary name, so an interrupted copy is never taken for a database. */
async function copyTemplate(template: string, dir: string): Promise<void> {
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  await copyInWorker(template, partial);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
}

const MEMORY_DIR = /^parley-memory-(\d+)-/;

/**
 * Where --memory's copies go: a memory file system (/dev/shm) when the machine has one, since
 * creating the template's ~500 files there takes ~40 ms against ~650 ms on this project's ext4
 * disk, which was most of a --memory start (bench/RESULTS.md, Startup); else the temporary directory.
 */
export function memoryRoot(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/**
 * --memory with a template: a throw-away copy (memoryRoot), removed on close.
 * Loading the template into PGlite's in-memory file system instead takes 1.5 s longer and 90 MB
 * more. Copies left by a process killed with -9 are removed by the next one.
 */
async function openThrowAway(template: string): Promise<Driver> {
  const root = memoryRoot();
  for (const name of readdirSync(root)) {
    const pid = Number(MEMORY_DIR.exec(name)?.[1]);
    if (pid && pid !== process.pid && !processAlive(pid)) rmSync(join(root, name), { recursive: true, force: true });
  }
  const dir = mkdtempSync(join(root, `parley-memory-${process.pid}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const [, { openPglite }] = await Promise.all([copyTemplate(template, join(dir, 'pglite')), import('./pglite-driver.ts')]);
    const db = await openPglite(join(dir, 'pglite'));
    return { ...db, close: async () => { try { await db.close(); } finally { remove(); } } };
  } catch (err) {
    remove();
    throw err;
  }
}

/** Opens the configured database: PostgreSQL with DATABASE_URL, else PGlite (in memory or on disk). */
export async function openDatabase(config: DatabaseLocation): Promise<Driver> {
  // The drivers load on demand: a CLI command sent to a running server needs neither.
  if (config.databaseUrl) {
    const { openPostgres } = await import('./pg-driver.ts');
    return openPostgres({ connectionString: config.databaseUrl, max: config.dbPoolSize });
  }
  if (config.memory && config.pgliteTemplate) return openThrowAway(config.pgliteTemplate);
  const { openPglite } = await import('./pglite-driver.ts');
  if (config.memory) return openPglite();
  const unlock = lockDataDir(config.dataDir);
  try {
    const dir = join(config.dataDir, 'pglite');
    if (config.pgliteTemplate && isEmptyDir(dir)) await copyTemplate(config.pgliteTemplate, dir);
    const db = await openPglite(dir);
    const close = db.close.bind(db);
    return { ...db, close: async () => { try { await close(); } finally { unlock(); } } };
  } catch (err) {
    unlock();
    throw err;
  }
}

import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { Driver } from './driver.ts';
import { openPglite } from './pglite-driver.ts';
import { openPostgres } from './pg-driver.ts';

export class DatabaseLockedError extends Error {}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is single-process: two processes on one data directory corrupt it. A lock file holding
 * the owner's pid keeps a second process out; a stale lock (owner gone) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = join(dataDir, 'parley.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) {
        throw new DatabaseLockedError(
          `the embedded database in ${dataDir} is in use by process ${owner} (a running Parley server?). ` +
            'Stop it first, or run Parley on PostgreSQL (DATABASE_URL) to share one database between processes.',
        );
      }
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
}

/** Opens the configured database: PostgreSQL with DATABASE_URL, else PGlite (in memory or on disk). */
export async function openDatabase(config: DatabaseLocation): Promise<Driver> {
  if (config.databaseUrl) return openPostgres({ connectionString: config.databaseUrl, max: config.dbPoolSize });
  if (config.memory) return openPglite();
  const unlock = lockDataDir(config.dataDir);
  try {
    const db = await openPglite(join(config.dataDir, 'pglite'));
    const close = db.close.bind(db);
    return { ...db, close: async () => { try { await close(); } finally { unlock(); } } };
  } catch (err) {
    unlock();
    throw err;
  }
}

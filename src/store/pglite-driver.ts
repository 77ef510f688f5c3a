import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Driver, NotificationHandler, Queryable } from './driver.ts';
import { coalescedNotifier } from './post-commit-notify.ts';

type PgliteTx = Pick<PGlite, 'query' | 'exec'>;

/**
 * PostgreSQL clears all of shared_buffers when it starts, so every page of it is resident from the
 * first second: PGlite's default 128 MB made a reopen peak at 285 MB, 32 MB peaks at 177 MB
 * (bench/startup.ts). The data files are real files under NODEFS, so the OS page cache still
 * holds what the smaller buffer pool drops.
 */
const START_PARAMS = ['-c', 'shared_buffers=32MB'];

/** Extensions the migrations create (019: pg_trgm for keyword search); every PGlite that opens Parley's data loads them. */
export const PGLITE_EXTENSIONS = { pg_trgm };

function wrap(db: PgliteTx): Queryable {
  return {
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const result = await db.query<T>(sql, params as unknown[]);
      return result.rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
  };
}

/** PGlite in a data directory, or in memory when dataDir is undefined. */
export async function openPglite(dataDir?: string): Promise<Driver> {
  const db = await PGlite.create(dataDir, { extensions: PGLITE_EXTENSIONS, startParams: [...PGlite.defaultStartParams, ...START_PARAMS] });
  return pgliteDriver(db);
}

export function pgliteDriver(db: PGlite): Driver {
  const base = wrap(db);
  // PGlite delivers a NOTIFY to its own listeners: the one process that can open the database.
  const notify = coalescedNotifier((channel) => db.query('SELECT pg_notify($1, \'\')', [channel]));
  return {
    kind: 'pglite',
    ...base,
    notifyAfterCommit: notify,
    async transaction(fn) {
      const channels = new Set<string>();
      const result = await db.transaction((tx) => fn({ ...wrap(tx as unknown as PgliteTx), notifyAfterCommit: (channel) => channels.add(channel) }));
      for (const channel of channels) notify(channel);
      return result;
    },
    async listen(channel: string, handler: NotificationHandler) {
      const unlisten = await db.listen(channel, handler);
      return async () => unlisten();
    },
    close: () => db.close(),
  };
}

import { PGlite } from '@electric-sql/pglite';
import type { Driver, NotificationHandler, Queryable } from './driver.ts';

type PgliteTx = Pick<PGlite, 'query' | 'exec'>;

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
  const db = await PGlite.create(dataDir);
  return pgliteDriver(db);
}

export function pgliteDriver(db: PGlite): Driver {
  const base = wrap(db);
  return {
    kind: 'pglite',
    ...base,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx as unknown as PgliteTx))),
    async listen(channel: string, handler: NotificationHandler) {
      const unlisten = await db.listen(channel, handler);
      return async () => unlisten();
    },
    close: () => db.close(),
  };
}

import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Driver, NotificationHandler, Queryable, QueryOptions } from './driver.ts';
import { coalescedNotifier } from './post-commit-notify.ts';

// PGlite returns int8 as a JS number; node-postgres gives strings by default. One shape for both.
const INT8_OID = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

// node-postgres parses a named statement once per connection; the name is the text's digest.
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `parley_${createHash('sha1').update(sql).digest('base64url')}`;
    statementNames.set(sql, name);
  }
  return name;
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<T>(sql: string, params: readonly unknown[] = [], options?: QueryOptions) {
      const values = params as unknown[];
      const result = await client.query(options?.prepare ? { name: statementName(sql), text: sql, values } : { text: sql, values });
      return result.rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

export interface PgOptions {
  connectionString: string;
  max?: number;
}

export function openPostgres({ connectionString, max = 20 }: PgOptions): Driver {
  const pool = new pg.Pool({ connectionString, max, types });
  // An idle client that loses its connection emits here; without a listener the process would exit.
  pool.on('error', () => undefined);
  let listener: pg.PoolClient | undefined;
  const notify = coalescedNotifier((channel) => pool.query('SELECT pg_notify($1, \'\')', [channel]));
  const handlers = new Map<string, Set<NotificationHandler>>();

  async function listenerClient(): Promise<pg.PoolClient> {
    if (listener) return listener;
    listener = await pool.connect();
    listener.on('notification', (msg) => {
      for (const handler of handlers.get(msg.channel) ?? []) handler(msg.payload ?? '');
    });
    return listener;
  }

  return {
    kind: 'postgres',
    ...wrap(pool),
    // Outside a transaction a statement has committed when it returns.
    notifyAfterCommit: notify,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const channels = new Set<string>();
        const result = await fn({ ...wrap(client), notifyAfterCommit: (channel) => channels.add(channel) });
        await client.query('COMMIT');
        for (const channel of channels) notify(channel);
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async listen(channel, handler) {
      const client = await listenerClient();
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      }
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size === 0) {
          handlers.delete(channel);
          await client.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`);
        }
      };
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      listener?.release();
      listener = undefined;
      await pool.end();
    },
  };
}

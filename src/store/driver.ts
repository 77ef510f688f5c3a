/**
 * The one database interface the core sees. Two adapters implement it: PGlite (embedded)
 * and node-postgres (DATABASE_URL). SQL is PostgreSQL dialect and runs unchanged on both.
 */
export interface QueryOptions {
  /**
   * Plan the statement once per connection and reuse the plan (a named prepared statement on
   * PostgreSQL). For the hot paths only: every distinct text stays prepared for the connection's
   * life, so the text must come in a bounded number of forms.
   */
  prepare?: boolean;
}

export interface Queryable {
  /** One parameterised statement; rows come back with int8 as number, timestamptz as Date, jsonb parsed. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * NOTIFY `channel` once this handle's writes have committed: after COMMIT inside a transaction
   * (never when it rolls back), at once outside one. Never inside the write transaction: a
   * transaction that notifies takes a database-wide lock at commit (store/events.ts). Coalesced per
   * process (post-commit-notify.ts). Optional: a wrapper without it only loses the early wake-up.
   */
  notifyAfterCommit?(channel: string): void;
}

export type NotificationHandler = (payload: string) => void;

/** A connection pool's use at one moment (node-postgres' totalCount, idleCount, waitingCount). */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface Driver extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn inside BEGIN … COMMIT on one connection; rolls back when fn throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** LISTEN on a channel; resolves to an unlisten function. */
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** The pool's use now, for `/metrics`; absent on PGlite, which is one connection inside the process. */
  poolStats?(): PoolStats;
}

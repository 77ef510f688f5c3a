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
}

export type NotificationHandler = (payload: string) => void;

export interface Driver extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn inside BEGIN … COMMIT on one connection; rolls back when fn throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** LISTEN on a channel; resolves to an unlisten function. */
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

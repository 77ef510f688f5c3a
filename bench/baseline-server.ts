/**
 * The bare baseline for bench/run.ts: Fastify 5 + one pg Pool (20 connections, Parley's default
 * PARLEY_DB_POOL_SIZE), logger off, no auth, no schemas. It measures what this machine does
 * for "one HTTP request, one PostgreSQL statement" with nothing of Parley in between.
 *
 *   POST /insert  body {"text": "..."}  → one-row INSERT … RETURNING into bench_insert
 *   GET  /select?after=N                → 100 rows of the 100,000-row bench_rows by keyset
 *   GET  /select-messages?customer=C&conversation=ID&after=N
 *                                       → the same 100 rows of Parley's messages table that a
 *                                         Parley page reads, every column, as Fastify's default JSON
 *
 * The tables are created by bench/run.ts. Env: DATABASE_URL, PORT (HOST is always 127.0.0.1).
 */
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
pool.on('error', () => undefined);

const app = Fastify({ logger: false });

app.get('/healthz', async () => ({ status: 'ok' }));

app.post('/insert', async (request) => {
  const { text } = request.body as { text: string };
  const { rows } = await pool.query(
    'INSERT INTO bench_insert (text) VALUES ($1) RETURNING id, text, create_time AS "createTime"',
    [text],
  );
  return rows[0];
});

app.get('/select', async (request) => {
  const after = Number((request.query as { after?: string }).after ?? -1);
  const { rows } = await pool.query(
    'SELECT id, text, create_time AS "createTime" FROM bench_rows WHERE id > $1 ORDER BY id LIMIT 100',
    [after],
  );
  return { rows };
});

app.get('/select-messages', async (request) => {
  const q = request.query as { customer: string; conversation: string; after?: string };
  const { rows } = await pool.query(
    'SELECT * FROM messages WHERE customer_id = $1 AND conversation_id = $2 AND seq > $3 ORDER BY seq LIMIT 100',
    [q.customer, q.conversation, Number(q.after ?? -1)],
  );
  return { messages: rows };
});

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });

const shutdown = async (): Promise<void> => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

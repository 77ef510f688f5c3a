import type { Queryable } from './driver.ts';

/**
 * Counts `hits` requests of a key in the current fixed window, in one upsert on the database
 * clock, so every server process shares the count. Returns the count so far in this window
 * (these hits included) and the milliseconds until the window ends.
 */
export async function countRequest(
  db: Queryable,
  customerId: string,
  keyId: string,
  windowMs: number,
  hits = 1,
): Promise<{ count: number; resetMs: number }> {
  const rows = await db.query<{ count: number; resetMs: number }>(
    `WITH now AS (SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms)
     INSERT INTO rate_limit_counters AS r (customer_id, key_id, window_start, count)
     SELECT $1, $2, to_timestamp((ms / $3::bigint * $3::bigint) / 1000.0), $4::int FROM now
     ON CONFLICT (customer_id, key_id) DO UPDATE
       SET count = CASE WHEN r.window_start = EXCLUDED.window_start THEN r.count + EXCLUDED.count ELSE EXCLUDED.count END,
           window_start = EXCLUDED.window_start
     RETURNING count, (floor(extract(epoch FROM window_start) * 1000)::bigint + $3::bigint - (SELECT ms FROM now))::int AS "resetMs"`,
    [customerId, keyId, windowMs, hits],
    { prepare: true },
  );
  return rows[0];
}

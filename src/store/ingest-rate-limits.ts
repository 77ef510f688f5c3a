import type { Queryable } from './driver.ts';

/**
 * Counts one request of a key in the current fixed window, in one upsert on the database clock,
 * so every server process shares the count. Returns the count so far in this window and the
 * milliseconds until the window ends.
 */
export async function countRequest(
  db: Queryable,
  customerId: string,
  keyId: string,
  windowMs: number,
): Promise<{ count: number; resetMs: number }> {
  const rows = await db.query<{ count: number; resetMs: number }>(
    `WITH now AS (SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms)
     INSERT INTO rate_limit_counters AS r (customer_id, key_id, window_start, count)
     SELECT $1, $2, to_timestamp((ms / $3::bigint * $3::bigint) / 1000.0), 1 FROM now
     ON CONFLICT (customer_id, key_id) DO UPDATE
       SET count = CASE WHEN r.window_start = EXCLUDED.window_start THEN r.count + 1 ELSE 1 END,
           window_start = EXCLUDED.window_start
     RETURNING count, (floor(extract(epoch FROM window_start) * 1000)::bigint + $3::bigint - (SELECT ms FROM now))::int AS "resetMs"`,
    [customerId, keyId, windowMs],
  );
  return rows[0];
}

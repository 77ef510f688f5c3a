import type { Json } from '../kernel/types.ts';
import type { Queryable } from './driver.ts';

export interface IdempotencyRecord {
  requestHash: string;
  response: Json | null;
}

/** How long a key is remembered (DESIGN: 24 h). */
export const IDEMPOTENCY_TTL = '24 hours';

/**
 * Claims a key inside the caller's transaction. Returns undefined when this transaction now owns
 * the key; otherwise the earlier record. A concurrent claim of the same key blocks on the unique
 * index until the first transaction ends, then sees its committed record.
 */
export async function claimIdempotencyKey(
  db: Queryable,
  customerId: string,
  scope: string,
  key: string,
  requestHash: string,
): Promise<IdempotencyRecord | undefined> {
  // An expired key is taken over: delete it first so the insert below can claim it.
  await db.query(
    `DELETE FROM idempotency_keys WHERE customer_id = $1 AND scope = $2 AND key = $3 AND create_time < now() - $4::interval`,
    [customerId, scope, key, IDEMPOTENCY_TTL],
  );
  const inserted = await db.query(
    `INSERT INTO idempotency_keys (customer_id, scope, key, request_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING key`,
    [customerId, scope, key, requestHash],
  );
  if (inserted.length > 0) return undefined;
  const rows = await db.query<IdempotencyRecord>(
    `SELECT request_hash AS "requestHash", response FROM idempotency_keys WHERE customer_id = $1 AND scope = $2 AND key = $3`,
    [customerId, scope, key],
  );
  return rows[0];
}

export async function saveIdempotentResponse(db: Queryable, customerId: string, scope: string, key: string, response: Json): Promise<void> {
  await db.query(
    `UPDATE idempotency_keys SET response = $4::jsonb WHERE customer_id = $1 AND scope = $2 AND key = $3`,
    [customerId, scope, key, JSON.stringify(response)],
  );
}

export async function purgeExpiredIdempotencyKeys(db: Queryable): Promise<number> {
  const rows = await db.query(`DELETE FROM idempotency_keys WHERE create_time < now() - $1::interval RETURNING key`, [IDEMPOTENCY_TTL]);
  return rows.length;
}

import type { Queryable } from './driver.ts';

export interface ApiKeyRow {
  customerId: string;
  id: string;
  secretHash: string;
  profileId: string | null;
  agentId: string | null;
  scopes: string[];
  displayName: string;
  createTime: Date;
  revokeTime: Date | null;
}

const COLUMNS = `customer_id AS "customerId", id, secret_hash AS "secretHash", profile_id AS "profileId",
  agent_id AS "agentId", scopes, display_name AS "displayName", create_time AS "createTime", revoke_time AS "revokeTime"`;

export async function insertApiKey(
  db: Queryable,
  key: Omit<ApiKeyRow, 'createTime' | 'revokeTime'>,
): Promise<ApiKeyRow> {
  const rows = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (customer_id, id, secret_hash, profile_id, agent_id, scopes, display_name)
     VALUES ($1, $2, $3, $4, $5, $6::text[], $7) RETURNING ${COLUMNS}`,
    [key.customerId, key.id, key.secretHash, key.profileId, key.agentId, key.scopes, key.displayName],
  );
  return rows[0];
}

/** The only query not scoped by customer: authentication learns the customer from the key. */
export async function findApiKeyById(db: Queryable, id: string): Promise<ApiKeyRow | undefined> {
  const rows = await db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
  return rows[0];
}

export async function listApiKeys(db: Queryable, customerId: string): Promise<ApiKeyRow[]> {
  return db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE customer_id = $1 ORDER BY create_time, id`, [customerId]);
}

export async function revokeApiKey(db: Queryable, customerId: string, id: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE api_keys SET revoke_time = coalesce(revoke_time, now()) WHERE customer_id = $1 AND id = $2 RETURNING id`,
    [customerId, id],
  );
  return rows.length > 0;
}

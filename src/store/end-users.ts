import type { Queryable } from './driver.ts';

export interface EndUserRow {
  customerId: string;
  id: string;
  externalId: string;
  createTime: Date;
}

/** The end user with this external id, created with `id` on first sight; `created` says which. */
export async function upsertEndUser(db: Queryable, customerId: string, externalId: string, id: string): Promise<EndUserRow & { created: boolean }> {
  // DO UPDATE (a no-op) rather than DO NOTHING, so the existing row is returned in one statement.
  const rows = await db.query<EndUserRow & { created: boolean }>(
    `INSERT INTO end_users (customer_id, id, external_id) VALUES ($1, $2, $3)
     ON CONFLICT (customer_id, external_id) DO UPDATE SET external_id = EXCLUDED.external_id
     RETURNING customer_id AS "customerId", id, external_id AS "externalId", create_time AS "createTime", (id = $2) AS created`,
    [customerId, id, externalId],
  );
  return rows[0];
}

/** The secret kept under `name`, inserting `candidate` when there is none yet (the first writer wins). */
export async function keepSigningSecret(db: Queryable, name: string, candidate: string): Promise<string> {
  await db.query('INSERT INTO signing_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, candidate]);
  const rows = await db.query<{ secret: string }>('SELECT secret FROM signing_secrets WHERE name = $1', [name]);
  return rows[0].secret;
}

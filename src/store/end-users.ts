import type { JsonObject } from '../kernel/types.ts';
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

/** What a person is known by beyond the caller's id for them (the support desk's conversation users). */
export interface PersonFields {
  firstName: string;
  lastName: string;
  email: string;
  phoneNumber: string;
  fkId: string;
  fkUserId: string;
  source: string;
  context: string;
  metadata: JsonObject;
}

export type PersonRow = EndUserRow & PersonFields & { updateTime: Date };

const PERSON_COLUMNS = `customer_id AS "customerId", id, external_id AS "externalId", create_time AS "createTime", update_time AS "updateTime",
  first_name AS "firstName", last_name AS "lastName", email, phone_number AS "phoneNumber", fk_id AS "fkId", fk_user_id AS "fkUserId",
  source, context, metadata`;

/** End users by id. */
export async function getPeople(db: Queryable, customerId: string, ids: readonly string[]): Promise<PersonRow[]> {
  if (ids.length === 0) return [];
  return db.query<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM end_users WHERE customer_id = $1 AND id = ANY($2::text[])`, [customerId, ids]);
}

/** The end user with this Parley id or, failing that, this external id. */
export async function findPerson(db: Queryable, customerId: string, reference: string): Promise<PersonRow | undefined> {
  const rows = await db.query<PersonRow>(
    `SELECT ${PERSON_COLUMNS} FROM end_users WHERE customer_id = $1 AND (id = $2 OR external_id = $2)
      ORDER BY (id = $2) DESC LIMIT 1`,
    [customerId, reference],
  );
  return rows[0];
}

/** The end user reachable at this e-mail address or phone number (the first one known), if any. */
export async function findPersonByContact(db: Queryable, customerId: string, contact: { email?: string; phoneNumber?: string }): Promise<PersonRow | undefined> {
  const rows = await db.query<PersonRow>(
    `SELECT ${PERSON_COLUMNS} FROM end_users
      WHERE customer_id = $1 AND (($2::text <> '' AND lower(email) = lower($2)) OR ($3::text <> '' AND phone_number = $3))
      ORDER BY create_time, id LIMIT 1`,
    [customerId, contact.email ?? '', contact.phoneNumber ?? ''],
  );
  return rows[0];
}

/** The end user with this external id with `fields` set, created with `id` on first sight. */
export async function upsertPerson(db: Queryable, customerId: string, externalId: string, id: string, fields: Partial<PersonFields>): Promise<PersonRow> {
  const rows = await db.query<PersonRow>(
    `INSERT INTO end_users AS e (customer_id, id, external_id, first_name, last_name, email, phone_number, fk_id, fk_user_id, source, context, metadata)
     VALUES ($1, $2, $3, coalesce($4, ''), coalesce($5, ''), coalesce($6, ''), coalesce($7, ''), coalesce($8, ''), coalesce($9, ''),
             coalesce($10, ''), coalesce($11, ''), coalesce($12::jsonb, '{}'))
     ON CONFLICT (customer_id, external_id) DO UPDATE SET
       first_name = coalesce($4, e.first_name), last_name = coalesce($5, e.last_name), email = coalesce($6, e.email),
       phone_number = coalesce($7, e.phone_number), fk_id = coalesce($8, e.fk_id), fk_user_id = coalesce($9, e.fk_user_id),
       source = coalesce($10, e.source), context = coalesce($11, e.context), metadata = coalesce($12::jsonb, e.metadata), update_time = now()
     RETURNING ${PERSON_COLUMNS}`,
    [customerId, id, externalId, fields.firstName ?? null, fields.lastName ?? null, fields.email ?? null, fields.phoneNumber ?? null,
      fields.fkId ?? null, fields.fkUserId ?? null, fields.source ?? null, fields.context ?? null,
      fields.metadata === undefined ? null : JSON.stringify(fields.metadata)],
  );
  return rows[0];
}

import type { Queryable } from './driver.ts';

export interface CustomerRow {
  id: string;
  displayName: string;
  createTime: Date;
}

export interface ProfileRow {
  customerId: string;
  id: string;
  displayName: string;
  supportedLanguages: string[];
  defaultLanguage: string;
  isDefault: boolean;
  /** Days its conversations are kept (021_retention.sql); null: until deleted. */
  retentionDays: number | null;
  createTime: Date;
}

const PROFILE_COLUMNS = `customer_id AS "customerId", id, display_name AS "displayName",
  supported_languages AS "supportedLanguages", default_language AS "defaultLanguage",
  is_default AS "isDefault", retention_days AS "retentionDays", create_time AS "createTime"`;

export async function insertCustomer(db: Queryable, id: string, displayName = ''): Promise<CustomerRow | undefined> {
  const rows = await db.query<CustomerRow>(
    `INSERT INTO customers (id, display_name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING
     RETURNING id, display_name AS "displayName", create_time AS "createTime"`,
    [id, displayName],
  );
  return rows[0];
}

export async function getCustomer(db: Queryable, id: string): Promise<CustomerRow | undefined> {
  const rows = await db.query<CustomerRow>(
    `SELECT id, display_name AS "displayName", create_time AS "createTime" FROM customers WHERE id = $1`,
    [id],
  );
  return rows[0];
}

export async function listCustomers(db: Queryable): Promise<CustomerRow[]> {
  return db.query<CustomerRow>(
    `SELECT id, display_name AS "displayName", create_time AS "createTime" FROM customers ORDER BY id`,
  );
}

export async function insertProfile(
  db: Queryable,
  customerId: string,
  profile: { id: string; displayName?: string; supportedLanguages?: string[]; defaultLanguage?: string; isDefault?: boolean; retentionDays?: number | null },
): Promise<ProfileRow | undefined> {
  const rows = await db.query<ProfileRow>(
    `INSERT INTO profiles (customer_id, id, display_name, supported_languages, default_language, is_default, retention_days)
     VALUES ($1, $2, $3, $4::text[], $5, $6, $7) ON CONFLICT DO NOTHING RETURNING ${PROFILE_COLUMNS}`,
    [customerId, profile.id, profile.displayName ?? '', profile.supportedLanguages ?? [], profile.defaultLanguage ?? '', profile.isDefault ?? false, profile.retentionDays ?? null],
  );
  return rows[0];
}

/** Sets a profile's retention (null: keep until deleted); undefined when there is no such profile. */
export async function setProfileRetention(db: Queryable, customerId: string, id: string, retentionDays: number | null): Promise<ProfileRow | undefined> {
  const rows = await db.query<ProfileRow>(
    `UPDATE profiles SET retention_days = $3 WHERE customer_id = $1 AND id = $2 RETURNING ${PROFILE_COLUMNS}`,
    [customerId, id, retentionDays],
  );
  return rows[0];
}

export async function getProfile(db: Queryable, customerId: string, id: string): Promise<ProfileRow | undefined> {
  const rows = await db.query<ProfileRow>(`SELECT ${PROFILE_COLUMNS} FROM profiles WHERE customer_id = $1 AND id = $2`, [customerId, id]);
  return rows[0];
}

export async function getDefaultProfile(db: Queryable, customerId: string): Promise<ProfileRow | undefined> {
  const rows = await db.query<ProfileRow>(
    `SELECT ${PROFILE_COLUMNS} FROM profiles WHERE customer_id = $1 AND is_default`,
    [customerId],
  );
  return rows[0];
}

export async function listProfiles(db: Queryable, customerId: string): Promise<ProfileRow[]> {
  return db.query<ProfileRow>(`SELECT ${PROFILE_COLUMNS} FROM profiles WHERE customer_id = $1 ORDER BY id`, [customerId]);
}

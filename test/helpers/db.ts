import { createHash, randomBytes } from 'node:crypto';
import { describe } from 'node:test';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import type { Driver } from '../../src/store/driver.ts';
import { PGLITE_EXTENSIONS, pgliteDriver } from '../../src/store/pglite-driver.ts';
import { openPostgres } from '../../src/store/pg-driver.ts';
import { loadMigrations, migrate } from '../../src/store/migrate.ts';

export type DriverKind = 'pglite' | 'postgres';

/** Admin URL of the test PostgreSQL (trust auth on loopback on these machines). */
export const POSTGRES_ADMIN_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function drivers(): DriverKind[] {
  // Both always; PARLEY_TEST_DRIVERS=pglite narrows a local run explicitly. Never a silent skip.
  const wanted = (process.env.PARLEY_TEST_DRIVERS ?? 'pglite,postgres').split(',').map((d) => d.trim());
  return (['pglite', 'postgres'] as const).filter((d) => wanted.includes(d));
}

let pgliteTemplate: Promise<PGlite> | undefined;

async function migratedPglite(): Promise<PGlite> {
  pgliteTemplate ??= (async () => {
    const db = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
    await migrate(pgliteDriver(db));
    return db;
  })();
  return (await (await pgliteTemplate).clone()) as PGlite;
}

async function templateName(): Promise<string> {
  const migrations = await loadMigrations();
  const digest = createHash('sha256').update(JSON.stringify(migrations)).digest('hex').slice(0, 12);
  return `parley_tpl_${digest}`;
}

/** A client of the admin database, with a clear error when PostgreSQL is down. */
async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is required for the storage tests and is not reachable at ${POSTGRES_ADMIN_URL}. ` +
        'Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set PARLEY_TEST_POSTGRES_URL.',
      { cause: err },
    );
  }
  return client;
}

async function adminQuery<T = unknown>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = await adminClient();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

function urlFor(database: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * A migrated template database, created once per migration set. Test files run in parallel
 * processes: the first to get here builds it while holding an advisory lock, the others wait on
 * the lock and then find it (two renames racing each other failed on the catalog's unique index).
 * It is built under another name and renamed when complete, so a process killed mid-build leaves
 * no half-migrated template behind.
 */
function ensurePostgresTemplate(): Promise<string> {
  // Once a process: every suite of a test file asks, and the answer does not change during a run.
  postgresTemplate ??= buildPostgresTemplate();
  return postgresTemplate;
}

let postgresTemplate: Promise<string> | undefined;

async function buildPostgresTemplate(): Promise<string> {
  const name = await templateName();
  const client = await adminClient();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate', [name]);
    if (exists.rowCount) return name;
    const building = `${name}_b${randomBytes(4).toString('hex')}`;
    await client.query(`DROP DATABASE IF EXISTS ${name}`);
    await client.query(`CREATE DATABASE ${building}`);
    const db = openPostgres({ connectionString: urlFor(building), max: 2 });
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
    await client.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    await client.query(`ALTER DATABASE ${name} WITH is_template true`);
    return name;
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  kind: DriverKind;
  db: Driver;
  /** Connection string of this test's own database (PostgreSQL only). */
  url?: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of the given kind. */
export async function freshDatabase(kind: DriverKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = pgliteDriver(await migratedPglite());
    return { kind, db, drop: () => db.close() };
  }
  const template = await ensurePostgresTemplate();
  const database = `parley_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${database} TEMPLATE ${template}`);
  const url = urlFor(database);
  const db = openPostgres({ connectionString: url, max: 10 });
  return {
    kind,
    db,
    url,
    async drop() {
      await db.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}

/** Runs a suite once per driver (PGlite and PostgreSQL), each with its own databases. */
export function forEachDriver(name: string, suite: (kind: DriverKind) => void): void {
  for (const kind of drivers()) describe(`${name} [${kind}]`, () => suite(kind));
}

/** A new, empty PostgreSQL database (no migrations), for tests of migrating itself. */
export async function emptyPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const database = `parley_e_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${database}`);
  return { url: urlFor(database), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).then(() => undefined) };
}

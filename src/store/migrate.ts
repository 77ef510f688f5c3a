import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Driver } from './driver.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// Any constant works; it only has to be the same in every Parley process.
const MIGRATION_LOCK_KEY = 72_401_031;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export async function loadMigrations(): Promise<Migration[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 3)),
      name: file.slice(4, -4),
      sql: await readFile(MIGRATIONS_DIR + file, 'utf8'),
    })),
  );
}

/**
 * Applies pending migrations, each in its own transaction under a transaction-scoped advisory
 * lock, so two processes starting on one empty database serialise instead of racing.
 */
export async function migrate(db: Driver): Promise<number[]> {
  const applied: number[] = [];
  // One query finds what is already applied: on an up-to-date database (every start but the
  // first) no transaction runs. What is pending is checked again under the lock below.
  const have = await appliedVersions(db);
  for (const migration of (await loadMigrations()).filter((m) => !have.has(m.version))) {
    const ran = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await tx.exec(`CREATE TABLE IF NOT EXISTS parley_migrations (
        version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = await tx.query('SELECT 1 FROM parley_migrations WHERE version = $1', [migration.version]);
      if (done.length > 0) return false;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO parley_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}

/** The versions recorded as applied; none when the table is not there yet. */
async function appliedVersions(db: Driver): Promise<Set<number>> {
  const rows = await db
    .query<{ version: number }>('SELECT version FROM parley_migrations')
    .catch(() => [] as { version: number }[]);
  return new Set(rows.map((r) => r.version));
}

/** True when every migration shipped with this build is applied (used by /readyz). */
export async function migrationsCurrent(db: Driver): Promise<boolean> {
  const expected = (await loadMigrations()).map((m) => m.version);
  const have = await appliedVersions(db);
  return expected.every((v) => have.has(v));
}

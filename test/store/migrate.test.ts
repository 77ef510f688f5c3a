import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { drivers, emptyPostgresDatabase } from '../helpers/db.ts';
import { loadMigrations, migrate, migrationsCurrent } from '../../src/store/migrate.ts';
import { openDatabase } from '../../src/store/open.ts';
import { openPostgres } from '../../src/store/pg-driver.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const children = new Set<ChildProcess>();

after(() => {
  for (const child of children) child.kill('SIGKILL');
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function parleyMigrate(env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, ['bin/parley.js', 'migrate'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', PARLEY_DATA_DIR: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('migrate [postgres]', { skip: !drivers().includes('postgres') && 'PARLEY_TEST_DRIVERS excludes postgres' }, () => {
  const drops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const drop of drops) await drop();
  });

  it('two processes started at once on one empty database both succeed, and each migration runs once', async () => {
    const database = await emptyPostgresDatabase();
    drops.push(database.drop);
    const runs = await Promise.all([parleyMigrate({ DATABASE_URL: database.url }), parleyMigrate({ DATABASE_URL: database.url })]);
    for (const run of runs) assert.equal(run.code, 0, run.stderr);

    const expected = (await loadMigrations()).map((m) => m.version);
    // Each migration takes the advisory lock in its own transaction, so the two may take turns
    // (one applies 1–2, the other 3, …); between them every migration runs exactly once, in order.
    const appliedBy = runs.map((r) => /applied migrations ([\d, ]+)\n/.exec(r.stdout)?.[1].split(', ').map(Number) ?? []);
    for (const [i, versions] of appliedBy.entries()) {
      assert.ok(versions.length > 0 || runs[i].stdout === 'database is up to date\n', runs[i].stdout);
      assert.deepEqual(versions, [...versions].sort((a, b) => a - b), 'each process applies in version order');
    }
    assert.deepEqual(appliedBy.flat().sort((a, b) => a - b), expected, runs.map((r) => r.stdout).join(' | '));

    const db = openPostgres({ connectionString: database.url, max: 1 });
    try {
      const rows = await db.query<{ version: number; n: number }>('SELECT version, count(*)::int AS n FROM parley_migrations GROUP BY version ORDER BY version');
      assert.deepEqual(rows, expected.map((version) => ({ version, n: 1 })));
      assert.ok(await migrationsCurrent(db));
      assert.deepEqual(await migrate(db), [], 'a third run applies nothing');
    } finally {
      await db.close();
    }
  });
});

describe('migrate [pglite]', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('is idempotent in memory: the second run applies nothing', async () => {
    const expected = (await loadMigrations()).map((m) => m.version);
    const db = await openDatabase({ databaseUrl: undefined, dataDir: '', memory: true, dbPoolSize: 1 });
    try {
      assert.equal(await migrationsCurrent(db), false, 'an empty database is not current');
      assert.deepEqual(await migrate(db), expected);
      assert.deepEqual(await migrate(db), []);
      assert.ok(await migrationsCurrent(db));
      const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM parley_migrations');
      assert.equal(rows[0].n, expected.length);
    } finally {
      await db.close();
    }
  });

  it('is idempotent through the CLI on a data directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-migrate-'));
    dirs.push(dir);
    const expected = (await loadMigrations()).map((m) => m.version);
    const first = await parleyMigrate({ PARLEY_DATA_DIR: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `applied migrations ${expected.join(', ')}\n`);
    const second = await parleyMigrate({ PARLEY_DATA_DIR: dir });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, 'database is up to date\n');
  });
});

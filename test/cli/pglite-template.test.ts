import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadMigrations, migrate, migrationsCurrent } from '../../src/store/migrate.ts';
import { memoryRoot, openDatabase } from '../../src/store/open.ts';
import { openPglite } from '../../src/store/pglite-driver.ts';

describe('a new embedded database from a template data directory', () => {
  let root: string;
  let template: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'parley-template-'));
    // A template from an older build: initdb done, no migration applied yet, and a mark to recognise it by.
    template = join(root, 'template');
    const db = await openPglite(template);
    await db.exec('CREATE TABLE made_from_template (x int)');
    await db.close();
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('starts as a copy of the template, and the migrations run on top', async () => {
    const dataDir = join(root, 'data');
    const db = await openDatabase({ databaseUrl: undefined, dataDir, memory: false, dbPoolSize: 1, pgliteTemplate: template });
    try {
      assert.deepEqual(await db.query('SELECT count(*)::int AS n FROM made_from_template'), [{ n: 0 }]);
      assert.deepEqual(await migrate(db), (await loadMigrations()).map((m) => m.version));
      assert.equal(await migrationsCurrent(db), true);
    } finally {
      await db.close();
    }
    assert.ok(!existsSync(join(dataDir, 'pglite.partial')));
    const again = await openDatabase({ databaseUrl: undefined, dataDir, memory: false, dbPoolSize: 1, pgliteTemplate: template });
    try {
      assert.deepEqual(await migrate(again), [], 'an existing database is opened, never replaced by the template');
    } finally {
      await again.close();
    }
  });

  it('--memory opens a throw-away copy and removes it on close', async () => {
    const root = memoryRoot();
    const before = readdirSync(root).filter((n) => n.startsWith(`parley-memory-${process.pid}-`));
    const db = await openDatabase({ databaseUrl: undefined, dataDir: '', memory: true, dbPoolSize: 1, pgliteTemplate: template });
    const copies = readdirSync(root).filter((n) => n.startsWith(`parley-memory-${process.pid}-`) && !before.includes(n));
    assert.equal(copies.length, 1);
    assert.deepEqual(await db.query('SELECT count(*)::int AS n FROM made_from_template'), [{ n: 0 }]);
    await db.close();
    assert.ok(!existsSync(join(root, copies[0])));
  });
});

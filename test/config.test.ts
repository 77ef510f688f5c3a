import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { CONFIG_OPTIONS, loadConfig } from '../src/config.ts';

/** Rows of the README table under the "Configuration" heading: env name → default. */
async function readmeConfigTable(): Promise<Map<string, string>> {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const section = /^## Configuration\n([\s\S]*?)(?=^## )/m.exec(readme);
  assert.ok(section, 'README has a "## Configuration" section');
  const rows = new Map<string, string>();
  for (const line of section[1].split('\n')) {
    const cells = /^\|\s*`([A-Z0-9_]+)`\s*\|\s*([^|]*?)\s*\|/.exec(line);
    if (!cells) continue;
    assert.ok(!rows.has(cells[1]), `${cells[1]} listed twice`);
    const value = cells[2] === '' || cells[2] === '(unset)' ? '' : cells[2].replace(/^`|`$/g, '');
    rows.set(cells[1], value);
  }
  return rows;
}

describe('configuration', () => {
  it('README lists exactly CONFIG_OPTIONS with their defaults', async () => {
    const table = await readmeConfigTable();
    assert.deepEqual([...table.keys()].sort(), CONFIG_OPTIONS.map((o) => o.env).sort());
    for (const option of CONFIG_OPTIONS) assert.equal(table.get(option.env), option.default, option.env);
  });

  it('applies the defaults, reads the environment, and refuses a malformed number', () => {
    const defaults = loadConfig({});
    assert.equal(defaults.databaseUrl, undefined);
    assert.equal(defaults.port, 8080);
    assert.equal(defaults.dataDir, './data');
    const set = loadConfig({ PORT: '0', DATABASE_URL: 'postgres://x/y', PARLEY_KEY_CACHE_SECONDS: '0' });
    assert.equal(set.port, 0);
    assert.equal(set.databaseUrl, 'postgres://x/y');
    assert.equal(set.keyCacheSeconds, 0);
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT must be an integer/);
    assert.throws(() => loadConfig({ PARLEY_DB_POOL_SIZE: '0' }), /PARLEY_DB_POOL_SIZE must be an integer ≥ 1/);
    assert.deepEqual([defaults.jwtSecret, defaults.jwtTtlSeconds], ['', 3600]);
    assert.equal(loadConfig({ PARLEY_JWT_SECRET: 's'.repeat(32) }).jwtSecret, 's'.repeat(32));
    assert.throws(() => loadConfig({ PARLEY_JWT_SECRET: 'short' }), /PARLEY_JWT_SECRET must be at least 32 characters/);
    assert.throws(() => loadConfig({ PARLEY_JWT_TTL_SECONDS: '60' }), /PARLEY_JWT_TTL_SECONDS must be an integer ≥ 600/);
  });
});

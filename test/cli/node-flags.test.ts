import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { shebangNodeFlags } from '../../bench/lib.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

// bin/parley.js's first line names the node flags a Parley process runs with; every other way of
// starting one must pass the same, or the benchmarks measure a server nobody runs.
describe('the node flags a Parley process runs with', () => {
  const flags = shebangNodeFlags('bin/parley.js');

  it('are named by bin/parley.js and include the young generation size', () => {
    assert.ok(flags.some((flag) => flag.startsWith('--max-semi-space-size=')), `bin/parley.js's shebang gives ${JSON.stringify(flags)}`);
  });

  it('are the same for npm start, which runs bin/start.js itself so that its shebang applies', () => {
    assert.deepEqual(shebangNodeFlags('bin/start.js'), flags);
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
    assert.match(pkg.scripts.start, /^bin\/start\.js serve$/);
  });

  it('are the same in the container image', () => {
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(`${ROOT}Dockerfile`, 'utf8'));
    assert.ok(entrypoint, 'the Dockerfile has an ENTRYPOINT in exec form');
    assert.deepEqual(JSON.parse(entrypoint[1]), ['node', ...flags, 'dist/cli.js']);
  });

  it('are understood by env and node when bin/parley.js is run as a program', async () => {
    const { stdout } = await run(`${ROOT}bin/parley.js`, ['--help'], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent' } });
    assert.match(stdout, /parley serve/);
  });
});

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const logger = fileURLToPath(new URL('../src/logger.ts', import.meta.url));
/** A process that logs one line through createLogger, as `parley serve` does. */
const child = ['--import', 'tsx', '-e', `import(${JSON.stringify(logger)}).then((m) => m.createLogger('info').info({ conversations: 3 }, 'hello from parley'))`];

it('logs JSON lines when stdout is not a terminal (a pipe, a file, a log collector)', () => {
  const out = execFileSync(process.execPath, child, { encoding: 'utf8' });
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 1, out);
  const line = JSON.parse(lines[0]) as Record<string, unknown>;
  assert.equal(line.msg, 'hello from parley');
  assert.equal(line.level, 30);
  assert.equal(line.service, 'parley');
  assert.equal(line.conversations, 3);
});

// `script` (util-linux) runs the process on a pseudo-terminal, as a person running `parley serve` sees it.
const hasScript = spawnSync('script', ['--version']).status === 0;

it('logs readable lines when stdout is a terminal', { skip: !hasScript && 'needs `script` (util-linux) for a pseudo-terminal' }, () => {
  const command = [process.execPath, ...child].map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
  const out = execFileSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' });
  const plain = out.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
  assert.match(plain, /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: hello from parley\r?$/m);
  assert.match(plain, /^ {4}conversations: 3\r?$/m);
  assert.doesNotMatch(plain, /"msg"/);
});

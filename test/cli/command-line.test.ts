import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { drivers, emptyPostgresDatabase } from '../helpers/db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
// npm's own range rules (semver comes with the dev tools; it has no types of its own here).
const semver = createRequire(import.meta.url)('semver') as { satisfies(version: string, range: string): boolean };
// Nothing listens on port 1: a command that reached the database would fail with a connection error instead.
const UNREACHABLE = { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', PARLEY_DATA_DIR: '' };

async function parley(args: string[], env: Record<string, string> = UNREACHABLE): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/parley.js', ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe('parley command line', () => {
  it('prints its usage with no command, and with --help', async () => {
    for (const args of [[], ['--help']]) {
      const { code, stdout } = await parley(args);
      assert.equal(code, 0);
      assert.match(stdout, /^Usage: parley <command> \[options\]\n/);
      assert.match(stdout, /keys create --customer ID/);
    }
  });

  it('answers a bad flag with status 2 and one line, before touching the database', async () => {
    const profile = ['sample', '--profile', 'customers/x/profiles/default', '--out', '/dev/null'];
    const cases: [string[], RegExp][] = [
      [[...profile, '--max-conversations', '-1'], /^parley: Option '--max-conversations' argument is ambiguous\. .*'--max-conversations=-XYZ'\.\n$/],
      [['customers', 'create', 'x', '--name'], /^parley: Option '--name <value>' argument missing\n$/],
      [['customers', 'list', '--ratio', '0.5'], /^parley: --ratio is not an option of "parley customers list"; usage: parley customers list\n$/],
      [['customers', 'create', 'a', 'b'], /^parley: unexpected argument "b"; usage: parley customers create ID \[--name NAME\]\n$/],
      [['keys', 'list'], /^parley: --customer is required; usage: parley keys list --customer ID\n$/],
      [['serve', '--memory=yes'], /^parley: Option '--memory' does not take an argument\n$/],
      [[...profile, '--format', 'csv'], /^parley: --format must be openai or parley\n$/],
      [[...profile, '--ratio', 'half'], /^parley: --ratio must be a number in \(0, 1\]\n$/],
      [['sample', '--profile', 'acme', '--out', '/dev/null'], /^parley: --profile must be written customers\/ID\/profiles\/PID\n$/],
      [['frobnicate'], /^parley: unknown command "frobnicate" \(parley --help lists the commands\)\n$/],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await parley(args);
      assert.equal(code, 2, `parley ${args.join(' ')}: ${stderr}`);
      assert.match(stderr, message, `parley ${args.join(' ')}`);
      assert.equal(stdout, '');
    }
  });

  it('checks --out before any work', async () => {
    const out = join(ROOT, 'no-such-directory', 'sample.jsonl');
    const { code, stderr } = await parley(['sample', '--profile', 'customers/x/profiles/default', '--out', out]);
    assert.equal(code, 2);
    assert.equal(stderr, `parley: --out ${out}: cannot write (ENOENT)\n`, 'the file, not the unreachable database');
  });
});

describe('npm install on Node 20', () => {
  it(`installs no package whose engines exclude this Node (${process.version}): npm would warn`, () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[]; dev?: boolean }> };
    const refusing = Object.entries(lock.packages)
      .filter(([path, p]) => path && !Array.isArray(p.engines) && p.engines?.node && !semver.satisfies(process.version, p.engines.node))
      .map(([path, p]) => `${path} (node ${(p.engines as { node: string }).node})`);
    assert.deepEqual(refusing, []);
  });
});

describe('parley serve on PostgreSQL', { skip: !drivers().includes('postgres') }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('with no customer yet, prints how to create one and a key', async () => {
    const database = await emptyPostgresDatabase();
    cleanups.push(database.drop);
    const child = spawn(process.execPath, ['bin/parley.js', 'serve'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: database.url, PARLEY_DATA_DIR: '', PORT: '0', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.unshift(async () => void child.kill('SIGKILL'));
    let stdout = '';
    await new Promise<void>((printed, failed) => {
      child.stdout!.on('data', (chunk) => {
        stdout += chunk;
        if (/keys create --customer acme\n/.test(stdout)) printed();
      });
      child.on('exit', (code) => failed(new Error(`exited with ${code}: ${stdout}`)));
    });
    assert.match(stdout, /no customers yet/);
    assert.match(stdout, /^ {2}npx parley customers create acme --name "Acme Inc\."$/m);
    assert.match(stdout, /^ {2}npx parley keys create --customer acme$/m);
    child.kill('SIGTERM');
  });
});

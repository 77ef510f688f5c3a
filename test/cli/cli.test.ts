import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { drivers, emptyPostgresDatabase } from '../helpers/db.ts';
import { createCore } from '../../src/core/index.ts';
import type { Driver } from '../../src/store/driver.ts';
import { openDatabase } from '../../src/store/open.ts';
import { openPostgres } from '../../src/store/pg-driver.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = /^pk_([a-f0-9]{24})_[A-Za-z0-9_-]{43}$/;
const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void>)[] = [];

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const cleanup of cleanups) await cleanup();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; done: Promise<Run> } {
  const child = spawn(process.execPath, ['bin/parley.js', ...args], {
    cwd: ROOT,
    // Blank out the caller's database settings so only the test's choice applies.
    env: { ...process.env, DATABASE_URL: '', PARLEY_DATA_DIR: '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, output: () => stdout, done };
}

const parley = (args: string[], env: Record<string, string>) => start(args, env).done;

async function ok(args: string[], env: Record<string, string>): Promise<string> {
  const run = await parley(args, env);
  assert.equal(run.code, 0, `parley ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

async function waitFor(read: () => string, pattern: RegExp, exited: Promise<Run>, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  let gone: Run | undefined;
  void exited.then((run) => (gone = run));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = read().match(pattern);
    if (match) return match;
    if (gone) assert.fail(`server exited with ${gone.code} before printing ${pattern}: ${gone.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no ${pattern} within ${timeoutMs} ms; output so far: ${read()}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-cli-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Target {
  env: Record<string, string>;
  open(): Promise<Driver>;
}

const targets: Record<string, () => Promise<Target>> = {
  embedded: async () => {
    const dir = await tempDir();
    return { env: { PARLEY_DATA_DIR: dir }, open: () => openDatabase({ databaseUrl: undefined, dataDir: dir, memory: false, dbPoolSize: 1 }) };
  },
  postgres: async () => {
    const database = await emptyPostgresDatabase();
    cleanups.push(database.drop);
    return { env: { DATABASE_URL: database.url }, open: async () => openPostgres({ connectionString: database.url, max: 1 }) };
  },
};

for (const [name, make] of Object.entries(targets)) {
  if (name === 'postgres' && !drivers().includes('postgres')) continue;
  describe(`parley CLI [${name}]`, () => {
    let target: Target;
    before(async () => {
      target = await make();
    });

    it('creates a customer, a profile and a key, lists and revokes the key', async () => {
      assert.equal(await ok(['customers', 'create', 'x', '--name', 'X Corp'], target.env), 'created customers/x with profile customers/x/profiles/default\n');
      assert.match(await ok(['customers', 'list'], target.env), /^customers\/x\tX Corp$/m);

      const profile = await ok(['profiles', 'create', 'customers/x/profiles/p', '--languages', 'en-US,de-CH', '--default-language', 'en-US'], target.env);
      assert.equal(profile, 'created customers/x/profiles/p\n');
      assert.match(await ok(['profiles', 'list', '--customer', 'x'], target.env), /^customers\/x\/profiles\/p\tlanguages=en-US,de-CH\tdefault=en-US$/m);

      const quiet = await ok(['keys', 'create', '--customer', 'x', '--profile', 'p', '--quiet'], target.env);
      assert.match(quiet, /^pk_[a-f0-9]{24}_[A-Za-z0-9_-]{43}\n$/, 'only the secret, so scripts can capture it');
      const secret = quiet.trim();
      const keyId = SECRET.exec(secret)![1];

      const listed = await ok(['keys', 'list', '--customer', 'x'], target.env);
      assert.match(listed, new RegExp(`^${keyId}\\tprofile=p\\tscopes=\\*\\tcreated=\\S+\\tactive$`, 'm'));
      assert.doesNotMatch(listed, new RegExp(secret.slice(28)), 'the secret is never shown again');

      const db = await target.open();
      try {
        const caller = await createCore(db, { keyCacheSeconds: 0 }).apiKeys.authenticate(secret);
        assert.deepEqual({ customerId: caller.customerId, profileId: caller.profileId }, { customerId: 'x', profileId: 'p' });
      } finally {
        await db.close();
      }

      assert.equal(await ok(['keys', 'revoke', '--customer', 'x', keyId], target.env), `revoked ${keyId}\n`);
      assert.match(await ok(['keys', 'list', '--customer', 'x'], target.env), new RegExp(`^${keyId}\\t.*\\trevoked=\\S+$`, 'm'));
      const after = await target.open();
      try {
        await assert.rejects(createCore(after, { keyCacheSeconds: 0 }).apiKeys.authenticate(secret), { code: 'UNAUTHENTICATED' });
      } finally {
        await after.close();
      }
    });

    it('refuses bad input with a non-zero exit and a clear message', async () => {
      const cases: [string[], RegExp][] = [
        [['customers', 'list', '--bogus'], /Unknown option '--bogus'/],
        [['customers', 'create', 'Bad Id!'], /customer: must match/],
        [['customers', 'create'], /ID is required/],
        [['profiles', 'create', 'x/p'], /profile must be written customers\/ID\/profiles\/PID/],
        [['profiles', 'create', 'customers/nobody/profiles/p'], /customer nobody not found/],
        [['keys', 'create', '--customer', 'x', '--profile', 'nope'], /profile customers\/x\/profiles\/nope not found/],
        [['keys', 'revoke', '--customer', 'x', 'not-an-id'], /24-character hex key id/],
        [['frobnicate'], /unknown command "frobnicate"/],
      ];
      for (const [args, message] of cases) {
        const run = await parley(args, target.env);
        assert.notEqual(run.code, 0, `parley ${args.join(' ')} must fail`);
        assert.match(run.stderr, message, `parley ${args.join(' ')}`);
        assert.doesNotMatch(run.stderr, /\n\s+at /, 'a message, not a stack trace');
        assert.equal(run.stdout, '');
      }
    });
  });
}

describe('parley serve on the embedded database', () => {
  it('runs every command inside the server while it holds the data directory, through a 0600 socket the lock file names', async () => {
    const dir = await tempDir();
    const env = { PARLEY_DATA_DIR: dir, PORT: '0' };
    const server = start(['serve'], env);
    await waitFor(server.output, /Server listening/, server.done);

    assert.match(await ok(['customers', 'list'], env), /^customers\/demo\tDemo customer$/m);
    assert.equal(await ok(['customers', 'create', 'acme'], env), 'created customers/acme with profile customers/acme/profiles/default\n');
    const secret = (await ok(['keys', 'create', '--customer', 'acme', '--quiet'], env)).trim();
    assert.match(secret, SECRET);
    assert.match(await ok(['keys', 'list', '--customer', 'acme'], env), /\tactive$/m);
    assert.equal(await ok(['migrate'], env), 'database is up to date\n');
    const refused = await parley(['profiles', 'create', 'customers/nobody/profiles/p'], env);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, 'parley: customer nobody not found\n', "the server's refusal, as one line");

    const [pid, socket] = (await readFile(join(dir, 'parley.lock'), 'utf8')).trim().split('\n');
    assert.equal(Number(pid), server.child.pid);
    assert.equal(socket, join(dir, 'parley.sock'));
    assert.equal((await stat(socket)).mode & 0o777, 0o600);

    server.child.kill('SIGTERM');
    assert.equal((await server.done).code, 0, 'a clean shutdown');
    await assert.rejects(stat(socket), { code: 'ENOENT' }, 'the socket goes with the server');
    assert.match(await ok(['customers', 'list'], env), /^customers\/acme\t/m, 'without a server the command opens the database itself');
  });

  it('after a server killed with -9, its stale lock and socket neither block the CLI nor a new server', async () => {
    const dir = await tempDir();
    const env = { PARLEY_DATA_DIR: dir, PORT: '0' };
    const killed = start(['serve'], env);
    await waitFor(killed.output, /Server listening/, killed.done);
    await waitFor(() => readFileSync(join(dir, 'parley.lock'), 'utf8'), /parley\.sock/, killed.done);
    killed.child.kill('SIGKILL');
    await killed.done;
    await stat(join(dir, 'parley.sock'));

    assert.match(await ok(['customers', 'list'], env), /^customers\/demo\t/m);
    const again = start(['serve'], env);
    await waitFor(again.output, /Server listening/, again.done);
    await waitFor(() => readFileSync(join(dir, 'parley.lock'), 'utf8'), new RegExp(`^${again.child.pid}\n`), again.done);
    assert.match(await ok(['customers', 'list'], env), /^customers\/demo\t/m);
    again.child.kill('SIGTERM');
    assert.equal((await again.done).code, 0);
  });

  it('on first start prints a demo key and a curl line that works as printed', async () => {
    const port = await freePort();
    const env = { PARLEY_DATA_DIR: await tempDir(), PORT: String(port) };
    const server = start(['serve'], env);
    const [, key] = await waitFor(server.output, /shown once\):\n\n {2}(pk_\S+)\n/, server.done);
    assert.match(key, SECRET);
    const [curl] = await waitFor(server.output, /curl -s -X POST (\S+) \\\n\s+-H 'Authorization: Bearer (\S+)' -H 'Content-Type: application\/json' -d '([^']*)'/, server.done);
    const [, url, bearer, body] = /curl -s -X POST (\S+) \\\n\s+-H 'Authorization: Bearer (\S+)' -H 'Content-Type: application\/json' -d '([^']*)'/.exec(curl)!;
    assert.equal(url, `http://127.0.0.1:${port}/v1/customers/demo/profiles/default/conversations:start`);
    assert.equal(bearer, key);

    const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body });
    assert.equal(res.status, 200, await res.clone().text());
    const conversation = (await res.json()) as { name: string; displayName: string };
    assert.match(conversation.name, /^customers\/demo\/profiles\/default\/conversations\/[a-f0-9]{24}$/);
    assert.equal(conversation.displayName, 'hello');

    server.child.kill('SIGTERM');
    assert.equal((await server.done).code, 0);
    const again = start(['serve'], env);
    await waitFor(again.output, /Server listening/, again.done);
    assert.doesNotMatch(again.output(), /pk_/, 'the demo key is created once, on an empty database only');
    again.child.kill('SIGTERM');
    await again.done;
  });
});

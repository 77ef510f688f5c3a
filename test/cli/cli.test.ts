import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { drivers } from '../helpers/db.ts';
import { createCore } from '../../src/core/index.ts';
import { ok, parley, start, targets, tempDir, waitFor, type Target } from './cli-harness.ts';

const SECRET = /^pk_([a-f0-9]{24})_[A-Za-z0-9_-]{43}$/;

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

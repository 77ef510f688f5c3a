import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { drivers } from '../helpers/db.ts';
import { createCore } from '../../src/core/index.ts';
import { ok, parley, start, targets, tempDir, waitFor, type Target } from './cli-harness.ts';

/** A folder of help pages (and a file the CLI must skip), an instructions file and one more page. */
async function helpFiles(): Promise<string> {
  const dir = await tempDir();
  await mkdir(join(dir, 'kb/policies'), { recursive: true });
  await writeFile(join(dir, 'kb/hours.md'), '# Opening hours\nThe shop is open from 9am to 6pm on weekdays.\n');
  await writeFile(join(dir, 'kb/policies/returns.txt'), 'Bikes can be returned within 30 days for a full refund.\n');
  await writeFile(join(dir, 'kb/logo.png'), 'not text');
  await writeFile(join(dir, 'instructions.txt'), 'Answer from the help pages only.');
  await writeFile(join(dir, 'rentals.md'), '# Rentals\nE-bikes rent for CHF 45 a day, helmets included.\n');
  return dir;
}

const ID = /^[a-f0-9]{24}$/;

for (const [name, make] of Object.entries(targets)) {
  if (name === 'postgres' && !drivers().includes('postgres')) continue;
  describe(`parley agents [${name}]`, () => {
    let target: Target;
    let files: string;
    before(async () => {
      target = await make();
      files = await helpFiles();
      await ok(['customers', 'create', 'bikes'], target.env);
    });

    it('creates an agent from files, updates its knowledge, releases, lists; the knowledge is searchable', async () => {
      const id = (await ok(['agents', 'create', '--customer', 'bikes', '--name', 'Bike help', '--instructions-file', join(files, 'instructions.txt'),
        '--knowledge', join(files, 'kb'), '--quiet'], target.env)).trim();
      assert.match(id, ID, 'only the id with --quiet');

      const loud = await ok(['agents', 'create', '--customer', 'bikes', '--name', 'Other', '--instructions', 'Hi'], target.env);
      assert.match(loud, /^created agent [a-f0-9]{24} \(customers\/bikes\/profiles\/default\/agents\/[a-f0-9]{24}\), version 1, released, 0 knowledge documents\n$/);

      const updated = await ok(['agents', 'update', id, '--customer', 'bikes', '--knowledge', join(files, 'kb'), join(files, 'rentals.md')], target.env);
      assert.match(updated, new RegExp(`^agent ${id} is at version 2; release still points at version 1`));
      assert.equal(await ok(['agents', 'release', id, '--customer', 'bikes'], target.env), `released version 2 of agent ${id} (newest: 2)\n`);
      assert.equal(await ok(['agents', 'release', id, '--customer', 'bikes', '--version', '1'], target.env), `released version 1 of agent ${id} (newest: 2)\n`);
      const listed = await ok(['agents', 'list', '--customer', 'bikes'], target.env);
      assert.match(listed, new RegExp(`^${id}\\tcustomers/bikes/profiles/default\\tversion=2\\treleased=1\\tBike help$`, 'm'));
      assert.equal(listed.trim().split('\n').length, 2);

      const db = await target.open();
      try {
        const core = createCore(db);
        const scope = { customerId: 'bikes', profileId: null };
        const v1 = await core.agents.version(scope, id, 1);
        assert.equal(v1.instructions, 'Answer from the help pages only.');
        const docs = await core.knowledge.list(scope, id, 1);
        assert.deepEqual(docs.map((d) => [d.name, d.mediaType]), [['hours.md', 'text/markdown'], ['policies/returns.txt', 'text/plain']]);
        const edgeDocs = await core.knowledge.list(scope, id, 'edge');
        assert.deepEqual(edgeDocs.map((d) => d.id).slice(0, 2), docs.map((d) => d.id), 'unchanged files keep their documents');
        assert.match((await core.knowledge.search(scope, id, 'release', 'Can I return my bike?', 3))[0].text, /30 days/);
        assert.deepEqual(await core.knowledge.search(scope, id, 'release', 'Do you rent helmets?', 3), []);
        assert.match((await core.knowledge.search(scope, id, 'edge', 'Do you rent helmets?', 3))[0].text, /CHF 45/);
      } finally {
        await db.close();
      }
    });

    it('refuses bad input with status 2 and one line', async () => {
      const cases: [string[], RegExp][] = [
        [['agents', 'create', '--customer', 'bikes'], /^parley: --name is required; usage: parley agents create/],
        [['agents', 'create', '--customer', 'bikes', '--name', 'x', '--instructions', 'a', '--instructions-file', 'b'], /^parley: give --instructions or --instructions-file, not both\n$/],
        [['agents', 'create', '--customer', 'bikes', '--name', 'x', '--knowledge', join(files, 'missing')], /^parley: --knowledge .*missing: cannot read \(ENOENT\)\n$/],
        [['agents', 'create', '--customer', 'bikes', '--name', 'x', '--knowledge', join(files, 'kb/logo.png')], /^parley: --knowledge .*logo\.png: must be a \.md or \.txt file, or a folder of them\n$/],
        [['agents', 'update', 'nope', '--customer', 'bikes'], /^parley: AGENT_ID must be the agent's 24-hex id\n$/],
        [['agents', 'release', '0123456789abcdef01234567', '--customer', 'bikes', '--version', 'two'], /^parley: --version must be a version number/],
        [['agents', 'release', '0123456789abcdef01234567', '--customer', 'bikes'], /^parley: agent not found\n$/],
        [['agents', 'list'], /^parley: --customer is required/],
        [['agents', 'create', '--customer', 'nobody', '--name', 'x'], /^parley: profile not found\n$/],
      ];
      for (const [args, message] of cases) {
        const run = await parley(args, target.env);
        assert.equal(run.code, 2, `parley ${args.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, message, `parley ${args.join(' ')}`);
        assert.equal(run.stdout, '');
      }
      assert.equal((await ok(['agents', 'list', '--customer', 'bikes'], target.env)).trim().split('\n').length, 2, 'nothing was created');
    });
  });
}

describe('parley agents inside a running server', () => {
  it('reads the files where the CLI runs, not where the server does', async () => {
    const dir = await tempDir();
    const files = await helpFiles();
    const env = { PARLEY_DATA_DIR: dir, PORT: '0' };
    const server = start(['serve'], env);
    await waitFor(server.output, /Server listening/, server.done);

    await ok(['customers', 'create', 'bikes'], env);
    // Relative paths from the CLI's own directory: the server's directory is the repository.
    const created = await ok(['agents', 'create', '--customer', 'bikes', '--name', 'Bike help', '--instructions-file', 'instructions.txt', '--knowledge', 'kb'], env, files);
    assert.match(created, /, version 1, released, 2 knowledge documents\n$/);
    const id = /created agent ([a-f0-9]{24})/.exec(created)![1];
    assert.match(await ok(['agents', 'update', id, '--customer', 'bikes', '--knowledge', 'kb', 'rentals.md'], env, files), /is at version 2/);
    const missing = await parley(['agents', 'update', id, '--customer', 'bikes', '--knowledge', 'nowhere.md'], env, files);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^parley: --knowledge \/.*nowhere\.md: cannot read \(ENOENT\)\n$/);
    assert.match(await ok(['agents', 'list', '--customer', 'bikes'], env), new RegExp(`^${id}\\t.*\\tversion=2\\treleased=1\\tBike help$`, 'm'));

    server.child.kill('SIGTERM');
    assert.equal((await server.done).code, 0);
  });
});

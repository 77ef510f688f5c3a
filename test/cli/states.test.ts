import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { drivers } from '../helpers/db.ts';
import { createCore } from '../../src/core/index.ts';
import { ok, parley, targets, type Target } from './cli-harness.ts';

const ID = /^[a-f0-9]{24}$/;

for (const [name, make] of Object.entries(targets)) {
  if (name === 'postgres' && !drivers().includes('postgres')) continue;
  describe(`parley states [${name}]`, () => {
    let target: Target;
    before(async () => {
      target = await make();
      await ok(['customers', 'create', 'bikes'], target.env);
    });

    it('creates, lists, updates and deletes conversation states', async () => {
      const id = (await ok(['states', 'create', '--customer', 'bikes', '--name', 'Escalated', '--description', 'A manager looks at it',
        '--color', '#FF8800', '--persistent', '--quiet'], target.env)).trim();
      assert.match(id, ID, 'only the id with --quiet');
      const loud = await ok(['states', 'create', '--customer', 'bikes', '--name', 'Waiting for parts'], target.env);
      const other = /^created conversation state ([a-f0-9]{24}) \(Waiting for parts\)\n$/.exec(loud)?.[1];
      assert.ok(other, loud);

      assert.equal(await ok(['states', 'list', '--customer', 'bikes'], target.env),
        `${id}\tEscalated\tcolor=#FF8800\tpersistent=true\tA manager looks at it\n${other}\tWaiting for parts\tcolor=-\tpersistent=false\t\n`);
      // An empty --description or --color clears it.
      assert.equal(await ok(['states', 'update', id, '--customer', 'bikes', '--color', '', '--description', '', '--not-persistent'], target.env),
        `${id}\tEscalated\tcolor=-\tpersistent=false\t\n`);
      assert.equal(await ok(['states', 'delete', other, '--customer', 'bikes'], target.env), `deleted conversation state ${other}\n`);

      const db = await target.open();
      try {
        const states = await createCore(db).conversationStates.list('bikes');
        assert.deepEqual(states.map((s) => [s.id, s.name, s.description, s.color, s.isPersistent]), [[id, 'Escalated', null, null, false]]);
      } finally {
        await db.close();
      }
    });

    it('refuses bad input with status 2 and one line, and changes nothing', async () => {
      const listed = await ok(['states', 'list', '--customer', 'bikes'], target.env);
      const [id] = listed.split('\t');
      const cases: [string[], RegExp][] = [
        [['states', 'create', '--customer', 'bikes'], /^parley: --name is required; usage: parley states create/],
        [['states', 'create', '--customer', 'bikes', '--name', 'Escalated'], /^parley: --name: already names another conversation state\n$/],
        [['states', 'create', '--customer', 'bikes', '--name', 'New', '--color', 'orange'], /^parley: --color: must be a hex color #RRGGBB, or null\n$/],
        [['states', 'create', '--customer', 'bikes', '--name', 'x'.repeat(101)], /^parley: --name: must be 1 to 100 characters\n$/],
        [['states', 'update', 'nope', '--customer', 'bikes', '--name', 'x'], /^parley: STATE_ID must be the state's 24-hex id\n$/],
        [['states', 'update', id, '--customer', 'bikes'], /^parley: nothing to change: give --name/],
        [['states', 'update', id, '--customer', 'bikes', '--persistent', '--not-persistent'], /^parley: give --persistent or --not-persistent, not both\n$/],
        [['states', 'update', '0123456789abcdef01234567', '--customer', 'bikes', '--name', 'x'], /^parley: conversation state not found\n$/],
        [['states', 'delete', '0123456789abcdef01234567', '--customer', 'bikes'], /^parley: conversation state not found\n$/],
        [['states', 'list'], /^parley: --customer is required/],
      ];
      for (const [args, message] of cases) {
        const run = await parley(args, target.env);
        assert.equal(run.code, 2, `parley ${args.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, message, `parley ${args.join(' ')}`);
        assert.equal(run.stdout, '');
      }
      assert.equal(await ok(['states', 'list', '--customer', 'bikes'], target.env), listed, 'nothing changed');
    });
  });
}

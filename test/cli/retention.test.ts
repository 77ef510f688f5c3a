import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { drivers } from '../helpers/db.ts';
import { createCore } from '../../src/core/index.ts';
import type { Caller } from '../../src/kernel/types.ts';
import { ok, parley, targets, type Target } from './cli-harness.ts';

const bikes: Caller = { customerId: 'bikes', keyId: 'test', profileId: null, agentId: null, scopes: ['*'] };
const PERSON_ID = '0123456789abcdef01234567';

for (const [name, make] of Object.entries(targets)) {
  if (name === 'postgres' && !drivers().includes('postgres')) continue;
  describe(`parley profiles retention and users erase [${name}]`, () => {
    let target: Target;
    before(async () => {
      target = await make();
      await ok(['customers', 'create', 'bikes'], target.env);
    });

    it('creates a profile with a retention, changes it and turns it off', async () => {
      assert.equal(await ok(['profiles', 'create', 'customers/bikes/profiles/shop', '--retention-days', '30'], target.env), 'created customers/bikes/profiles/shop\n');
      assert.match(await ok(['profiles', 'list', '--customer', 'bikes'], target.env), /^customers\/bikes\/profiles\/shop\tlanguages=\*\tdefault=-\tretention=30d$/m);
      assert.equal(await ok(['profiles', 'update', 'customers/bikes/profiles/shop', '--retention-days', '7'], target.env), 'updated customers/bikes/profiles/shop\tretention=7d\n');
      assert.equal(await ok(['profiles', 'update', 'customers/bikes/profiles/default', '--retention-days', 'off'], target.env), 'updated customers/bikes/profiles/default\tretention=off\n');
      assert.match(await ok(['profiles', 'list', '--customer', 'bikes'], target.env), /^customers\/bikes\/profiles\/default\tlanguages=\*\tdefault=-$/m);
    });

    it('refuses a bad retention with status 2 and one line, changing nothing', async () => {
      const listed = await ok(['profiles', 'list', '--customer', 'bikes'], target.env);
      const cases: [string[], RegExp][] = [
        [['profiles', 'update', 'customers/bikes/profiles/shop', '--retention-days', '0'], /^parley: --retention-days: must be a whole number of days from 1 to 36500\n$/],
        [['profiles', 'update', 'customers/bikes/profiles/shop', '--retention-days', 'soon'], /^parley: --retention-days: must be a whole number of days or off, got "soon"\n$/],
        [['profiles', 'update', 'customers/bikes/profiles/shop'], /^parley: --retention-days is required/],
        [['profiles', 'update', 'customers/bikes/profiles/nope', '--retention-days', '3'], /^parley: profile customers\/bikes\/profiles\/nope not found\n$/],
        [['profiles', 'create', 'customers/bikes/profiles/new', '--retention-days', '36501'], /^parley: --retention-days: must be a whole number of days from 1 to 36500\n$/],
      ];
      for (const [args, message] of cases) {
        const run = await parley(args, target.env);
        assert.equal(run.code, 2, `parley ${args.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, message, `parley ${args.join(' ')}`);
      }
      assert.equal(await ok(['profiles', 'list', '--customer', 'bikes'], target.env), listed);
    });

    it('erases an end user by the caller\'s id for them and prints what went', async () => {
      let conversationId: string;
      const db = await target.open();
      try {
        await db.query(`INSERT INTO end_users (customer_id, id, external_id) VALUES ('bikes', $1, 'rider-1')`, [PERSON_ID]);
        const core = createCore(db);
        const { conversation } = await core.conversations.start(bikes, 'bikes', 'shop', undefined, { visitor: { externalUserId: 'rider-1' } });
        conversationId = conversation.id;
        await core.messages.append(bikes, { customerId: 'bikes', id: conversation.id }, [{ text: 'hello', speaker: 'VISITOR' }]);
      } finally {
        await db.close();
      }
      const unknown = await parley(['users', 'erase', '--customer', 'bikes', '--user', 'nobody'], target.env);
      assert.equal(unknown.code, 2);
      assert.equal(unknown.stderr, 'parley: end user not found\n');
      assert.equal(await ok(['users', 'erase', '--customer', 'bikes', '--user', 'rider-1'], target.env), [
        `erased end user ${PERSON_ID} (rider-1)`,
        'conversations=1\tmessages=1\trecordings=0\tanalyses=0\tagentFeedback=0\tmessageFeedback=0\tendUsers=1',
        `conversation ${conversationId}`,
        '',
      ].join('\n'));
      const again = await parley(['users', 'erase', '--customer', 'bikes', '--user', PERSON_ID], target.env);
      assert.equal(again.stderr, 'parley: end user not found\n');
    });
  });
}

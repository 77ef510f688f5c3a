import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useCore } from '../helpers/core.ts';
import { indexWordsBeforeSearch } from '../../src/core/conversations/search-index.ts';
import { indexMessageWords } from '../../src/jobs/message-words.ts';
import { newId } from '../../src/kernel/ids.ts';
import type { Caller } from '../../src/kernel/types.ts';
import { stores } from '../../src/store/index.ts';
import { MESSAGE_WORDS_CURSOR } from '../../src/store/message-words.ts';

/*
 * Message words written after the commit (migration 027): by the background indexer along the
 * event log, and by a search for its own customer before it reads.
 */

const caller: Caller = { customerId: 'acme', keyId: '000000000000000000000000', profileId: null, agentId: null, scopes: ['*'] };
const actor = 'apiKeys/000000000000000000000000';

forEachDriver('message words after the commit', (kind) => {
  const ctx = useCore(kind);

  async function conversation(customerId = 'acme'): Promise<{ customerId: string; profileId: string; nameId: string; conversationId: string }> {
    const nameId = newId();
    const { conversation: c } = await ctx.core.conversations.start({ ...caller, customerId }, customerId, 'default', nameId, {});
    return { customerId, profileId: 'default', nameId, conversationId: c.id };
  }

  const say = (ref: Awaited<ReturnType<typeof conversation>>, ...texts: string[]) =>
    stores(ctx.database.db).messages.appendMessages(ref, actor, texts.map((text) => ({ id: newId(), text, speaker: 'VISITOR', state: 'FINAL' })));

  const wordsOf = async (conversationId: string) => (await ctx.database.db.query<{ word: string }>(
    'SELECT word FROM message_words WHERE conversation_id = $1 ORDER BY word', [conversationId])).map((r) => r.word);

  const cursor = async () => (await ctx.database.db.query<{ tx: string; gid: number }>(
    'SELECT tx::text AS tx, gid FROM event_cursors WHERE name = $1', [MESSAGE_WORDS_CURSOR]))[0];

  /** Background steps until one reads nothing; how many events they read. */
  async function indexAll(limit = 1000): Promise<number> {
    let total = 0;
    for (let read = -1; read !== 0; total += read) read = await indexMessageWords(ctx.database.db, limit);
    return total;
  }

  it('an append writes no words; the background indexer writes them from its events and moves past them', async () => {
    await indexAll();
    const ref = await conversation();
    await say(ref, 'my parcel never came', 'the PARCEL tracking says delivered');
    assert.deepEqual(await wordsOf(ref.conversationId), [], 'nothing in the append\'s transaction');
    const before = await cursor();
    // Its start event and two MESSAGE_CREATEs, in steps of two events.
    assert.equal(await indexAll(2), 3);
    assert.deepEqual(await wordsOf(ref.conversationId), ['came', 'delivered', 'my', 'never', 'parcel', 'says', 'the', 'tracking']);
    assert.notDeepEqual(await cursor(), before);
    assert.equal(await indexAll(), 0, 'the cursor is past them');
  });

  it('a search first indexes what its customer said that the indexer has not reached, and leaves the cursor', async () => {
    await indexAll();
    await ctx.core.tenancy.createCustomer('globex');
    const ours = await conversation();
    const theirs = await conversation('globex');
    await say(ours, 'a zeppelin arrived');
    await say(theirs, 'a zeppelin left');
    const before = await cursor();
    await indexWordsBeforeSearch(ctx.database.db, 'acme');
    assert.deepEqual(await wordsOf(ours.conversationId), ['a', 'arrived', 'zeppelin']);
    assert.deepEqual(await wordsOf(theirs.conversationId), [], 'another customer\'s messages wait for the indexer');
    assert.deepEqual(await cursor(), before);
    // The indexer passes the same messages later and finds their words there.
    await indexAll();
    assert.deepEqual(await wordsOf(ours.conversationId), ['a', 'arrived', 'zeppelin']);
    assert.deepEqual(await wordsOf(theirs.conversationId), ['a', 'left', 'zeppelin']);
  });

  it('the support desk\'s search finds a word said just before it, with the indexer behind', async () => {
    const agent = await ctx.core.agents.create({ customerId: 'acme', profileId: 'default' }, { name: 'Desk helper', instructions: 'Help.' });
    const desk: Caller = { ...caller, profileId: 'default', agentId: agent.id };
    const { conversation: c } = await ctx.core.desk.create(desk, { conversationUser: 'visitor-1' });
    await say({ customerId: 'acme', profileId: 'default', nameId: c.nameId, conversationId: c.id }, 'the gearbox rattles');
    const { items } = await ctx.core.desk.list(desk, { page: 1, pageSize: 10, keyword: 'gearbox', descending: true });
    assert.deepEqual(items.map((i) => i.conversation.id), [c.id]);
  });

  it('a redaction waits for an indexer that read the old text, then takes its words out', { skip: kind === 'pglite' && 'PGlite runs one transaction at a time' }, async () => {
    await indexAll();
    const ref = await conversation();
    const [said] = await say(ref, 'my pin is 4711');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let indexed!: () => void;
    const holding = new Promise<void>((r) => (indexed = r));
    // A search's indexing, held open after it wrote the words of the text it read.
    const indexer = ctx.database.db.transaction(async (tx) => {
      const w = stores(tx).messageWords;
      await w.indexAwaitingWords('acme', await w.messagesAwaitingWords('acme'));
      indexed();
      await held;
    });
    try {
      await holding;
      const redaction = ctx.database.db.query(`UPDATE messages SET text = 'my pin is [redacted]' WHERE customer_id = 'acme' AND conversation_id = $1 AND id = $2`,
        [ref.conversationId, said.id]);
      let finished = false;
      void redaction.finally(() => (finished = true)).catch(() => undefined);
      // Released once the redaction waits on the indexer (its lock; without it, on the words the indexer
      // has not committed) or has finished.
      for (;;) {
        const waiting = await ctx.database.db.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        if (waiting.length || finished) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      release();
      await indexer;
      await redaction;
    } finally {
      release();
      await indexer.catch(() => undefined);
    }
    assert.deepEqual(await wordsOf(ref.conversationId), ['is', 'my', 'pin', 'redacted']);
    await indexAll();
    assert.deepEqual(await wordsOf(ref.conversationId), ['is', 'my', 'pin', 'redacted'], 'the indexer reads the new text');
  });
});

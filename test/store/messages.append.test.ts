import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useCore } from '../helpers/core.ts';
import { newId } from '../../src/kernel/ids.ts';
import type { Caller } from '../../src/kernel/types.ts';
import type { ConversationRef } from '../../src/store/conversation-ref.ts';
import { stores } from '../../src/store/index.ts';
import type { NewMessage } from '../../src/store/messages.ts';

const caller: Caller = { customerId: 'acme', keyId: '000000000000000000000000', profileId: null, agentId: null, scopes: ['*'] };
const actor = 'apiKeys/000000000000000000000000';

function message(text: string): NewMessage {
  return { id: newId(), text, speaker: 'VISITOR', state: 'FINAL' };
}

forEachDriver('store appendMessages', (kind) => {
  const ctx = useCore(kind);

  async function conversation(nameId: string): Promise<ConversationRef & { conversationId: string }> {
    const { conversation: c } = await ctx.core.conversations.start(caller, 'acme', 'default', nameId, {});
    return { customerId: 'acme', profileId: 'default', nameId, conversationId: c.id };
  }

  async function counters(conversationId: string) {
    const [row] = await ctx.database.db.query<{ next: number; count: number; events: number }>(
      `SELECT next_message_seq AS next, message_count AS count, next_event_seq AS events FROM conversations WHERE customer_id = 'acme' AND id = $1`,
      [conversationId],
    );
    return row;
  }

  it('gives 50 parallel single appends 50 distinct gapless seqs, with one MESSAGE_CREATE event each', async () => {
    const ref = await conversation('parallel');
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => stores(ctx.database.db).messages.appendMessages(ref, actor, [message(`m${i}`)])));
    for (const appended of results) assert.equal(appended.length, 1);
    assert.deepEqual(results.map(([m]) => m.seq).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    const stored = await ctx.database.db.query<{ seq: number; text: string }>(
      `SELECT seq, text FROM messages WHERE customer_id = 'acme' AND conversation_id = $1 ORDER BY seq`, [ref.conversationId]);
    assert.deepEqual(stored.map((r) => r.seq), Array.from({ length: 50 }, (_, i) => i));
    assert.equal(new Set(stored.map((r) => r.text)).size, 50);
    // CONVERSATION_START is event 0; the 50 MESSAGE_CREATE events follow without gaps.
    const events = await ctx.database.db.query<{ seq: number; type: string; seqOf: number }>(
      `SELECT seq, type, (payload->>'sequencePosition')::int AS "seqOf" FROM events WHERE customer_id = 'acme' AND conversation_id = $1 ORDER BY seq`,
      [ref.conversationId]);
    assert.deepEqual(events.map((e) => e.seq), Array.from({ length: 51 }, (_, i) => i));
    assert.deepEqual(events.slice(1).map((e) => e.type), Array(50).fill('MESSAGE_CREATE'));
    assert.deepEqual(events.slice(1).map((e) => e.seqOf).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual(await counters(ref.conversationId), { next: 50, count: 50, events: 51 });
  });

  it('keeps each of 10 parallel batches contiguous and in input order', async () => {
    const ref = await conversation('batches');
    const results = await Promise.all(Array.from({ length: 10 }, (_, b) =>
      stores(ctx.database.db).messages.appendMessages(ref, actor, Array.from({ length: 5 }, (_, i) => message(`b${b}-${i}`)))));
    const all: number[] = [];
    results.forEach((batch, b) => {
      assert.deepEqual(batch.map((m) => m.text), Array.from({ length: 5 }, (_, i) => `b${b}-${i}`));
      const first = batch[0].seq;
      assert.deepEqual(batch.map((m) => m.seq), [first, first + 1, first + 2, first + 3, first + 4]);
      all.push(...batch.map((m) => m.seq));
    });
    assert.deepEqual(all.sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual(await counters(ref.conversationId), { next: 50, count: 50, events: 51 });
  });

  it('appends nothing to a closed or absent conversation', async () => {
    const ref = await conversation('closed');
    await stores(ctx.database.db).messages.appendMessages(ref, actor, [message('before close')]);
    await ctx.core.conversations.setState(caller, ref, 'CLOSED');
    const before = await counters(ref.conversationId);
    const [{ n: messagesBefore }] = await ctx.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages`);
    const [{ n: eventsBefore }] = await ctx.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events`);
    assert.deepEqual(await stores(ctx.database.db).messages.appendMessages(ref, actor, [message('late'), message('later')]), []);
    assert.deepEqual(await stores(ctx.database.db).messages.appendMessages({ customerId: 'acme', profileId: 'default', nameId: 'absent' }, actor, [message('x')]), []);
    assert.deepEqual(await counters(ref.conversationId), before);
    assert.deepEqual(await ctx.database.db.query(`SELECT count(*)::int AS n FROM messages`), [{ n: messagesBefore }]);
    assert.deepEqual(await ctx.database.db.query(`SELECT count(*)::int AS n FROM events`), [{ n: eventsBefore }]);
  });

  it('stores no message without its conversation: one check a statement refuses the whole insert', async () => {
    const ref = await conversation('orphan');
    const insert = (conversationIds: string[]) => ctx.database.db.query(
      `INSERT INTO messages (customer_id, conversation_id, seq, id) SELECT 'acme', c, 100 + n::int, 'x' || n FROM unnest($1::text[]) WITH ORDINALITY AS t(c, n)`,
      [conversationIds]);
    await assert.rejects(insert(['absent']), (err: { code?: string }) => err.code === '23503');
    await assert.rejects(insert([ref.conversationId, 'absent']), (err: { code?: string }) => err.code === '23503');
    await insert([ref.conversationId]);
    assert.deepEqual(await ctx.database.db.query(`SELECT conversation_id AS c FROM messages WHERE customer_id = 'acme' AND seq >= 100`), [{ c: ref.conversationId }]);
  });

  it('deleting a conversation takes its messages and their search words with it', async () => {
    const ref = await conversation('deleted');
    const other = await conversation('kept');
    await stores(ctx.database.db).messages.appendMessages(ref, actor, [message('parcel gone'), message('refund please')]);
    await stores(ctx.database.db).messages.appendMessages(other, actor, [message('parcel here')]);
    await ctx.core.conversations.delete(caller, ref);
    const left = await ctx.database.db.query<{ c: string; n: number }>(
      `SELECT conversation_id AS c, count(*)::int AS n FROM messages WHERE customer_id = 'acme' AND conversation_id = ANY($1) GROUP BY 1`,
      [[ref.conversationId, other.conversationId]]);
    assert.deepEqual(left, [{ c: other.conversationId, n: 1 }]);
    const words = await ctx.database.db.query<{ c: string }>(`SELECT DISTINCT conversation_id AS c FROM message_words WHERE customer_id = 'acme' AND word = 'parcel'`);
    assert.deepEqual(words, [{ c: other.conversationId }]);
  });

  it('a deletion waiting for an append takes the messages that append committed', { skip: kind === 'pglite' && 'PGlite runs one transaction at a time' }, async () => {
    const ref = await conversation('raced');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let appended!: () => void;
    const holding = new Promise<void>((r) => (appended = r));
    const append = ctx.database.db.transaction(async (tx) => {
      await stores(tx).messages.appendMessages(ref, actor, [message('in flight')]);
      appended();
      await held;
    });
    try {
      await holding;
      const deletion = ctx.core.conversations.delete(caller, ref);
      // Committed only once the deletion waits on the conversation's row lock.
      for (;;) {
        const waiting = await ctx.database.db.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%conversations%'`);
        if (waiting.length) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      release();
      await append;
      await deletion;
    } finally {
      release();
      await append.catch(() => undefined);
    }
    assert.deepEqual(await ctx.database.db.query(`SELECT count(*)::int AS n FROM messages WHERE customer_id = 'acme' AND conversation_id = $1`, [ref.conversationId]), [{ n: 0 }]);
  });

  it('rolls the whole batch back when one row fails inside the statement', async () => {
    const ref = await conversation('rollback');
    await stores(ctx.database.db).messages.appendMessages(ref, actor, [message('first')]);
    const before = await counters(ref.conversationId);
    const duplicate = newId();
    // Two rows with one id break the unique (conversation, id) index: nothing of the batch may stay.
    await assert.rejects(stores(ctx.database.db).messages.appendMessages(ref, actor, [
      { ...message('a'), id: duplicate }, { ...message('b'), id: duplicate },
    ]));
    assert.deepEqual(await counters(ref.conversationId), before);
    const texts = await ctx.database.db.query<{ text: string }>(`SELECT text FROM messages WHERE customer_id = 'acme' AND conversation_id = $1`, [ref.conversationId]);
    assert.deepEqual(texts, [{ text: 'first' }]);
  });
});

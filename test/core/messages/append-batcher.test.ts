import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../../helpers/db.ts';
import { useCore } from '../../helpers/core.ts';
import { AppendBatcher } from '../../../src/core/messages/append-batcher.ts';
import { newId } from '../../../src/kernel/ids.ts';
import type { Caller } from '../../../src/kernel/types.ts';
import type { Queryable } from '../../../src/store/driver.ts';
import type { NewMessage } from '../../../src/store/messages.ts';

const caller: Caller = { customerId: 'acme', keyId: '000000000000000000000000', profileId: null, agentId: null, scopes: ['*'] };
const actor = 'apiKeys/000000000000000000000000';

function message(text: string): NewMessage {
  return { id: newId(), text, speaker: 'VISITOR', state: 'FINAL' };
}

/** The real database, counting the statements that reach it; `failNext` makes the next one fail as a lost connection would. */
function counting(db: Queryable): Queryable & { statements: number; failNext?: Error } {
  const counted: Queryable & { statements: number; failNext?: Error } = {
    statements: 0,
    async query(sql, params, options) {
      counted.statements++;
      const failure = counted.failNext;
      counted.failNext = undefined;
      if (failure) throw failure;
      return db.query(sql, params, options);
    },
    exec: (sql) => db.exec(sql),
  };
  return counted;
}

forEachDriver('append group commit (AppendBatcher)', (kind) => {
  const ctx = useCore(kind);

  async function conversation(nameId: string) {
    const { conversation: c } = await ctx.core.conversations.start(caller, 'acme', 'default', nameId, {});
    return { ref: { customerId: 'acme', profileId: 'default', nameId }, id: c.id };
  }

  async function seqs(conversationId: string): Promise<number[]> {
    const rows = await ctx.database.db.query<{ seq: number }>(
      `SELECT seq FROM messages WHERE customer_id = 'acme' AND conversation_id = $1 ORDER BY seq`, [conversationId]);
    return rows.map((r) => r.seq);
  }

  it('writes 60 concurrent appends to three conversations in fewer statements, each request with its own gapless seqs', async () => {
    const db = counting(ctx.database.db);
    const batcher = new AppendBatcher(db, 1);
    const conversations = await Promise.all(['group-a', 'group-b', 'group-c'].map(conversation));
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => {
      const target = conversations[i % 3];
      return batcher.append({ ref: target.ref, actor, messages: [message(`${i}-1`), message(`${i}-2`)] });
    }));
    assert.ok(db.statements < 60, `60 appends took ${db.statements} statements`);
    results.forEach((appended, i) => {
      assert.deepEqual(appended.map((m) => m.text), [`${i}-1`, `${i}-2`]);
      assert.equal(appended[1].seq, appended[0].seq + 1, 'a request\'s messages stay contiguous');
      assert.equal(appended[0].conversationId, conversations[i % 3].id);
    });
    for (const c of conversations) assert.deepEqual(await seqs(c.id), Array.from({ length: 40 }, (_, i) => i));
    // Requests to one conversation get their seqs in the order they arrived.
    const firstSeqs = results.filter((_, i) => i % 3 === 0).map((appended) => appended[0].seq);
    assert.deepEqual(firstSeqs, [...firstSeqs].sort((a, b) => a - b));
  });

  it('refuses only the requests for a closed or absent conversation; their neighbours in the group are written', async () => {
    const open = await conversation('group-open');
    const closed = await conversation('group-closed');
    await ctx.core.conversations.setState(caller, closed.ref, 'CLOSED');
    const ask = (ref: { customerId: string; profileId: string; nameId: string }, text: string) =>
      ctx.core.messages.append(caller, ref, [{ text, speaker: 'AGENT' }]).then((m) => m[0].text, (err: Error & { code?: string }) => err.code);
    const outcomes = await Promise.all([
      ask(open.ref, 'one'), ask(closed.ref, 'late'), ask(open.ref, 'two'),
      ask({ customerId: 'acme', profileId: 'default', nameId: 'group-absent' }, 'nowhere'), ask(open.ref, 'three'),
    ]);
    assert.deepEqual(outcomes, ['one', 'FAILED_PRECONDITION', 'two', 'NOT_FOUND', 'three']);
    assert.deepEqual(await seqs(open.id), [0, 1, 2]);
    assert.deepEqual(await seqs(closed.id), []);
  });

  it('retries each request alone when the database refuses the group statement, so one bad request fails only itself', async () => {
    const target = await conversation('group-refused');
    const batcher = new AppendBatcher(ctx.database.db, 1);
    // PostgreSQL's jsonb refuses U+0000; the API refuses it at validation, the store does not look.
    const outcomes = await Promise.allSettled([
      batcher.append({ ref: target.ref, actor, messages: [message('first')] }),
      batcher.append({ ref: target.ref, actor, messages: [message('second')] }),
      batcher.append({ ref: target.ref, actor, messages: [message('bad \u0000 text')] }),
      batcher.append({ ref: target.ref, actor, messages: [message('fourth')] }),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const texts = await ctx.database.db.query<{ text: string }>(
      `SELECT text FROM messages WHERE customer_id = 'acme' AND conversation_id = $1 ORDER BY seq`, [target.id]);
    assert.deepEqual(texts.map((t) => t.text).sort(), ['first', 'fourth', 'second']);
    assert.deepEqual(await seqs(target.id), [0, 1, 2]);
  });

  it('does not retry after a lost connection (the statement may have committed): every request in the group gets the error', async () => {
    const target = await conversation('group-lost');
    const db = counting(ctx.database.db);
    const batcher = new AppendBatcher(db, 1);
    const first = batcher.append({ ref: target.ref, actor, messages: [message('alone')] });
    db.failNext = new Error('Connection terminated unexpectedly');
    // The first statement is already sent; these two wait and go together in the second, which fails.
    const grouped = [batcher.append({ ref: target.ref, actor, messages: [message('a')] }), batcher.append({ ref: target.ref, actor, messages: [message('b')] })];
    await first.catch(() => undefined);
    const outcomes = await Promise.allSettled(grouped);
    assert.ok(outcomes.every((o) => o.status === 'rejected' && /Connection terminated/.test(String(o.reason))), JSON.stringify(outcomes));
    assert.equal(db.statements, 2);
  });
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../../helpers/db.ts';
import { useCore } from '../../helpers/core.ts';
import { createCore } from '../../../src/core/index.ts';
import type { Caller } from '../../../src/kernel/types.ts';

const caller: Caller = { customerId: 'acme', keyId: '000000000000000000000000', profileId: null, agentId: null, scopes: ['*'] };
const turn = (text: string) => ({ text, speaker: 'VISITOR' as const, metadata: { role: 'user' } });
const texts = (answer: { messages: readonly { text: string }[] }) => answer.messages.map((m) => m.text);

/**
 * The ingest transcript cache (core/ingest/transcript-cache.ts): a second core on the same database
 * stands for a second process; every answer must hold what the database holds, whoever wrote it.
 */
forEachDriver('ingest transcripts kept between appends', (kind) => {
  const ctx = useCore(kind);
  const other = () => createCore(ctx.database.db);

  async function logged(): Promise<string> {
    const agent = await ctx.core.agents.create(caller, { name: 'a', instructions: 'x' });
    const created = await ctx.core.ingest.create(caller, { agentId: agent.id, messages: [turn('one')], metadata: {} });
    return created.conversation.id;
  }

  it('answers with the appends another process made since this one last wrote', async () => {
    const id = await logged();
    const second = other();
    assert.deepEqual(texts(await ctx.core.ingest.append(caller, id, { messages: [turn('two')] })), ['one', 'two']);
    assert.deepEqual(texts(await second.ingest.append(caller, id, { messages: [turn('three')] })), ['one', 'two', 'three']);
    assert.deepEqual(texts(await ctx.core.ingest.append(caller, id, { messages: [turn('four')] })), ['one', 'two', 'three', 'four']);
    assert.deepEqual(texts(await ctx.core.ingest.get(caller, id)), ['one', 'two', 'three', 'four']);
  });

  it('answers with a redaction or a deletion made through another surface after it kept the transcript', async () => {
    const id = await logged();
    const appended = await ctx.core.ingest.append(caller, id, { messages: [turn('my card is 4111')] });
    const [first, card] = appended.messages;
    const second = other();
    const ref = { customerId: 'acme', id };
    await second.messages.redact(caller, ref, card.id, { startIndex: 11, endIndex: 15 });
    assert.deepEqual(texts(await ctx.core.ingest.get(caller, id)), ['one', 'my card is ****']);
    await second.messages.delete(caller, ref, first.id);
    assert.deepEqual(texts(await ctx.core.ingest.append(caller, id, { messages: [turn('next')] })), ['my card is ****', 'next']);
  });

  it('keeps nothing of an append whose transaction rolled back', async () => {
    const id = await logged();
    const db = ctx.database.db;
    // A driver whose transactions run and then roll back, as if the commit had failed.
    const rollingBack = new Proxy(db, {
      get(target, property) {
        if (property === 'transaction') {
          return (fn: Parameters<typeof db.transaction>[0]) => target.transaction(async (tx) => {
            await fn(tx);
            throw new Error('rolled back after the append ran');
          });
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const first = createCore(rollingBack);
    assert.deepEqual(texts(await first.ingest.append(caller, id, { messages: [turn('two')] })), ['one', 'two']);
    // Its own transaction (an idempotency key): the append runs, then rolls back.
    await assert.rejects(first.ingest.append(caller, id, { messages: [turn('rolled back')] }, 'key-1'), /rolled back after/);
    // Another process moves the conversation by as many events as the rolled-back append did.
    await other().ingest.append(caller, id, { messages: [turn('three')] });
    assert.deepEqual(texts(await first.ingest.get(caller, id)), ['one', 'two', 'three']);
  });
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useCore } from '../helpers/core.ts';
import { newId } from '../../src/kernel/ids.ts';
import type { Caller } from '../../src/kernel/types.ts';
import { stores } from '../../src/store/index.ts';

const caller: Caller = { customerId: 'acme', keyId: '000000000000000000000000', profileId: null, agentId: null, scopes: ['*'] };
const actor = 'apiKeys/000000000000000000000000';

forEachDriver('store ingest transcript (one statement)', (kind) => {
  const ctx = useCore(kind);

  it('reads the same messages as the row-by-row read: every column, times cut to the millisecond, tombstones left out', async () => {
    const { conversation: c } = await ctx.core.conversations.start(caller, 'acme', 'default', 'transcript', {});
    const ref = { customerId: 'acme', id: c.id };
    const s = stores(ctx.database.db);
    await s.messages.appendMessages(ref, actor, [
      { id: newId(), text: 'hello é', speaker: 'VISITOR', state: 'FINAL', metadata: { role: 'user', tokens: 3 } },
      { id: newId(), text: 'gone', speaker: 'AGENT', state: 'FINAL', audioStartOffset: 1.25, audioEndOffset: 2.5 },
      { id: newId(), text: 'bye', speaker: 'AGENT', state: 'PARTIAL', transcriptionInfo: { confidence: 0.5 }, language: 'en' },
    ]);
    // Microseconds the driver's own parsing cuts, and a tombstone.
    await ctx.database.db.query(
      `UPDATE messages SET create_time = '2024-05-06T07:08:09.123987Z', state = CASE WHEN text = 'gone' THEN 'DELETED' ELSE state END
        WHERE customer_id = 'acme' AND conversation_id = $1`, [c.id]);
    const rows = await s.messages.listMessages(ref, { limit: 10 });
    const read = await s.ingest.getIngestTranscript(ref, 10);
    assert.ok(read);
    assert.deepEqual(read.messages, rows.messages.filter((m) => m.state !== 'DELETED'));
    assert.equal(read.messages[0].createTime.toISOString(), '2024-05-06T07:08:09.123Z');
    assert.deepEqual(read.conversation, await s.conversations.getConversation(ref));
    assert.equal(read.nextMessageSeq, 3);
    // The limit counts the first messages by seq, tombstones included (then left out).
    assert.deepEqual((await s.ingest.getIngestTranscript(ref, 2))!.messages!.map((m) => m.text), ['hello é']);
    assert.equal(await s.ingest.getIngestTranscript({ customerId: 'acme', id: newId() }, 10), undefined);
  });

  it('creates a logged conversation in one statement with the rows and event order of the step-by-step path, and writes nothing without its agent', async () => {
    const s = stores(ctx.database.db);
    const agent = await ctx.core.agents.create(caller, { name: 'a', instructions: 'x' });
    const input = (agentId: string) => ({
      customerId: 'acme', profileId: 'default', id: newId(), agentId, agentProfileId: null, actor,
      conversation: { state: 'CLOSED' as const, startTime: new Date('2024-01-01T00:00:00Z'), endTime: new Date('2024-01-01T00:01:00Z'), closeReason: 'COMPLETED' as const, channel: 'CHAT' as const, source: 'LOG_INGEST' as const },
      details: { llmModel: 'm', companyName: 'co', metadata: { k: 1 }, openStatus: 'active' },
      messages: [{ id: newId(), text: 'a', speaker: 'VISITOR' as const, state: 'FINAL' as const }, { id: newId(), text: 'b', speaker: 'VIRTUAL_AGENT' as const, state: 'FINAL' as const }],
      eventsBefore: [{ type: 'CONVERSATION_START', payload: { source: 'LOG_INGEST', channel: 'CHAT' } }],
      eventsAfter: [{ type: 'CONVERSATION_END', payload: { from: 'ACTIVE', to: 'CLOSED', reason: 'completed' } }],
    });
    const missing = input(newId());
    assert.equal(await s.ingest.createIngestConversation(missing), undefined);
    assert.equal(await s.conversations.getConversation({ customerId: 'acme', id: missing.id }), undefined);

    const ok = input(agent.id);
    const created = await s.ingest.createIngestConversation(ok);
    assert.ok(created);
    const ref = { customerId: 'acme', id: ok.id };
    assert.deepEqual(created.conversation, await s.conversations.getConversation(ref));
    assert.equal(created.conversation.messageCount, 2);
    assert.deepEqual(created.messages, (await s.messages.listMessages(ref, { limit: 10 })).messages);
    const read = await s.ingest.getIngestTranscript(ref, 10);
    assert.deepEqual([read!.agentId, read!.llmModel, read!.companyName, read!.metadata, read!.nextMessageSeq], [agent.id, 'm', 'co', { k: 1 }, 2]);
    const events = await ctx.database.db.query<{ seq: number; type: string; associated: string; payload: object }>(
      `SELECT seq, type, associated_message AS associated, payload FROM events WHERE customer_id = 'acme' AND conversation_id = $1 ORDER BY gid`, [ok.id]);
    assert.deepEqual(events.map((e) => [e.seq, e.type]), [[0, 'CONVERSATION_START'], [1, 'MESSAGE_CREATE'], [2, 'MESSAGE_CREATE'], [3, 'CONVERSATION_END']]);
    assert.deepEqual(events[2].payload, { sequencePosition: 1, speaker: 'VIRTUAL_AGENT' });
    assert.equal(events[1].associated, ok.messages[0].id);
    const [counters] = await ctx.database.db.query<{ next: number; events: number }>(
      `SELECT next_message_seq AS next, next_event_seq AS events FROM conversations WHERE customer_id = 'acme' AND id = $1`, [ok.id]);
    assert.deepEqual(counters, { next: 2, events: 4 });
  });
});

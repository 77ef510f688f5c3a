import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { forEachDriver } from '../../helpers/db.ts';
import { useCore } from '../../helpers/core.ts';
import { applyChange } from '../../../src/core/conversations/conversations.ts';
import { transitionBetween } from '../../../src/core/conversations/lifecycle.ts';
import { webhookEventsFor } from '../../../src/core/webhooks/webhook-events.ts';
import { ParleyError } from '../../../src/kernel/errors.ts';
import type { Caller, ConversationState } from '../../../src/kernel/types.ts';
import { stores } from '../../../src/store/index.ts';

const caller: Caller = { customerId: 'acme', keyId: '000000000000000000000000', profileId: null, agentId: null, scopes: ['*'] };
const SRC = new URL('../../../src/', import.meta.url).pathname;

function refusedAs(code: string) {
  return (err: unknown) => err instanceof ParleyError && err.code === code;
}

it('the state machine: hold, unhold and close are allowed from their states; CLOSED is final; same state is a no-op', () => {
  const allowed: [ConversationState, ConversationState, string][] = [
    ['ACTIVE', 'ON_HOLD', 'hold'], ['ON_HOLD', 'ACTIVE', 'unhold'], ['ACTIVE', 'CLOSED', 'close'], ['ON_HOLD', 'CLOSED', 'close'],
  ];
  for (const [from, to, transition] of allowed) assert.equal(transitionBetween(from, to), transition, `${from} -> ${to}`);
  for (const state of ['ACTIVE', 'ON_HOLD', 'CLOSED'] as const) assert.equal(transitionBetween(state, state), null);
  for (const to of ['ACTIVE', 'ON_HOLD'] as const) assert.throws(() => transitionBetween('CLOSED', to), refusedAs('FAILED_PRECONDITION'));
});

it('nothing but the lifecycle writes the state columns (state, end_time, close_reason, mode)', async () => {
  const files: string[] = [];
  for (const entry of await readdir(SRC, { recursive: true })) if (entry.endsWith('.ts')) files.push(entry);
  const writers: string[] = [];
  for (const file of files) {
    const text = await readFile(join(SRC, file), 'utf8');
    // Changing a conversation row at all: only the lifecycle and applyChange (which refuses state fields).
    if (/\.(updateConversation|closeAgentConversations|deleteConversation)\(/.test(text)) writers.push(file);
    // SQL that sets a state column: only the conversations store, called by the lifecycle.
    const setLists = [...text.matchAll(/UPDATE conversations\b[^`]*?\bSET\b([^`]*?)(\bWHERE\b|\bFROM\b|\bRETURNING\b|`)/g)].map((m) => m[1]);
    if (setLists.some((set) => /(^|[\s,])(state|end_time|close_reason|mode)\s*=/.test(set))) writers.push(`${file} (SQL)`);
  }
  assert.deepEqual(writers.sort(), ['core/conversations/conversations.ts', 'core/conversations/lifecycle.ts', 'store/conversations.ts (SQL)']);
});

forEachDriver('conversation lifecycle', (kind) => {
  const ctx = useCore(kind);

  async function started(nameId: string) {
    return (await ctx.core.conversations.start(caller, 'acme', 'default', nameId, {})).conversation;
  }
  async function events(id: string) {
    return (await stores(ctx.database.db).events.listEvents('acme', id, { limit: 100 })).map((e) => ({ type: e.type, payload: e.payload }));
  }

  it('start writes ACTIVE, mode AI and CONVERSATION_START; each transition writes its event', async () => {
    const c = await started('walk');
    assert.equal(c.state, 'ACTIVE');
    assert.equal(c.mode, 'AI');
    assert.equal(c.closeReason, null);
    const ref = { customerId: 'acme', id: c.id };
    assert.equal((await ctx.core.conversations.setState(caller, ref, 'ON_HOLD')).state, 'ON_HOLD');
    assert.equal((await ctx.core.conversations.setState(caller, ref, 'ON_HOLD')).state, 'ON_HOLD', 'same state: no-op');
    assert.equal((await ctx.core.conversations.setState(caller, ref, 'ACTIVE')).state, 'ACTIVE');
    const closed = await ctx.core.conversations.setState(caller, ref, 'CLOSED');
    assert.equal(closed.state, 'CLOSED');
    assert.equal(closed.closeReason, 'COMPLETED');
    assert.ok(closed.endTime);
    await assert.rejects(ctx.core.conversations.setState(caller, ref, 'ACTIVE'), refusedAs('FAILED_PRECONDITION'));
    assert.deepEqual(await events(c.id), [
      { type: 'CONVERSATION_START', payload: { source: 'API', channel: 'CHANNEL_UNSPECIFIED' } },
      { type: 'CONVERSATION_HOLD', payload: { from: 'ACTIVE', to: 'ON_HOLD' } },
      { type: 'CONVERSATION_UNHOLD', payload: { from: 'ON_HOLD', to: 'ACTIVE' } },
      { type: 'CONVERSATION_END', payload: { from: 'ACTIVE', to: 'CLOSED' } },
    ]);
  });

  it('a handoff changes the mode with CONVERSATION_TRANSFER; the same mode is a no-op; a closed conversation refuses it', async () => {
    const c = await started('handoff');
    const ref = { customerId: 'acme', id: c.id };
    assert.equal((await ctx.core.conversations.setMode(caller, ref, 'MANUAL')).mode, 'MANUAL');
    assert.equal((await ctx.core.conversations.setMode(caller, ref, 'MANUAL')).mode, 'MANUAL');
    assert.equal((await ctx.core.conversations.setMode(caller, ref, 'AI')).mode, 'AI');
    await ctx.core.conversations.setState(caller, ref, 'CLOSED');
    await assert.rejects(ctx.core.conversations.setMode(caller, ref, 'MANUAL'), refusedAs('FAILED_PRECONDITION'));
    const log = await events(c.id);
    assert.deepEqual(log.filter((e) => e.type === 'CONVERSATION_TRANSFER'), [
      { type: 'CONVERSATION_TRANSFER', payload: { from: 'AI', to: 'MANUAL' } },
      { type: 'CONVERSATION_TRANSFER', payload: { from: 'MANUAL', to: 'AI' } },
    ]);
    // Webhooks name the field a handoff changes.
    const conversation = await ctx.core.conversations.get(ref);
    const handoff = (await stores(ctx.database.db).events.listEvents('acme', c.id, { types: ['CONVERSATION_TRANSFER'], limit: 1 }));
    assert.deepEqual(webhookEventsFor(conversation, handoff).map((e) => e.data.changedFields), [['mode']]);
  });

  it('applyChange refuses the state columns: they change only through the lifecycle', async () => {
    const c = await started('guarded');
    for (const changes of [{ state: 'CLOSED' as const }, { endTime: new Date() }, { closeReason: 'ABANDONED' as const }, { mode: 'MANUAL' as const }]) {
      await assert.rejects(
        ctx.database.db.transaction((tx) => applyChange(stores(tx), caller, c, changes, [])),
        /changes only through core\/conversations\/lifecycle.ts/,
      );
    }
    assert.equal((await ctx.core.conversations.get({ customerId: 'acme', id: c.id })).state, 'ACTIVE');
  });

  it('closeAgentOtherConversations closes through the lifecycle: COMPLETED, with CONVERSATION_END', async () => {
    const first = (await ctx.core.conversations.start(caller, 'acme', 'default', 'agent-1', { agentUserName: 'ana' })).conversation;
    await ctx.core.conversations.start(caller, 'acme', 'default', 'agent-2', { agentUserName: 'ana' }, { source: 'API' }, { closeAgentOtherConversations: true });
    const closed = await ctx.core.conversations.get({ customerId: 'acme', id: first.id });
    assert.equal(closed.state, 'CLOSED');
    assert.equal(closed.closeReason, 'COMPLETED');
    assert.equal((await events(first.id)).at(-1)!.type, 'CONVERSATION_END');
  });

  it('delete appends CONVERSATION_DELETE (ids only) in its transaction; the rest of the log goes with the conversation', async () => {
    const c = await started('doomed');
    const ref = { customerId: 'acme', id: c.id };
    await ctx.core.conversations.setState(caller, ref, 'ON_HOLD');
    await ctx.core.conversations.delete(caller, ref);
    assert.deepEqual(await events(c.id), [{ type: 'CONVERSATION_DELETE', payload: { profileId: 'default', nameId: 'doomed' } }]);
    await assert.rejects(ctx.core.conversations.get(ref), refusedAs('NOT_FOUND'));
    await assert.rejects(ctx.core.conversations.delete(caller, ref), refusedAs('NOT_FOUND'));
    assert.deepEqual(await events(c.id), [{ type: 'CONVERSATION_DELETE', payload: { profileId: 'default', nameId: 'doomed' } }], 'a second delete writes nothing');
  });
});

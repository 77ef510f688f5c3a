import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { useTestApp } from '../helpers/app.ts';
import { forEachDriver } from '../helpers/db.ts';
import { checkConversationState } from '../../src/core/conversations/custom-states.ts';
import { stores } from '../../src/store/index.ts';
import { wireId } from '../../src/api/support/ids.ts';
import { agentConversation, agentKey, assertRaiaBody, assertRaiaError, supportAgent, supportCall, type SupportCall } from './support-fixtures.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/;
const STATES = { path: '/external/conversations/states', method: 'get', status: 200 };
const STATE = { component: 'ExternalApiGetConversationStateResponseDTO' };

interface WireState {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  isPersistent: boolean;
  createdAt: string;
  updatedAt: string;
}

forEachDriver('support surface: conversation states', (kind) => {
  const ctx = useTestApp(kind);
  let call: SupportCall;
  let globex: SupportCall;
  let key: string;
  let agentId: string;

  /** The core tables' counts and every state row: what a refused request must leave as it was. */
  const snapshot = async () => ({
    counts: await ctx.snapshot(),
    states: await ctx.database.db.query('SELECT * FROM conversation_states ORDER BY customer_id, id'),
  });
  const create = async (body: object): Promise<WireState> => {
    const res = await call('POST', '/conversations/states', body);
    assert.equal(res.statusCode, 201, res.body);
    await assertRaiaBody(res.json(), STATE);
    return res.json();
  };

  before(async () => {
    agentId = await supportAgent(ctx);
    key = await agentKey(ctx, agentId);
    call = supportCall(ctx, key);
    globex = supportCall(ctx, await agentKey(ctx, await supportAgent(ctx, 'globex'), 'globex'));
  });

  it('lists none at first: an empty array, valid against raia\'s schema', async () => {
    const res = await call('GET', '/conversations/states');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), []);
    await assertRaiaBody(res.json(), STATES);
  });

  it('creates states (201): defaults, then all fields; lists them oldest first, each as raia renders one', async () => {
    const plain = await create({ name: 'Waiting for parts' });
    assert.match(plain.id, UUID);
    assert.deepEqual({ ...plain, id: undefined, createdAt: undefined, updatedAt: undefined }, {
      id: undefined, name: 'Waiting for parts', description: null, color: null, isPersistent: false, createdAt: undefined, updatedAt: undefined,
    });
    assert.equal(plain.createdAt, plain.updatedAt);
    const full = await create({ name: 'Escalated', description: 'A manager looks at it', color: '#FF8800', isPersistent: true });
    assert.deepEqual([full.description, full.color, full.isPersistent], ['A manager looks at it', '#FF8800', true]);

    const listed = await call('GET', '/conversations/states');
    assert.equal(listed.statusCode, 200, listed.body);
    await assertRaiaBody(listed.json(), STATES);
    assert.deepEqual(listed.json(), [plain, full]);
    // The states are the customer's: another customer's key sees none of them.
    assert.deepEqual((await globex('GET', '/conversations/states')).json(), []);
  });

  it('updates the fields given (200), by either id form; null clears; the rest stays', async () => {
    const state = await create({ name: 'Needs review', description: 'Check the answer', color: '#00aa00' });
    const recolored = await call('PUT', `/conversations/states/${state.id}`, { color: '#0000FF' });
    assert.equal(recolored.statusCode, 200, recolored.body);
    await assertRaiaBody(recolored.json(), STATE);
    assert.deepEqual({ ...recolored.json<WireState>(), updatedAt: undefined }, { ...state, color: '#0000FF', updatedAt: undefined });
    assert.ok(recolored.json().updatedAt >= state.updatedAt);

    const hexId = (await ctx.database.db.query<{ id: string }>('SELECT id FROM conversation_states WHERE name = $1', ['Needs review']))[0].id;
    assert.equal(wireId(hexId), state.id, 'the UUID holds the 24-hex id');
    const renamed = await call('PUT', `/conversations/states/${hexId}`, { name: 'Reviewed', description: null, isPersistent: true });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.deepEqual({ ...renamed.json<WireState>(), updatedAt: undefined }, {
      ...state, name: 'Reviewed', description: null, color: '#0000FF', isPersistent: true, updatedAt: undefined,
    });
    // Its own name again is no conflict.
    assert.equal((await call('PUT', `/conversations/states/${state.id}`, { name: 'Reviewed' })).statusCode, 200);
  });

  it('deletes (204): the conversations filed under it keep no state; a second delete is 404', async () => {
    const state = await create({ name: 'Short-lived' });
    const filed = await call('POST', '/conversations', { conversationUserId: 'rider-1', title: 'Flat tyre', conversationStateId: state.id });
    assert.equal(filed.statusCode, 201, filed.body);
    assert.equal(filed.json().conversationStateId, state.id);
    // One filed through the core as well (an agent's conversation), by SQL.
    const { conversationId } = await agentConversation(ctx, key, agentId);
    const stateId = (await ctx.database.db.query<{ id: string }>('SELECT id FROM conversation_states WHERE name = $1', ['Short-lived']))[0].id;
    await ctx.database.db.query('UPDATE conversations SET state_id = $1 WHERE customer_id = $2 AND id = $3', [stateId, 'acme', conversationId]);

    const res = await call('DELETE', `/conversations/states/${state.id}`);
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(res.body, '');
    const after = await call('GET', `/conversations/${filed.json().id}`);
    assert.equal(after.statusCode, 200, after.body);
    assert.equal(after.json().conversationStateId, undefined);
    const [conversation] = await ctx.database.db.query<{ state_id: string | null }>('SELECT state_id FROM conversations WHERE id = $1', [conversationId]);
    assert.equal(conversation.state_id, null);
    // A deleted state can no longer be filed under.
    await assertRaiaError(await call('POST', '/conversations', { conversationUserId: 'rider-1', conversationStateId: state.id }), 400);
    assert.ok(!(await call('GET', '/conversations/states')).json().some((s: { id: string }) => s.id === state.id));
    await assertRaiaError(await call('DELETE', `/conversations/states/${state.id}`), 404);
  });

  it('checkConversationState: passes for one of the customer\'s states, INVALID_ARGUMENT on conversationStateId otherwise', async () => {
    const state = await create({ name: 'Checked' });
    const [{ id }] = await ctx.database.db.query<{ id: string }>('SELECT id FROM conversation_states WHERE name = $1', ['Checked']);
    assert.equal(wireId(id), state.id);
    const s = stores(ctx.database.db);
    await checkConversationState(s, 'acme', id);
    for (const [customerId, stateId] of [['globex', id], ['acme', '0123456789abcdef01234567']]) {
      await assert.rejects(checkConversationState(s, customerId, stateId), (err: { code: string; details: { fieldViolations: { field: string }[] } }) => {
        assert.equal(err.code, 'INVALID_ARGUMENT');
        assert.deepEqual(err.details.fieldViolations.map((v) => v.field), ['conversationStateId']);
        return true;
      });
    }
  });

  it('refuses bad input in raia\'s error body, and nothing changes', async () => {
    const existing = await create({ name: 'Taken' });
    const other = await create({ name: 'Other' });
    const before = await snapshot();
    const cases: [string, 'POST' | 'PUT' | 'DELETE', string, object | undefined, number][] = [
      ['unknown field', 'POST', '/conversations/states', { name: 'New', colour: '#FFFFFF' }, 400],
      ['no name', 'POST', '/conversations/states', { color: '#FFFFFF' }, 400],
      ['empty name', 'POST', '/conversations/states', { name: '' }, 400],
      ['blank name', 'POST', '/conversations/states', { name: '   ' }, 400],
      ['name too long', 'POST', '/conversations/states', { name: 'x'.repeat(101) }, 400],
      ['description too long', 'POST', '/conversations/states', { name: 'New', description: 'x'.repeat(1001) }, 400],
      ['color without #', 'POST', '/conversations/states', { name: 'New', color: 'FF8800' }, 400],
      ['color short form', 'POST', '/conversations/states', { name: 'New', color: '#F80' }, 400],
      ['color by name', 'POST', '/conversations/states', { name: 'New', color: 'red' }, 400],
      ['isPersistent a string', 'POST', '/conversations/states', { name: 'New', isPersistent: 'yes' }, 400],
      ['duplicate name', 'POST', '/conversations/states', { name: 'Taken' }, 409],
      ['duplicate name, spaced', 'POST', '/conversations/states', { name: ' Taken ' }, 409],
      ['rename to a taken name', 'PUT', `/conversations/states/${other.id}`, { name: 'Taken' }, 409],
      ['nothing to change', 'PUT', `/conversations/states/${existing.id}`, {}, 400],
      ['update: unknown field', 'PUT', `/conversations/states/${existing.id}`, { name: 'New', extra: 1 }, 400],
      ['update: bad color', 'PUT', `/conversations/states/${existing.id}`, { color: '#GGGGGG' }, 400],
      ['update: unknown state', 'PUT', '/conversations/states/0123456789abcdef01234567', { name: 'New' }, 404],
      ['update: not an id', 'PUT', '/conversations/states/not-an-id', { name: 'New' }, 404],
      ['delete: unknown state', 'DELETE', `/conversations/states/${wireId('0123456789abcdef01234567')}`, undefined, 404],
      ['delete: not an id', 'DELETE', '/conversations/states/123', undefined, 404],
    ];
    for (const [label, method, path, body, status] of cases) {
      const error = await assertRaiaError(await call(method, path, body), status, label);
      if (status === 409) assert.equal(error.name, 'CONFLICT_ERROR', label);
    }
    // Another customer's state is not there for this key.
    await assertRaiaError(await globex('PUT', `/conversations/states/${existing.id}`, { name: 'Mine now' }), 404);
    await assertRaiaError(await globex('DELETE', `/conversations/states/${existing.id}`), 404);
    assert.deepEqual(await snapshot(), before);
  });

  it('names the bad field in the details', async () => {
    const error = await assertRaiaError(await call('POST', '/conversations/states', { name: 'New', color: 'red' }), 400);
    assert.deepEqual(error.details.map((d) => d.field), ['color']);
    const dup = await assertRaiaError(await call('POST', '/conversations/states', { name: 'Taken' }), 409);
    assert.deepEqual(dup.details.map((d) => d.field), ['name']);
  });

  it('two creates of one name at once: one 201, one 409', async () => {
    const results = await Promise.all([1, 2].map(() => call('POST', '/conversations/states', { name: 'Raced' })));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 409]);
    const rows = await ctx.database.db.query('SELECT 1 FROM conversation_states WHERE customer_id = $1 AND name = $2', ['acme', 'Raced']);
    assert.equal(rows.length, 1);
  });

  it('GET /conversations/states is the list, not the conversation route with id "states"', async () => {
    const res = await call('GET', '/conversations/states');
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(Array.isArray(res.json()));
    // While a conversation id beside it reaches the conversation route (404: no such conversation).
    await assertRaiaError(await call('GET', `/conversations/${wireId('0123456789abcdef01234567')}`), 404);
  });

  it('refuses a missing key, or one not narrowed to an agent, with 403', async () => {
    const before = await snapshot();
    await assertRaiaError(await ctx.app.inject({ method: 'GET', url: '/external/conversations/states' }), 403);
    await assertRaiaError(await supportCall(ctx, ctx.a.key)('POST', '/conversations/states', { name: 'Sneaky' }), 403);
    assert.deepEqual(await snapshot(), before);
  });

  it('documents the operations in the surface\'s OpenAPI document', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/openapi/support.json' });
    assert.equal(res.statusCode, 200);
    const paths = res.json().paths as Record<string, Record<string, { operationId?: string; summary?: string; tags?: string[] }>>;
    const ops = Object.fromEntries(Object.entries({
      get: paths['/external/conversations/states']?.get, post: paths['/external/conversations/states']?.post,
      put: paths['/external/conversations/states/{stateId}']?.put, delete: paths['/external/conversations/states/{stateId}']?.delete,
    }).map(([method, op]) => [method, op?.operationId]));
    assert.deepEqual(ops, {
      get: 'ExternalApiConversationsController_getConversationStates', post: 'ExternalApiConversationStatesController_createConversationState',
      put: 'ExternalApiConversationStatesController_updateConversationState', delete: 'ExternalApiConversationStatesController_deleteConversationState',
    });
    for (const op of [paths['/external/conversations/states'].post, paths['/external/conversations/states/{stateId}'].put]) {
      assert.ok(op.summary && op.tags?.length);
    }
  });
});

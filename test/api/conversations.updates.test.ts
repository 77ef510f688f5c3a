import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ParleyError } from '../../src/kernel/errors.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp, type TestContext } from '../helpers/app.ts';

forEachDriver('conversation custom methods (close, updateState, update*)', (kind) => {
  const ctx = useTestApp(kind);

  async function start(ctxt: TestContext, profile = 'default', body: object = {}): Promise<string> {
    const res = await ctxt.app.inject({ method: 'POST', url: `/v1/customers/acme/profiles/${profile}/conversations:start`, headers: ctxt.a.auth, payload: body });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().name;
  }

  const call = (name: string, verb: string, payload: unknown) =>
    ctx.app.inject({ method: 'POST', url: `/v1/${name}:${verb}`, headers: ctx.a.auth, payload: payload as object });

  const get = async (name: string) => {
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/${name}`, headers: ctx.a.auth });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().conversation;
  };

  /** The conversation's event log, straight from the table: each mutation must have appended its row. */
  async function events(name: string): Promise<{ type: string; payload: Record<string, unknown> }[]> {
    const nameId = name.split('/').pop();
    return ctx.database.db.query(
      `SELECT e.type, e.payload FROM events e JOIN conversations c ON c.customer_id = e.customer_id AND c.id = e.conversation_id
       WHERE c.customer_id = 'acme' AND c.name_id = $1 ORDER BY e.seq`,
      [nameId],
    );
  }

  /** Sends a request that must be refused with `status`/`code` and must write nothing. */
  async function refused(name: string, verb: string, payload: unknown, status: number, code: number): Promise<{ message: string }> {
    const before = await ctx.snapshot();
    const res = await call(name, verb, payload);
    assert.equal(res.statusCode, status, `${verb} ${JSON.stringify(payload)}: ${res.body}`);
    assert.equal(res.json().code, code);
    assert.deepEqual(await ctx.snapshot(), before, `${verb} ${JSON.stringify(payload)} wrote something`);
    return res.json();
  }

  it('close sets state CLOSED and endTime, appends CONVERSATION_END, and is idempotent', async () => {
    const name = await start(ctx);
    assert.equal((await get(name)).endTime, undefined);
    const res = await call(name, 'close', {});
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {});
    const closed = await get(name);
    assert.equal(closed.state, 'CLOSED');
    assert.ok(closed.endTime, 'endTime is set');
    assert.deepEqual((await events(name)).map((e) => e.type), ['CONVERSATION_START', 'CONVERSATION_END']);

    const before = await ctx.snapshot();
    const again = await call(name, 'close', {});
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(again.json(), {});
    assert.equal((await get(name)).endTime, closed.endTime, 'a second close keeps the first endTime');
    assert.deepEqual(await ctx.snapshot(), before, 'a second close appends no event');
  });

  it('a closed conversation refuses new messages with FAILED_PRECONDITION', async () => {
    const name = await start(ctx);
    assert.equal((await call(name, 'close', {})).statusCode, 200);
    const caller = await ctx.core.apiKeys.authenticate(ctx.a.key);
    const before = await ctx.snapshot();
    await assert.rejects(
      ctx.core.messages.append(caller, { customerId: 'acme', profileId: 'default', nameId: name.split('/').pop()! }, [{ text: 'x' }]),
      (err: unknown) => err instanceof ParleyError && err.code === 'FAILED_PRECONDITION',
    );
    assert.deepEqual(await ctx.snapshot(), before);
  });

  it('updateState moves ACTIVE → ON_HOLD → ACTIVE → CLOSED with one event each, and never reopens', async () => {
    const name = await start(ctx);
    for (const [state, event] of [['ON_HOLD', 'CONVERSATION_HOLD'], ['ACTIVE', 'CONVERSATION_UNHOLD'], ['CLOSED', 'CONVERSATION_END']]) {
      const res = await call(name, 'updateState', { state });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {});
      assert.equal((await get(name)).state, state);
      const last = (await events(name)).at(-1)!;
      assert.equal(last.type, event);
      assert.equal(last.payload.to, state);
    }
    assert.ok((await get(name)).endTime);
    await refused(name, 'updateState', { state: 'ACTIVE' }, 400, 9);
    await refused(name, 'updateState', { state: 'ON_HOLD' }, 400, 9);
    assert.equal((await get(name)).state, 'CLOSED');
  });

  it('updateState refuses STATE_UNSPECIFIED, unknown states, missing and extra fields', async () => {
    const name = await start(ctx);
    for (const payload of [{ state: 'STATE_UNSPECIFIED' }, { state: 'PAUSED' }, {}, { state: 'ON_HOLD', extra: 1 }]) {
      await refused(name, 'updateState', payload, 400, 3);
    }
    assert.equal((await get(name)).state, 'ACTIVE');
  });

  it('updateAudioPersistenceState stores uri, duration and analysis; PERSISTED needs a uri', async () => {
    const name = await start(ctx);
    const res = await call(name, 'updateAudioPersistenceState', {
      audioPersistenceState: 'PERSISTED',
      persistedAudioUri: 's3://bucket/call.wav',
      audioDuration: '12.5s',
      audioAnalysis: { bucketDuration: '0.5s', agentEnergy: [0.1, 0.2], visitorEnergy: [0.3] },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {});
    const conversation = await get(name);
    assert.equal(conversation.audioPersistenceState, 'PERSISTED');
    assert.equal(conversation.persistedAudioUri, 's3://bucket/call.wav');
    assert.equal(conversation.persistedAudioDuration, '12.5s');
    assert.deepEqual(conversation.audioAnalysis, { bucketDuration: '0.5s', agentEnergy: [0.1, 0.2], visitorEnergy: [0.3] });
    const last = (await events(name)).at(-1)!;
    assert.equal(last.type, 'CONVERSATION_UPDATE');
    assert.deepEqual(new Set(last.payload.fields as string[]), new Set(['audioPersistenceState', 'persistedAudioUri', 'audioAnalysis', 'persistedAudioDuration']));

    const other = await start(ctx);
    const violation = await refused(other, 'updateAudioPersistenceState', { audioPersistenceState: 'PERSISTED' }, 400, 3);
    assert.match(violation.message, /persistedAudioUri/);
    await refused(other, 'updateAudioPersistenceState', { audioPersistenceState: 'PERSISTED', persistedAudioUri: '' }, 400, 3);
    await refused(other, 'updateAudioPersistenceState', { audioPersistenceState: 'AUDIO_PERSISTENCE_STATE_UNSPECIFIED' }, 400, 3);
    await refused(other, 'updateAudioPersistenceState', { audioPersistenceState: 'PERSIST_FAILED', audioDuration: '12 seconds' }, 400, 3);
    await refused(other, 'updateAudioPersistenceState', { audioPersistenceState: 'PERSIST_FAILED', audioDuration: 12.5 }, 400, 3);
    await refused(other, 'updateAudioPersistenceState', { audioPersistenceState: 'PERSIST_FAILED', audioAnalysis: { agentEnergy: ['loud'] } }, 400, 3);
    assert.equal((await get(other)).audioPersistenceState, 'NOT_PERSISTED');

    const failed = await call(other, 'updateAudioPersistenceState', { audioPersistenceState: 'PERSIST_FAILED' });
    assert.equal(failed.statusCode, 200, failed.body);
    assert.equal((await get(other)).audioPersistenceState, 'PERSIST_FAILED');
  });

  it('updateDisplayName and updateSkill change only their field and append CONVERSATION_UPDATE', async () => {
    const name = await start(ctx, 'default', { displayName: 'before', skill: 'billing', team: 'blue' });
    const renamed = await call(name, 'updateDisplayName', { displayName: 'after' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.deepEqual(renamed.json(), {});
    let conversation = await get(name);
    assert.equal(conversation.displayName, 'after');
    assert.equal(conversation.skill, 'billing');
    assert.deepEqual((await events(name)).at(-1), { type: 'CONVERSATION_UPDATE', payload: { fields: ['displayName'] } });

    const skilled = await call(name, 'updateSkill', { skill: 'refunds' });
    assert.equal(skilled.statusCode, 200, skilled.body);
    assert.deepEqual(skilled.json(), {});
    conversation = await get(name);
    assert.equal(conversation.skill, 'refunds');
    assert.equal(conversation.displayName, 'after');
    assert.equal(conversation.team, 'blue');
    assert.deepEqual((await events(name)).at(-1), { type: 'CONVERSATION_UPDATE', payload: { fields: ['skill'] } });

    await refused(name, 'updateDisplayName', { displayName: 7 }, 400, 3);
    await refused(name, 'updateDisplayName', {}, 400, 3);
    await refused(name, 'updateDisplayName', { displayName: 'x', skill: 'y' }, 400, 3);
    await refused(name, 'updateSkill', { skill: null }, 400, 3);
    await refused(name, 'updateSkill', { skill: 'x'.repeat(1025) }, 400, 3);
    assert.equal((await get(name)).skill, 'refunds');
  });

  it('updateLanguageCode answers the effective code, falling back to the profile default', async () => {
    const name = await start(ctx, 'support');
    for (const [requested, effective] of [['fr-FR', 'en-US'], ['de-CH', 'de-CH'], ['de-ch', 'de-CH']]) {
      const res = await call(name, 'updateLanguageCode', { languageCode: requested });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { languageCode: effective }, requested);
      assert.equal((await get(name)).languageCode, effective);
      const last = (await events(name)).at(-1)!;
      assert.equal(last.type, 'CONVERSATION_UPDATE');
      assert.deepEqual(last.payload.fields, ['languageCode']);
    }
    // The default profile lists no languages, so any well-formed code is kept as sent.
    const plain = await start(ctx);
    const kept = await call(plain, 'updateLanguageCode', { languageCode: 'fr-FR' });
    assert.deepEqual(kept.json(), { languageCode: 'fr-FR' });

    for (const languageCode of ['not a language', 'en_US_', '']) {
      await refused(name, 'updateLanguageCode', { languageCode }, 400, 3);
    }
    await refused(name, 'updateLanguageCode', {}, 400, 3);
    assert.equal((await get(name)).languageCode, 'de-CH');
  });

  it('updateSharingState shares only OPERA_SYNTHETIC conversations', async () => {
    const api = await start(ctx);
    const violation = await refused(api, 'updateSharingState', { sharingState: 'SHARING_STATE_SHARED' }, 400, 9);
    assert.match(violation.message, /OPERA_SYNTHETIC/);
    assert.equal((await get(api)).sharingState, 'SHARING_STATE_UNSPECIFIED');
    await refused(api, 'updateSharingState', { sharingState: 'SHARED' }, 400, 3);

    const synthetic = await start(ctx, 'default', { source: 'OPERA_SYNTHETIC' });
    const res = await call(synthetic, 'updateSharingState', { sharingState: 'SHARING_STATE_SHARED' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {});
    assert.equal((await get(synthetic)).sharingState, 'SHARING_STATE_SHARED');
    assert.deepEqual((await events(synthetic)).at(-1), { type: 'CONVERSATION_UPDATE', payload: { fields: ['sharingState'] } });
  });

  it('every method answers 404 for a conversation that does not exist, writing nothing', async () => {
    const missing = 'customers/acme/profiles/default/conversations/no-such-conversation';
    const bodies: Record<string, unknown> = {
      close: {}, updateState: { state: 'ON_HOLD' }, updateAudioPersistenceState: { audioPersistenceState: 'NOT_PERSISTED' },
      updateDisplayName: { displayName: 'x' }, updateLanguageCode: { languageCode: 'en-US' },
      updateSharingState: { sharingState: 'SHARING_STATE_UNSPECIFIED' }, updateSkill: { skill: 'x' },
    };
    for (const [verb, body] of Object.entries(bodies)) await refused(missing, verb, body, 404, 5);
  });

  it('refuses a malformed conversation id in the path with INVALID_ARGUMENT', async () => {
    await refused('customers/acme/profiles/default/conversations/-bad', 'updateSkill', { skill: 'x' }, 400, 3);
  });
});

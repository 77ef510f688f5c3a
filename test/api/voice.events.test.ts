import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { PARTICIPANTS, PROFILE, conversationOfCall, eventTypes, processEvent, sessionEvent, voiceSnapshot } from './voice-helpers.ts';

const T = (s: number) => new Date(Date.UTC(2024, 5, 1, 12, 0, s)).toISOString();

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

forEachDriver('voice session events', (kind) => {
  const ctx = useTestApp(kind);
  const send = async (event: object, extra: object = {}) => {
    const res = await processEvent(ctx, { sessionEvent: event, ...extra });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {});
  };
  const callRow = async (platformCallId: string) =>
    (await ctx.database.db.query<{ state: string; events_processed: number }>(
      `SELECT state, events_processed FROM calls WHERE customer_id = 'acme' AND platform_call_id = $1`, [platformCallId]))[0];

  it('ends in the same state whatever order the events arrive in', async () => {
    const events = (call: string) => [
      sessionEvent('CALL_START', call, T(1), { participants: PARTICIPANTS }),
      sessionEvent('CALL_HOLD', call, T(2)),
      sessionEvent('CALL_UNHOLD', call, T(3)),
      sessionEvent('CALL_HOLD', call, T(4)),
    ];
    const orders = permutations([0, 1, 2, 3]);
    for (const [n, order] of orders.entries()) {
      const call = `perm-${n}`;
      for (const i of order) await send(events(call)[i]);
      const conversation = await conversationOfCall(ctx, call);
      assert.equal(conversation.state, 'ON_HOLD', `order ${order}`);
      assert.equal(conversation.startTime, T(1), `order ${order}`);
      assert.equal((await callRow(call)).events_processed, 4);
    }
  });

  it('applies a repeated event once: same sequenceId, or same content and platformTime', async () => {
    const call = 'dup-1';
    await send(sessionEvent('CALL_START', call, T(1), { participants: PARTICIPANTS }));
    await send(sessionEvent('CALL_HOLD', call, T(2)));
    const before = await voiceSnapshot(ctx);
    // Same content, fields in another order.
    await send({ platformTime: T(2), platformCallId: call, eventType: 'CALL_HOLD' });
    await send(sessionEvent('CALL_START', call, T(1), { participants: PARTICIPANTS }));
    assert.deepEqual(await voiceSnapshot(ctx), before);
    assert.equal((await callRow(call)).events_processed, 2);
    const conversation = await conversationOfCall(ctx, call);
    assert.deepEqual(await eventTypes(ctx, conversation.name), ['CONVERSATION_START', 'CONVERSATION_UPDATE', 'CONVERSATION_HOLD']);
  });

  it('ignores a late HOLD after the END, and a CALL_END before CALL_START creates and closes the conversation', async () => {
    const call = 'end-first';
    await send(sessionEvent('CALL_END', call, T(30)));
    let conversation = await conversationOfCall(ctx, call);
    assert.equal(conversation.state, 'CLOSED');
    assert.equal(conversation.channel, 'VOICE');
    assert.equal(conversation.audioPersistenceState, 'NOT_PERSISTED', 'no audio was streamed');
    await send(sessionEvent('CALL_START', call, T(1), { participants: PARTICIPANTS }));
    await send(sessionEvent('CALL_HOLD', call, T(10)));
    await send(sessionEvent('CALL_HOLD', call, T(40)));
    conversation = await conversationOfCall(ctx, call);
    assert.equal(conversation.state, 'CLOSED');
    assert.equal((await callRow(call)).state, 'ENDED');
    assert.equal((await callRow(call)).events_processed, 4);
    const types = await eventTypes(ctx, conversation.name);
    assert.deepEqual(types, ['CONVERSATION_START', 'CONVERSATION_END']);
    const jobs = await ctx.database.db.query(`SELECT 1 FROM jobs WHERE payload->>'conversationId' = $1`, [conversation.name.split('/').pop()]);
    assert.equal(jobs.length, 0, 'no recording, no transcription');
  });

  it('a late CALL_END lands before a HOLD that arrived earlier: the call is ended', async () => {
    const call = 'late-end';
    await send(sessionEvent('CALL_START', call, T(1)));
    await send(sessionEvent('CALL_HOLD', call, T(20)));
    await send(sessionEvent('CALL_END', call, T(10)));
    const conversation = await conversationOfCall(ctx, call);
    assert.equal(conversation.state, 'CLOSED');
    assert.equal(conversation.endTime, T(10));
  });

  it('closes the agent\'s other active calls with closeActiveCalls', async () => {
    await send(sessionEvent('CALL_START', 'agent-a', T(1), { participants: PARTICIPANTS }));
    await send(sessionEvent('CALL_START', 'agent-b', T(2), { participants: [{ role: 'AGENT', user: 'customers/acme/users/bob' }] }));
    await send(sessionEvent('CALL_START', 'agent-c', T(3), { participants: PARTICIPANTS, closeActiveCalls: true }));
    assert.equal((await conversationOfCall(ctx, 'agent-a')).state, 'CLOSED');
    assert.equal((await conversationOfCall(ctx, 'agent-b')).state, 'ACTIVE', 'another agent\'s call stays');
    assert.equal((await conversationOfCall(ctx, 'agent-c')).state, 'ACTIVE');
  });

  it('links a transferred leg to its master call (transferInfo) and records CALL_TRANSFER', async () => {
    await send(sessionEvent('CALL_START', 'master-1', T(1), { participants: PARTICIPANTS }));
    await send(sessionEvent('CALL_TRANSFER', 'master-1', T(5), { participants: [{ role: 'AGENT', user: 'customers/acme/users/carol' }] }));
    await send(sessionEvent('CALL_START', 'leg-1', T(6), { platformMasterCallId: 'master-1', participants: [{ role: 'AGENT', user: 'customers/acme/users/carol' }] }));
    const master = await conversationOfCall(ctx, 'master-1');
    const leg = await conversationOfCall(ctx, 'leg-1');
    assert.deepEqual(leg.transferInfo, { masterConversation: master.name, previousConversation: master.name, transferTime: T(6) });
    assert.ok((await eventTypes(ctx, master.name)).includes('CONVERSATION_TRANSFER'));
    assert.deepEqual(master.participants.map((p) => p.user), ['customers/acme/users/alice', '', 'customers/acme/users/carol']);
    await send(sessionEvent('PARTICIPANT_LEAVE', 'master-1', T(7), { participants: [{ role: 'AGENT', user: 'customers/acme/users/alice' }] }));
    const left = (await conversationOfCall(ctx, 'master-1')).participants[0];
    assert.equal(left.leaveTime, T(7));
  });

  it('refuses bad events with a google.rpc error and writes nothing', async () => {
    const before = await voiceSnapshot(ctx);
    for (const body of [
      { sessionEvent: { eventType: 'CALL_START' } },
      { sessionEvent: { eventType: 'EVENT_TYPE_UNSPECIFIED', platformCallId: 'x' } },
      { sessionEvent: { eventType: 'CALL_BOGUS', platformCallId: 'x' } },
      { sessionEvent: { eventType: 'CALL_START', platformCallId: 'x', platformTime: 'noon' } },
      { sessionEvent: { eventType: 'CALL_START', platformCallId: 'x' }, extra: 1 },
      { sessionEvent: { eventType: 'CALL_START', platformCallId: 'x' }, audioStreamingMode: 'LOUD' },
    ]) {
      const res = await processEvent(ctx, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(res.json().code, 3);
    }
    const foreign = await processEvent(ctx, { sessionEvent: sessionEvent('CALL_START', 'x') }, ctx.b.auth);
    assert.equal(foreign.statusCode, 404, 'another tenant\'s profile');
    const narrowed = await processEvent(ctx, { sessionEvent: sessionEvent('CALL_START', 'x') }, ctx.aSupport.auth);
    assert.equal(narrowed.statusCode, 404, 'a key narrowed to another profile');
    const unauthenticated = await ctx.app.inject({ method: 'POST', url: `/v1/voicecallsession/${PROFILE}/sessionEvent:process`, payload: {} });
    assert.equal(unauthenticated.statusCode, 401);
    assert.deepEqual(await voiceSnapshot(ctx), before);
  });

  it('serves a recording only to its tenant, with Range support', async () => {
    const call = 'range-1';
    await send(sessionEvent('CALL_START', call, T(1)));
    const conversation = await conversationOfCall(ctx, call);
    const url = `/v1/${conversation.name}/audio`;
    const missing = await ctx.app.inject({ method: 'GET', url, headers: ctx.a.auth });
    assert.equal(missing.statusCode, 404, 'no recording yet');
    // A call's audio comes from the core here; the streams suite covers it over the wire.
    const status = await ctx.core.calls.open({ customerId: 'acme', keyId: 'k', profileId: null, agentId: null, scopes: ['*'] }, { customerId: 'acme', profileId: 'default' }, call);
    const stream = await ctx.core.calls.openAudio({ customerId: 'acme', keyId: 'k', profileId: null, agentId: null, scopes: ['*'] }, status, { encoding: 'LINEAR_16', sampleRateHertz: 8000, channelType: 'MIXED' });
    await stream.write(undefined, Buffer.alloc(1600, 1));
    await stream.close();
    await send(sessionEvent('CALL_END', call, T(9)));
    const full = await ctx.app.inject({ method: 'GET', url, headers: ctx.a.auth });
    assert.equal(full.statusCode, 200);
    assert.equal(full.headers['accept-ranges'], 'bytes');
    assert.equal(full.rawPayload.length, 44 + 1600);
    const part = await ctx.app.inject({ method: 'GET', url, headers: { ...ctx.a.auth, range: 'bytes=40-47' } });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], `bytes 40-47/${44 + 1600}`);
    assert.deepEqual(part.rawPayload, full.rawPayload.subarray(40, 48));
    const suffix = await ctx.app.inject({ method: 'GET', url, headers: { ...ctx.a.auth, range: 'bytes=-4' } });
    assert.equal(suffix.statusCode, 206);
    assert.deepEqual(suffix.rawPayload, full.rawPayload.subarray(-4));
    const beyond = await ctx.app.inject({ method: 'GET', url, headers: { ...ctx.a.auth, range: 'bytes=5000-' } });
    assert.equal(beyond.statusCode, 416);
    assert.equal(beyond.headers['content-range'], `bytes */${44 + 1600}`);
    const foreign = await ctx.app.inject({ method: 'GET', url, headers: ctx.b.auth });
    assert.equal(foreign.statusCode, 404);
  });
});

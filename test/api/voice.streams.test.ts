import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { decodeWav } from '../../src/audio/wav.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import {
  PARTICIPANTS, PROFILE, conversationOfCall, eventTypes, listen, ndjsonStream, processEvent, sessionEvent, toneFrames,
  voiceSnapshot, webSocketStream, type ClientStream, type StreamItem,
} from './voice-helpers.ts';

const EVENTS = '/v1/voicecallsession/streamCallSession';
const AUDIO = '/v1/voicecallsession/streamCallSessionAudio';

function assertStatus(item: StreamItem, state: string, sequenceId?: string) {
  assert.ok(item.result, JSON.stringify(item));
  assert.equal(item.result.sessionStatus.state, state, JSON.stringify(item));
  if (sequenceId) assert.equal(item.result.sequenceId, sequenceId);
  assert.match(item.result.conversationName, /^customers\/acme\/profiles\/default\/conversations\/[a-f0-9]{24}$/);
}

async function downloadWav(ctx: ReturnType<typeof useTestApp>, name: string) {
  const res = await ctx.app.inject({ method: 'GET', url: `/v1/${name}/audio`, headers: ctx.a.auth });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['content-type'], 'audio/wav');
  return decodeWav(res.rawPayload);
}

forEachDriver('voice streams', (kind) => {
  const ctx = useTestApp(kind);
  let address: string;
  const headers = () => ({ authorization: ctx.a.auth.authorization });
  before(async () => {
    address = await listen(ctx.app);
  });

  it('runs a scripted call over NDJSON: start, audio from both sides, hold, unhold, end', async () => {
    const events = await ndjsonStream(address, EVENTS, headers());
    const audio = await ndjsonStream(address, AUDIO, headers());
    const call = 'nd-call-1';
    const config = { profile: PROFILE, platformCallId: call };
    let item = await events.call({ streamingConfig: config, sessionEvent: sessionEvent('CALL_START', call, '2024-05-01T10:00:00Z', { participants: PARTICIPANTS }), sequenceId: 'e1' });
    assertStatus(item, 'ACTIVE', 'e1');
    assert.equal(item.result.sessionStatus.eventsProcessed, 1);
    assert.equal(item.result.sessionStatus.lastEventType, 'CALL_START');
    const name = item.result.conversationName;

    item = await audio.call({
      streamingConfig: { ...config, channelType: 'SEPARATE', audioMetadata: { encoding: 'AUDIO_ENCODING_MULAW', sampleRateHertz: 8000 } },
      sequenceId: 'a0',
    });
    assertStatus(item, 'ACTIVE', 'a0');
    assert.deepEqual(item.result.sessionStatus.audioSecondsReceived, { AGENT: 0, VISITOR: 0 });
    const agent = toneFrames(50, { amplitude: 12000 });
    const visitor = toneFrames(50, { amplitude: 3000 });
    for (let i = 0; i < 50; i++) {
      // Each frame is acknowledged before the next is sent: the line arrives while the body is still open.
      item = await audio.call({ audioContent: { audioContent: agent[i].toString('base64'), participant: { role: 'AGENT' } }, sequenceId: `a${2 * i + 1}` });
      assertStatus(item, 'ACTIVE', `a${2 * i + 1}`);
      item = await audio.call({ audioContent: { audioContent: visitor[i].toString('base64'), participant: { role: 'VISITOR' } }, sequenceId: `a${2 * i + 2}` });
    }
    assert.deepEqual(item.result.sessionStatus.audioSecondsReceived, { AGENT: 1, VISITOR: 1 });

    assertStatus(await events.call({ sessionEvent: sessionEvent('CALL_HOLD', call, '2024-05-01T10:00:05Z'), sequenceId: 'e2' }), 'ON_HOLD', 'e2');
    // The audio stream sees the hold made on the other stream.
    item = await audio.call({ audioContent: { audioContent: agent[0].toString('base64'), participant: { role: 'AGENT' } }, sequenceId: 'a-held' });
    assertStatus(item, 'ON_HOLD', 'a-held');
    assertStatus(await events.call({ sessionEvent: sessionEvent('CALL_UNHOLD', call, '2024-05-01T10:00:08Z'), sequenceId: 'e3' }), 'ACTIVE', 'e3');
    item = await events.call({ sessionEvent: sessionEvent('CALL_END', call, '2024-05-01T10:01:00Z'), sequenceId: 'e4' });
    assertStatus(item, 'ENDED', 'e4');
    assert.equal(item.result.sessionStatus.eventsProcessed, 4);
    assert.deepEqual(item.result.sessionStatus.audioSecondsReceived, { AGENT: 1.02, VISITOR: 1 });

    // Audio after the end is refused on the still-open audio stream, which goes on.
    item = await audio.call({ audioContent: { audioContent: agent[0].toString('base64'), participant: { role: 'AGENT' } }, sequenceId: 'late' });
    assert.equal(item.error.code, 9, JSON.stringify(item));
    await audio.end();
    await events.end();

    const conversation = await conversationOfCall(ctx, call);
    assert.equal(conversation.name, name);
    assert.equal(conversation.state, 'CLOSED');
    assert.equal(conversation.channel, 'VOICE');
    assert.equal(conversation.source, 'VOICE_CALL_SESSION');
    assert.equal(conversation.startTime, '2024-05-01T10:00:00.000Z');
    assert.equal(conversation.endTime, '2024-05-01T10:01:00.000Z');
    assert.equal(conversation.agent, 'customers/acme/users/alice');
    assert.deepEqual(conversation.visitor, { externalUserId: '+15550100' });
    assert.equal(conversation.audioPersistenceState, 'PERSISTED');
    assert.equal(conversation.persistedAudioDuration, '1.02s');
    assert.ok(conversation.persistedAudioUri);
    assert.equal(conversation.audioAnalysis.bucketDuration, '0.1s');
    assert.equal(conversation.audioAnalysis.agentEnergy.length, 11);
    assert.equal(conversation.audioAnalysis.visitorEnergy.length, 11);
    assert.ok(conversation.audioAnalysis.agentEnergy[0] > 3 * conversation.audioAnalysis.visitorEnergy[0], 'the louder side is the agent');
    assert.deepEqual(conversation.participants.map((p) => [p.role, p.leaveTime]), [
      ['AGENT', '2024-05-01T10:01:00.000Z'], ['VISITOR', '2024-05-01T10:01:00.000Z'],
    ]);
    assert.deepEqual(await eventTypes(ctx, name), [
      'CONVERSATION_START', 'CONVERSATION_UPDATE', 'CONVERSATION_HOLD', 'CONVERSATION_UNHOLD', 'CONVERSATION_UPDATE', 'CONVERSATION_END',
    ]);

    const wav = await downloadWav(ctx, name);
    assert.equal(wav.sampleRateHertz, 8000);
    assert.equal(wav.channels.length, 2);
    assert.equal(wav.channels[0].length, 8160);

    const jobs = await ctx.database.db.query<{ payload: Record<string, unknown>; ordering_key: string }>(
      `SELECT payload, ordering_key FROM jobs WHERE queue = 'transcription' AND payload->>'conversationId' = $1`, [name.split('/').pop()]);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].ordering_key, `conversation:${name.split('/').pop()}`);
    assert.deepEqual(jobs[0].payload.channels, [{ index: 0, role: 'AGENT' }, { index: 1, role: 'VISITOR' }]);
    assert.equal(jobs[0].payload.sampleRateHertz, 8000);
  });

  it('runs a call over WebSocket: events and STEREO A-law audio as binary frames on one socket', async () => {
    const socket = await webSocketStream(address, EVENTS, headers());
    const call = 'ws-call-1';
    let item = await socket.call({
      streamingConfig: { profile: PROFILE, platformCallId: call, channelType: 'STEREO', audioMetadata: { encoding: 'AUDIO_ENCODING_ALAW', sampleRateHertz: 16000 } },
      sessionEvent: sessionEvent('CALL_START', call, '2024-05-02T09:00:00Z', { participants: PARTICIPANTS }),
      sequenceId: '1',
    });
    assertStatus(item, 'ACTIVE', '1');
    const name = item.result.conversationName;
    for (const frame of toneFrames(25, { rate: 16000, encoding: 'ALAW', stereo: true })) {
      socket.sendBinary!(frame);
      item = await socket.next();
      assertStatus(item, 'ACTIVE');
    }
    assert.deepEqual(item.result.sessionStatus.audioSecondsReceived, { AGENT: 0.5, VISITOR: 0.5 });
    // A torn stereo frame (an odd number of samples) is refused and nothing of it is kept.
    socket.sendBinary!(Buffer.alloc(3));
    assert.equal((await socket.next()).error.code, 3);
    assertStatus(await socket.call({ sessionEvent: sessionEvent('CALL_HOLD', call, '2024-05-02T09:00:01Z'), sequenceId: '2' }), 'ON_HOLD', '2');
    assertStatus(await socket.call({ sessionEvent: sessionEvent('CALL_UNHOLD', call, '2024-05-02T09:00:02Z'), sequenceId: '3' }), 'ACTIVE', '3');
    item = await socket.call({ sessionEvent: sessionEvent('CALL_END', call, '2024-05-02T09:00:03Z'), sequenceId: '4' });
    assertStatus(item, 'ENDED', '4');
    await socket.end();

    const conversation = await conversationOfCall(ctx, call);
    assert.equal(conversation.state, 'CLOSED');
    assert.equal(conversation.persistedAudioDuration, '0.5s');
    const wav = await downloadWav(ctx, name);
    assert.equal(wav.sampleRateHertz, 16000);
    assert.equal(wav.channels.length, 2);
    assert.equal(wav.channels[0].length, 8000);
    const rms = (c: Int16Array) => Math.sqrt(c.reduce((sum, s) => sum + s * s, 0) / c.length);
    assert.ok(rms(wav.channels[0]) > 3 * rms(wav.channels[1]), 'left (agent) is the louder channel');
  });

  it('answers a malformed message in the middle of a stream with an error item, changes nothing, and goes on', async () => {
    const stream = await ndjsonStream(address, EVENTS, headers());
    const call = 'nd-bad-1';
    assertStatus(await stream.call({ streamingConfig: { profile: PROFILE, platformCallId: call }, sessionEvent: sessionEvent('CALL_START', call, '2024-05-03T00:00:00Z') }), 'ACTIVE');
    const before = await voiceSnapshot(ctx);
    const bad: (object | string)[] = [
      'this is not json\n',
      '{"sessionEvent": {"eventType": "CALL_HOLD"},\n,}\n',
      { bogus: 1 },
      { sessionEvent: { eventType: 'CALL_PAUSE' } },
      { sessionEvent: { eventType: 'CALL_HOLD', platformTime: 'yesterday' } },
      { sessionEvent: { eventType: 'CALL_HOLD', platformCallId: 'another-call' } },
      { sessionEvent: { eventType: 'EVENT_TYPE_UNSPECIFIED' } },
      { streamingConfig: { profile: PROFILE, platformCallId: call } },
      { audioEvent: { eventType: 'AUDIO_PAUSE' } },
      { sessionEvent: sessionEvent('CALL_HOLD', call), audioContent: { audioContent: 'AAA=' } },
    ];
    for (const message of bad) {
      const item = await stream.call(message);
      assert.ok(item.error, `${JSON.stringify(message)} → ${JSON.stringify(item)}`);
      assert.equal(item.error.code, 3, JSON.stringify(item));
      assert.ok(item.error.message);
    }
    assert.deepEqual(await voiceSnapshot(ctx), before);
    const item = await stream.call({ sessionEvent: sessionEvent('CALL_HOLD', call, '2024-05-03T00:00:05Z'), sequenceId: 'ok' });
    assertStatus(item, 'ON_HOLD', 'ok');
    assert.equal(item.result.sessionStatus.eventsProcessed, 2);
    await stream.end();
  });

  it('requires streamingConfig first, a key, and the caller\'s own profile', async () => {
    const stream = await ndjsonStream(address, AUDIO, headers());
    const first = await stream.call({ audioContent: { audioContent: 'AAAA', participant: { role: 'AGENT' } } });
    assert.equal(first.error.code, 3);
    const foreign = await stream.call({ streamingConfig: { profile: 'customers/globex/profiles/default', platformCallId: 'x', audioMetadata: { encoding: 'AUDIO_ENCODING_MULAW', sampleRateHertz: 8000 } } });
    assert.equal(foreign.error.code, 5, 'another tenant\'s profile is NOT_FOUND');
    const badRate = await stream.call({ streamingConfig: { profile: PROFILE, platformCallId: 'x', audioMetadata: { encoding: 'AUDIO_ENCODING_MULAW', sampleRateHertz: 4000 } } });
    assert.equal(badRate.error.code, 3);
    assert.match(badRate.error.message, /sampleRateHertz/);
    await stream.end();
    const res = await fetch(`http://${address}${EVENTS}`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: '{}\n' });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).code, 16);
    await assert.rejects(webSocketStream(address, EVENTS, {}), /401/);
  });

  it('keeps what a client sent before it disconnected, and a later CALL_END completes the call from the spool', async () => {
    const call = 'nd-drop-1';
    const stream = await ndjsonStream(address, EVENTS, headers());
    const config = { profile: PROFILE, platformCallId: call, channelType: 'MIXED', audioMetadata: { encoding: 'AUDIO_ENCODING_LINEAR_16', sampleRateHertz: 8000 } };
    assertStatus(await stream.call({ streamingConfig: config, sessionEvent: sessionEvent('CALL_START', call, '2024-05-04T00:00:00Z', { participants: PARTICIPANTS }) }), 'ACTIVE');
    let item = {} as StreamItem;
    for (const frame of toneFrames(30, { encoding: 'LINEAR_16' })) {
      item = await stream.call({ audioContent: { audioContent: frame.toString('base64') } });
    }
    assert.deepEqual(item.result.sessionStatus.audioSecondsReceived, { ROLE_UNSPECIFIED: 0.6 });
    stream.abort();

    // Poll until the server has noticed the disconnect and saved the call's counters.
    const conversationId = item.result.conversationName.split('/').pop();
    for (let i = 0; i < 200; i++) {
      const rows = await ctx.database.db.query<{ s: Record<string, number> }>(`SELECT audio_seconds AS s FROM calls WHERE conversation_id = $1`, [conversationId]);
      if (rows[0].s.ROLE_UNSPECIFIED === 0.6) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    let conversation = await conversationOfCall(ctx, call);
    assert.equal(conversation.state, 'ACTIVE');
    assert.equal(conversation.audioPersistenceState, 'NOT_PERSISTED');

    const res = await processEvent(ctx, { sessionEvent: sessionEvent('CALL_END', call, '2024-05-04T00:05:00Z') });
    assert.equal(res.statusCode, 200, res.body);
    conversation = await conversationOfCall(ctx, call);
    assert.equal(conversation.state, 'CLOSED');
    assert.equal(conversation.audioPersistenceState, 'PERSISTED');
    assert.equal(conversation.persistedAudioDuration, '0.6s');
    const wav = await downloadWav(ctx, conversation.name);
    assert.equal(wav.channels.length, 1);
    assert.equal(wav.channels[0].length, 4800);
  });

  it('drops audio during AUDIO_PAUSE and writes the pause as silence at AUDIO_RESUME', async () => {
    const call = 'ws-pause-1';
    const socket: ClientStream = await webSocketStream(address, AUDIO, headers());
    const config = { profile: PROFILE, platformCallId: call, channelType: 'SEPARATE', audioMetadata: { encoding: 'AUDIO_ENCODING_MULAW', sampleRateHertz: 8000 } };
    assertStatus(await socket.call({ streamingConfig: config }), 'ACTIVE');
    const frames = toneFrames(10);
    // A text message names the participant; binary frames then carry that participant's audio.
    assertStatus(await socket.call({ audioContent: { participant: { role: 'VISITOR' } } }), 'ACTIVE');
    for (const frame of frames.slice(0, 5)) {
      socket.sendBinary!(frame);
      await socket.next();
    }
    await socket.call({ audioEvent: { eventType: 'AUDIO_PAUSE', pauseDuration: '0.5s' } });
    for (const frame of frames.slice(5)) {
      socket.sendBinary!(frame);
      assert.deepEqual((await socket.next()).result.sessionStatus.audioSecondsReceived, { AGENT: 0, VISITOR: 0.1 });
    }
    const resumed = await socket.call({ audioEvent: { eventType: 'AUDIO_RESUME' } });
    assert.deepEqual(resumed.result.sessionStatus.audioSecondsReceived, { AGENT: 0.5, VISITOR: 0.6 });
    const ended = await socket.call({ audioEvent: { eventType: 'AUDIO_END' } });
    assert.ok(ended.result);
    socket.sendBinary!(frames[0]);
    assert.equal((await socket.next()).error.code, 9, 'no audio after AUDIO_END');
    await socket.end();
    const res = await processEvent(ctx, { sessionEvent: sessionEvent('CALL_END', call) });
    assert.equal(res.statusCode, 200, res.body);
    const conversation = await conversationOfCall(ctx, call);
    assert.equal(conversation.persistedAudioDuration, '0.6s');
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { OpenAiTranscriber } from '../../src/providers/asr/openai-transcriber.ts';
import { buildApp, type App } from '../../src/api/http.ts';
import { FsBlobStore } from '../../src/providers/blobs/blob-store.ts';
import { encodeAudio } from '../../src/audio/codecs.ts';
import { createCore, type Core } from '../../src/core/index.ts';
import { startJobRunner } from '../../src/jobs/runner.ts';
import { startAsrDouble, tonesAt, type AsrDouble } from '../providers/asr/openai-asr-double.ts';
import { forEachDriver, freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { listen, ndjsonStream, PARTICIPANTS, PROFILE, sessionEvent } from './voice-helpers.ts';

/**
 * A voice call is an ordinary conversation for the rest of Parley: once it ends, its recording is
 * transcribed into messages, then (same ordering key) analysed, and both show up in its event log
 * and on the other surfaces. The recognizer is the one remote part: an OpenAI-compatible double.
 */
const log = pino({ level: 'silent' });
let asr: AsrDouble;
let blobRoot: string;
before(async () => {
  asr = await startAsrDouble('sk-voice');
  blobRoot = await mkdtemp(join(tmpdir(), 'parley-voice-lifecycle-'));
});
after(async () => {
  await asr.close();
  await rm(blobRoot, { recursive: true, force: true });
});

/** 20 ms µ-law frames of a channel that is loud during `bursts` ([start, end] seconds). */
function frames(seconds: number, bursts: [number, number][]): Buffer[] {
  const pcm = tonesAt(8000, seconds, bursts);
  const out: Buffer[] = [];
  for (let i = 0; i < pcm.length; i += 160) out.push(Buffer.from(encodeAudio(pcm.subarray(i, i + 160), 'MULAW')));
  return out;
}

forEachDriver('a voice call through transcription and analysis', (kind) => {
  let database: TestDatabase;
  let core: Core;
  let app: App;
  let key: string;
  before(async () => {
    database = await freshDatabase(kind);
    core = createCore(database.db, {
      keyCacheSeconds: 0,
      blobs: new FsBlobStore(join(blobRoot, kind)),
      callSpoolDir: join(blobRoot, `${kind}-spool`),
      transcriber: new OpenAiTranscriber({ baseUrl: asr.baseUrl, apiKey: 'sk-voice', model: 'whisper-1' }),
    });
    app = await buildApp({ core, logger: log });
    await core.tenancy.createCustomer('acme');
    key = (await core.apiKeys.create({ customerId: 'acme' })).secret;
  });
  after(async () => {
    await app?.close();
    await database?.drop();
  });

  it('transcribes the ended call into messages, then analyses it; the other surfaces see both', async () => {
    const headers = { authorization: `Bearer ${key}` };
    const address = await listen(app);
    const stream = await ndjsonStream(address, '/v1/voicecallsession/streamCallSession', headers);
    const call = 'lifecycle-1';
    const first = await stream.call({
      streamingConfig: { profile: PROFILE, platformCallId: call, channelType: 'SEPARATE', audioMetadata: { encoding: 'AUDIO_ENCODING_MULAW', sampleRateHertz: 8000 } },
      sessionEvent: sessionEvent('CALL_START', call, '2024-06-01T10:00:00Z', { participants: PARTICIPANTS }),
      sequenceId: '0',
    });
    assert.ok(first.result, JSON.stringify(first));
    const name = first.result.conversationName;
    // The agent speaks first (0.2–0.8 s), the visitor answers (1.2–1.8 s).
    const agent = frames(2, [[0.2, 0.8]]);
    const visitor = frames(2, [[1.2, 1.8]]);
    for (let i = 0; i < agent.length; i++) {
      for (const [role, frame] of [['AGENT', agent[i]], ['VISITOR', visitor[i]]] as const) {
        const item = await stream.call({ audioContent: { audioContent: frame.toString('base64'), participant: { role } } });
        assert.ok(item.result, JSON.stringify(item));
      }
    }
    const ended = await stream.call({ sessionEvent: sessionEvent('CALL_END', call, '2024-06-01T10:00:02Z'), sequenceId: '1' });
    assert.equal(ended.result.sessionStatus.state, 'ENDED');
    await stream.end();

    const runner = startJobRunner({ core, log });
    try {
      await runner.drain();
    } finally {
      await runner.stop();
    }

    const messages = await app.inject({ url: `/v1/${name}/conversationMessages`, headers });
    assert.equal(messages.statusCode, 200, messages.body);
    const transcript = messages.json().conversationMessages as { text: string; speaker: string; audioStartOffset: string }[];
    assert.deepEqual(transcript.map((m) => [m.speaker, m.text]), [['AGENT', 'tone 1'], ['VISITOR', 'tone 1']]);
    assert.ok(parseFloat(transcript[0].audioStartOffset) < parseFloat(transcript[1].audioStartOffset));

    const events = await app.inject({ url: `/v1/${name}/events?pageSize=1000`, headers });
    const types = (events.json().conversationEvents as { type: string }[]).map((e) => e.type);
    const lastMessage = types.lastIndexOf('MESSAGE_CREATE');
    const analysed = types.indexOf('ANALYSIS_COMPLETE');
    assert.ok(types.indexOf('CONVERSATION_END') < lastMessage, 'the transcript follows the end of the call');
    assert.ok(lastMessage < analysed, `the analysis ran after the transcript: ${types.join(', ')}`);

    // The ingest surface reads the same conversation and its insights.
    const id = name.split('/').pop();
    const insights = await app.inject({ url: `/api/v1/conversations/conv_${id}/insights`, headers });
    assert.equal(insights.statusCode, 200, insights.body);
    assert.equal(insights.json().conversationId, `conv_${id}`);
    assert.ok(['positive', 'neutral', 'negative'].includes(insights.json().sentiment));
  });
});

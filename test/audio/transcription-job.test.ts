import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pino from 'pino';
import { forEachDriver, freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { OpenAiTranscriber } from '../../src/providers/asr/openai-transcriber.ts';
import { FsBlobStore, callAudioKey } from '../../src/providers/blobs/blob-store.ts';
import { encodeWav } from '../../src/audio/wav.ts';
import { systemCaller } from '../../src/core/tenancy/access.ts';
import { ParleyError } from '../../src/kernel/errors.ts';
import { createCore, type Core } from '../../src/core/index.ts';
import { TRANSCRIPTION_STATUS_KEY } from '../../src/core/calls/transcripts.ts';
import { startJobRunner } from '../../src/jobs/runner.ts';
import { TRANSCRIPTION_QUEUE, transcriptionQueue } from '../../src/jobs/transcription.ts';
import { stores } from '../../src/store/index.ts';
import { startAsrDouble, tonesAt, type AsrDouble } from '../providers/asr/openai-asr-double.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const log = pino({ level: 'silent' });
const caller = systemCaller('acme');
/** The recognizer is the one remote part: an OpenAI-compatible server double on a local port. */
let asr: AsrDouble;
let blobRoot: string;
before(async () => {
  asr = await startAsrDouble('sk-test');
  blobRoot = await mkdtemp(join(tmpdir(), 'parley-transcription-test-'));
});
after(async () => {
  await asr.close();
  await rm(blobRoot, { recursive: true, force: true });
});

forEachDriver('transcription job', (kind) => {
  let database: TestDatabase;
  let core: Core;
  let bare: Core;
  const queues = { [TRANSCRIPTION_QUEUE]: { ...transcriptionQueue, retry: { baseMs: 60_000, maxMs: 60_000, maxAttempts: 3 } } };

  before(async () => {
    database = await freshDatabase(kind);
    const blobs = new FsBlobStore(join(blobRoot, kind));
    core = createCore(database.db, { blobs, transcriber: new OpenAiTranscriber({ baseUrl: asr.baseUrl, apiKey: 'sk-test', model: 'whisper-1' }) });
    bare = createCore(database.db, { blobs });
    await core.tenancy.createCustomer('acme');
  });
  after(async () => database?.drop());

  /** A finished call: a CLOSED voice conversation, its 2-channel WAV stored, the job enqueued as the voice core does. */
  async function finishedCall(name: string, options: { agent: [number, number][]; visitor: [number, number][]; state?: 'CLOSED' | 'ACTIVE'; channel?: 'VOICE' | 'CHAT' }) {
    const { conversation } = await core.conversations.start(caller, 'acme', 'default', name, { channel: options.channel ?? 'VOICE' } as never, { source: 'VOICE_CALL_SESSION' });
    const key = callAudioKey('acme', conversation.id);
    await core.calls.audio.blobs.put(key, encodeWav([tonesAt(8000, 6, options.agent), tonesAt(8000, 6, options.visitor)], 8000), 'audio/wav');
    if ((options.state ?? 'CLOSED') === 'CLOSED') await core.conversations.setState(caller, { customerId: 'acme', id: conversation.id }, 'CLOSED');
    await core.db.transaction((tx) => stores(tx).jobs.enqueueJobs([{
      queue: TRANSCRIPTION_QUEUE,
      customerId: 'acme',
      payload: { conversationId: conversation.id, audioKey: key, sampleRateHertz: 8000, channels: [{ index: 0, role: 'AGENT' }, { index: 1, role: 'VISITOR' }] },
      orderingKey: `conversation:${conversation.id}`,
    }]));
    return conversation;
  }

  async function run(c: Core): Promise<void> {
    const runner = startJobRunner({ core: c, log, queues, reactors: [] });
    await runner.drain();
    await runner.stop();
  }

  const messagesOf = async (id: string) => (await core.messages.list({ customerId: 'acme', id }, { pageSize: 100, descending: false })).messages;
  const metadataOf = async (id: string) => (await core.conversations.get({ customerId: 'acme', id })).metadata;

  it('appends each channel\'s utterances as messages of its role, ordered by start, with audio offsets', async () => {
    const conversation = await finishedCall('call-1', { agent: [[0.5, 1.5], [3, 4]], visitor: [[1.8, 2.6], [4.5, 5.5]] });
    await run(core);
    const messages = await messagesOf(conversation.id);
    assert.deepEqual(messages.map((m) => [m.seq, m.speaker, m.text, Math.round(m.audioStartOffset! * 10) / 10]), [
      [0, 'AGENT', 'tone 1', 0.5],
      [1, 'VISITOR', 'tone 1', 1.8],
      [2, 'AGENT', 'tone 2', 3],
      [3, 'VISITOR', 'tone 2', 4.5],
    ]);
    assert.ok(messages.every((m) => m.audioEndOffset! > m.audioStartOffset! && m.transcriptionInfo?.provider === 'openai:whisper-1'));
    assert.equal(messages[2].createTime.getTime(), conversation.startTime.getTime() + 3000);
    const metadata = await metadataOf(conversation.id);
    assert.deepEqual(metadata[TRANSCRIPTION_STATUS_KEY], { values: ['completed'] });
    const events = await core.db.query<{ type: string }>(`SELECT type FROM events WHERE conversation_id = $1 ORDER BY seq`, [conversation.id]);
    assert.deepEqual(events.map((e) => e.type).slice(-5), ['MESSAGE_CREATE', 'MESSAGE_CREATE', 'MESSAGE_CREATE', 'MESSAGE_CREATE', 'CONVERSATION_METADATA']);
    // The exception is for transcripts only: the conversation still refuses ordinary messages.
    await assert.rejects(core.messages.append(caller, { customerId: 'acme', id: conversation.id }, [{ text: 'late' }]), (err: unknown) => err instanceof ParleyError && err.code === 'FAILED_PRECONDITION');
  });

  it('is idempotent: a job run again for the same call appends nothing', async () => {
    const conversation = await finishedCall('call-2', { agent: [[1, 2]], visitor: [] });
    await run(core);
    const requests = asr.requests.length;
    await core.db.transaction((tx) => stores(tx).jobs.enqueueJobs([{
      queue: TRANSCRIPTION_QUEUE, customerId: 'acme',
      payload: { conversationId: conversation.id, audioKey: callAudioKey('acme', conversation.id), sampleRateHertz: 8000, channels: [{ index: 0, role: 'AGENT' }] },
    }]));
    await run(core);
    assert.equal((await messagesOf(conversation.id)).length, 1);
    assert.equal(asr.requests.length, requests, 'a settled transcript is not recognized again');
    // Appending directly twice is refused the same way.
    const again = await core.transcripts.appendTranscript(caller, conversation.id, 'x', [{ channel: 0, role: 'AGENT', text: 'dup', start: 0, end: 1 }]);
    assert.deepEqual([again.status, again.messages.length], ['completed', 0]);
  });

  it('retries a failing recognizer and then succeeds', async () => {
    const conversation = await finishedCall('call-3', { agent: [[1, 2]], visitor: [[3, 4]] });
    asr.failNext(503, 1);
    await run(core);
    assert.deepEqual(await messagesOf(conversation.id), [], 'the first attempt failed');
    const [job] = await core.db.query<{ state: string; attempt: number; lastError: string }>(
      `SELECT state, attempt, last_error AS "lastError" FROM jobs WHERE queue = $1 AND payload->>'conversationId' = $2`, [TRANSCRIPTION_QUEUE, conversation.id]);
    assert.deepEqual([job.state, job.attempt], ['queued', 1]);
    assert.match(job.lastError, /503/);
    // Make the backed-off retry due now instead of waiting for it.
    await core.db.query(`UPDATE jobs SET run_at = now() WHERE queue = $1 AND state = 'queued'`, [TRANSCRIPTION_QUEUE]);
    await run(core);
    assert.deepEqual((await messagesOf(conversation.id)).map((m) => m.speaker), ['AGENT', 'VISITOR']);
  });

  it('without a recognizer, marks transcription unavailable and keeps the recording', async () => {
    const conversation = await finishedCall('call-4', { agent: [[1, 2]], visitor: [] });
    await run(bare);
    assert.deepEqual(await messagesOf(conversation.id), []);
    const metadata = await metadataOf(conversation.id);
    assert.deepEqual(metadata[TRANSCRIPTION_STATUS_KEY], { values: ['unavailable'] });
    assert.match(metadata['builtin.transcription.detail'].values[0], /PARLEY_ASR_BASE_URL/);
    assert.ok(await bare.calls.audio.blobs.stat(callAudioKey('acme', conversation.id)));
  });

  it('skips a call whose conversation already has messages (a platform transcript), and marks a lost recording failed', async () => {
    const withMessages = await finishedCall('call-5', { agent: [[1, 2]], visitor: [], state: 'ACTIVE' });
    await core.messages.append(caller, { customerId: 'acme', id: withMessages.id }, [{ text: 'platform transcript', speaker: 'AGENT' }]);
    await core.conversations.setState(caller, { customerId: 'acme', id: withMessages.id }, 'CLOSED');
    const lost = await finishedCall('call-6', { agent: [[1, 2]], visitor: [] });
    await core.calls.audio.blobs.delete(callAudioKey('acme', lost.id));
    await run(core);
    assert.deepEqual((await messagesOf(withMessages.id)).map((m) => m.text), ['platform transcript']);
    assert.deepEqual((await metadataOf(withMessages.id))[TRANSCRIPTION_STATUS_KEY], { values: ['skipped'] });
    assert.deepEqual((await metadataOf(lost.id))[TRANSCRIPTION_STATUS_KEY], { values: ['failed'] });
  });

  it('refuses a transcript for a call that has not ended, for a chat, and for another tenant', async () => {
    const open = await finishedCall('call-7', { agent: [[1, 2]], visitor: [], state: 'ACTIVE' });
    const line = [{ channel: 0, role: 'AGENT' as const, text: 'x', start: 0, end: 1 }];
    await assert.rejects(core.transcripts.appendTranscript(caller, open.id, 'x', line), (err: unknown) => err instanceof ParleyError && err.code === 'FAILED_PRECONDITION');
    await assert.rejects(core.transcripts.appendTranscript(systemCaller('globex'), open.id, 'x', line), (err: unknown) => err instanceof ParleyError && err.code === 'NOT_FOUND');
    const chat = await finishedCall('chat-1', { agent: [], visitor: [], channel: 'CHAT' });
    await assert.rejects(core.transcripts.appendTranscript(caller, chat.id, 'x', line), (err: unknown) => err instanceof ParleyError && err.code === 'FAILED_PRECONDITION');
    assert.deepEqual(await messagesOf(open.id), []);
  });
});

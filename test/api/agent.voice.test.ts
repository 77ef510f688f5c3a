import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { before, it } from 'node:test';
import { pcm16FromLittleEndian, pcm16ToLittleEndian } from '../../src/audio/codecs.ts';
import { decodeWav } from '../../src/audio/wav.ts';
import { FsBlobStore } from '../../src/providers/blobs/blob-store.ts';
import { temporaryDir } from '../../src/providers/blobs/temporary-dir.ts';
import { PocketsphinxTranscriber, detectPocketsphinx } from '../../src/providers/asr/pocketsphinx-transcriber.ts';
import { EspeakSynthesizer, detectEspeak } from '../../src/providers/tts/espeak-synthesizer.ts';
import { OpenAiSynthesizer } from '../../src/providers/tts/openai-synthesizer.ts';
import { VOICE_REPLY_SAMPLE_RATE_HERTZ } from '../../src/core/interactions/voice.ts';
import { forEachDriver } from '../helpers/db.ts';
import { useTestApp } from '../helpers/app.ts';
import { assertDetail, assertVendorBody, signIn } from './agent-fixtures.ts';
import { createConversation, HELP, interact, ndjsonLines, type Line } from './agent-turns.ts';

/*
 * Voice on the agent surface with the real local providers (espeak-ng speaks, pocketsphinx
 * listens; .ci/run installs both): a recording in, a spoken reply out, the recording served back
 * through a signed link.
 */

/** What pocketsphinx's US English model hears best from espeak-ng (as in its own round trip test). */
const SENTENCE = 'hello i would like to check the status of my order please';
const words = (text: string) => text.toLowerCase().split(/[^a-z']+/).filter(Boolean);
const shared = (heard: string) => words(SENTENCE).filter((w) => new Set(words(heard)).has(w)).length;
const spoken = (args: string[] = []) => execFileSync('espeak-ng', ['--stdout', '-v', 'en-us+klatt2', '-s', '140', '-g', '8', ...args, SENTENCE]);

function providers() {
  const sphinx = detectPocketsphinx();
  const espeak = detectEspeak();
  assert.ok(typeof sphinx !== 'string' && typeof espeak !== 'string', `${String(sphinx)} ${String(espeak)}: apt-get install pocketsphinx pocketsphinx-en-us espeak-ng`);
  return { transcriber: new PocketsphinxTranscriber(sphinx), synthesizer: new EspeakSynthesizer(espeak) };
}

/** Every spoken piece decodes to PCM16; their alignment spells the reply; the pieces are numbered and the last stops. */
function assertSpokenReply(lines: Line[]): { pcm: Int16Array; text: string } {
  const pieces = lines.filter((l) => l.type === 'new-message');
  const complete = lines.at(-1)!;
  assert.equal(complete.type, 'interaction-complete');
  assert.ok(pieces.length > 0);
  const chunks = pieces.map((p, i) => {
    assert.equal(p.sequence_number, i);
    assert.equal(p.stop, i === pieces.length - 1);
    assert.equal(p.message_id, complete.message_id);
    const bytes = Buffer.from(p.message as string, 'base64');
    assert.equal(bytes.toString('base64'), p.message, 'the piece is base64');
    assert.equal(bytes.length % 2, 0);
    return pcm16FromLittleEndian(bytes);
  });
  const alignment = pieces.flatMap((p) => (p.transcript_alignment as [number, string][] | null) ?? []);
  assert.equal(alignment.map(([, c]) => c).join(''), complete.full_message);
  const pcm = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    pcm.set(c, at);
    at += c.length;
  }
  assert.ok(pcm.length > VOICE_REPLY_SAMPLE_RATE_HERTZ / 2, 'at least half a second of speech');
  return { pcm, text: complete.full_message as string };
}

forEachDriver('agent surface: voice', (kind) => {
  const blobDir = temporaryDir('parley-voice-test');
  const ctx = useTestApp(kind, { ...providers(), blobs: new FsBlobStore(blobDir) });
  const org = () => ctx.a.customerId;
  let token: string;
  let serviceId: string;
  let conversationId: string;
  let voiceMessageId: string;
  let textMessageId: string;
  const recording = spoken();

  const interactVoice = (body: Buffer, type: string, query = 'request_format=voice&response_format=text') => ctx.app.inject({
    method: 'POST', url: `/v1/${org()}/conversation/${conversationId}/interact?${query}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': type }, payload: body,
  });
  const source = (messageId: string, query = '') => ctx.app.inject({
    method: 'GET', url: `/v1/${org()}/conversation/${conversationId}/messages/${messageId}/source${query}`, headers: { authorization: `Bearer ${token}` },
  });
  const messages = async () => (await ctx.app.inject({
    method: 'GET', url: `/v1/${org()}/conversation/${conversationId}/messages/`, headers: { authorization: `Bearer ${token}` },
  })).json().messages as { id: string; message: string; format: string; message_type: string }[];
  /** The recordings kept: files outside the store's own `.meta` and `.tmp`. */
  const blobs = async () => (await readdir(blobDir, { recursive: true, withFileTypes: true }))
    .filter((f) => f.isFile()).map((f) => relative(blobDir, join(f.parentPath, f.name))).filter((f) => !f.startsWith('.')).sort();

  before(async () => {
    token = (await signIn(ctx, ctx.a, 'voice-rider')).id_token;
    serviceId = (await ctx.core.agents.create({ customerId: 'acme', profileId: null }, {
      name: 'Bike shop helper', instructions: 'Answer from the help pages.', knowledge: [{ name: 'help.md', content: HELP }],
    })).id;
    const created = await createConversation(ctx.app, org(), token, { service_id: serviceId });
    assert.equal(created.statusCode, 201, created.body);
    conversationId = (await ndjsonLines(created))[0].conversation_id as string;
  });

  it('hears a WAV recording: the transcription in user-message-available and in the messages, the recording kept', async () => {
    const res = await interactVoice(recording, 'audio/wav');
    assert.equal(res.statusCode, 200, res.body);
    const lines = await ndjsonLines(res);
    assert.equal(lines[0].type, 'user-message-available');
    const heard = lines[0].user_message as string;
    assert.ok(shared(heard) * 2 >= words(SENTENCE).length, `heard "${heard}"`);
    assert.equal(lines.at(-1)!.type, 'interaction-complete');
    voiceMessageId = lines[0].message_id as string;
    const stored = (await messages()).find((m) => m.id === voiceMessageId)!;
    assert.deepEqual({ message: stored.message, format: stored.format, type: stored.message_type }, { message: heard, format: 'voice', type: 'user-message' });
    assert.deepEqual(await blobs(), [join('voice', org(), conversationId, `${voiceMessageId}.wav`)]);
  });

  it('speaks the reply: base64 PCM16 pieces whose alignment spells it, stored as its text in voice format', async () => {
    const res = await interact(ctx.app, org(), token, conversationId, { recorded_message: 'When are you open?' }, 'request_format=text&response_format=voice');
    assert.equal(res.statusCode, 200, res.body);
    const lines = await ndjsonLines(res);
    const { text } = assertSpokenReply(lines);
    assert.match(text, /9am to 6pm/);
    textMessageId = lines[0].message_id as string;
    const reply = (await messages()).find((m) => m.id === lines.at(-1)!.message_id)!;
    assert.deepEqual({ message: reply.message, format: reply.format }, { message: text, format: 'voice' });
    assert.equal((await messages()).find((m) => m.id === textMessageId)!.format, 'text');
  });

  it('starts a conversation with a spoken greeting (create with response_format=voice)', async () => {
    const bob = (await signIn(ctx, ctx.a, 'voice-bob')).id_token;
    const res = await createConversation(ctx.app, org(), bob, { service_id: serviceId }, 'response_format=voice');
    assert.equal(res.statusCode, 201, res.body);
    const lines = await ndjsonLines(res);
    assert.equal(lines[0].type, 'conversation-created');
    assert.match(assertSpokenReply(lines.slice(1)).text, /Bike shop helper/);
  });

  it('hears raw PCM described by request_audio_config, kept as a WAV', async () => {
    const wav = decodeWav(recording);
    const config = encodeURIComponent(JSON.stringify({ type: 'pcm', frame_rate: wav.sampleRateHertz, n_channels: 1, sample_width: 2 }));
    const res = await interactVoice(pcm16ToLittleEndian(wav.channels[0]), 'application/octet-stream', `request_format=voice&response_format=text&request_audio_config=${config}`);
    assert.equal(res.statusCode, 200, res.body);
    const lines = await ndjsonLines(res);
    assert.ok(shared(lines[0].user_message as string) * 2 >= words(SENTENCE).length, `heard "${lines[0].user_message}"`);
    const link = (await source(lines[0].message_id as string)).json();
    assert.equal(link.content_type, 'audio/wav');
    const kept = decodeWav((await ctx.app.inject({ method: 'GET', url: new URL(link.url).pathname + new URL(link.url).search })).rawPayload);
    assert.deepEqual(kept.channels[0], wav.channels[0]);
  });

  it('refuses audio it cannot read with 415, and a bad request_audio_config with 422, storing nothing', async () => {
    const before = { rows: await ctx.snapshot(), blobs: await blobs() };
    const voice = 'request_format=voice&response_format=text';
    for (const [body, type, query, status] of [
      [recording, 'audio/ogg', voice, 415],
      [Buffer.from('RIFF but not really a wave file'), 'audio/wav', voice, 415],
      [Buffer.alloc(64, 1), 'audio/mpeg', voice, 415],
      [Buffer.alloc(64, 1), 'application/octet-stream', voice, 415],
      [Buffer.alloc(64, 1), 'application/octet-stream', `${voice}&request_audio_config=${encodeURIComponent('{"type":"pcm","frame_rate":16000,"n_channels":2,"sample_width":2}')}`, 422],
      [Buffer.alloc(64, 1), 'application/octet-stream', `${voice}&request_audio_config=not-json`, 422],
      [Buffer.alloc(0), 'audio/wav', voice, 415],
    ] as const) {
      assertDetail(await interactVoice(body, type, query), status, `${type} ${query}`);
    }
    const form = await interact(ctx.app, org(), token, conversationId, { recorded_message: 'hi' }, voice);
    assertDetail(form, 415, 'a form where a recording belongs');
    const silence = Buffer.from(execFileSync('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', '-t', 'wav', '-', 'trim', '0', '1']));
    assert.match(assertDetail(await interactVoice(silence, 'audio/wav'), 422, 'silence'), /no speech was recognized/);
    assert.deepEqual({ rows: await ctx.snapshot(), blobs: await blobs() }, before);
  });

  it('serves a voice message\'s source through a signed link: the same bytes, no token needed', async () => {
    const res = await source(voiceMessageId);
    assert.equal(res.statusCode, 200, res.body);
    const link = res.json() as { url: string; expires_at: string; content_type: string };
    await assertVendorBody(link, { path: '/v1/{organization}/conversation/{conversation_id}/messages/{message_id}/source', method: 'get', status: 200 });
    assert.equal(link.content_type, 'audio/wav');
    const minutes = (Date.parse(link.expires_at) - Date.now()) / 60_000;
    assert.ok(minutes > 14 && minutes <= 15, `${minutes} minutes`);
    const url = new URL(link.url);
    const download = await ctx.app.inject({ method: 'GET', url: url.pathname + url.search });
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers['content-type'], 'audio/wav');
    assert.deepEqual(download.rawPayload, recording);

    const long = (await source(voiceMessageId, '?long_lived=true')).json() as { expires_at: string };
    const hours = (Date.parse(long.expires_at) - Date.now()) / 3_600_000;
    assert.ok(hours > 11.9 && hours <= 12, `${hours} hours`);
  });

  it('refuses a link whose signature or expiry is wrong (403), and a text message\'s source (400)', async () => {
    const url = new URL((await source(voiceMessageId)).json().url);
    const get = (u: URL) => ctx.app.inject({ method: 'GET', url: u.pathname + u.search });
    const tampered = new URL(url);
    tampered.searchParams.set('signature', url.searchParams.get('signature')!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')));
    assertDetail(await get(tampered), 403, 'tampered signature');
    const later = new URL(url);
    later.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    assertDetail(await get(later), 403, 'extended expiry');
    const other = new URL(url.href.replace(`/v1/${org()}/`, '/v1/globex/'));
    assertDetail(await get(other), 403, 'another organization');
    const caller = await ctx.core.endUsers.authenticate(token);
    const expired = await ctx.core.messageSources.link(caller, conversationId, voiceMessageId, false, Date.now() - 3_600_000);
    const old = new URL(url);
    old.searchParams.set('expires', String(expired.expires));
    old.searchParams.set('signature', expired.signature);
    assert.match(assertDetail(await get(old), 403, 'expired'), /expired/);

    assert.match(assertDetail(await source(textMessageId), 400, 'text message'), /text message/);
    assertDetail(await source('f'.repeat(24)), 404, 'unknown message');
    const outsider = await ctx.app.inject({ method: 'GET', url: `/v1/${org()}/conversation/${conversationId}/messages/${voiceMessageId}/source`, headers: ctx.b.auth });
    assertDetail(outsider, 404, 'another organization\'s key');
  });
});

forEachDriver('agent surface: a reply that cannot be spoken', (kind) => {
  const blobDir = temporaryDir('parley-voice-test');
  // Nothing listens on port 9 (discard): the speech service is unreachable, as when it is down.
  const unreachable = new OpenAiSynthesizer({ baseUrl: 'http://127.0.0.1:9', apiKey: '', model: 'tts-1', voice: 'alloy', retries: 0 });
  const ctx = useTestApp(kind, { transcriber: providers().transcriber, synthesizer: unreachable, blobs: new FsBlobStore(blobDir) });

  it('ends the stream with an error line, keeping nothing of the turn: no message, no recording', async () => {
    const token = (await signIn(ctx, ctx.a, 'voice-rider')).id_token;
    const service = await ctx.core.agents.create({ customerId: 'acme', profileId: null }, {
      name: 'Bike shop helper', instructions: 'Answer from the help pages.', knowledge: [{ name: 'help.md', content: HELP }],
    });
    const created = await createConversation(ctx.app, ctx.a.customerId, token, { service_id: service.id });
    const conversationId = (await ndjsonLines(created))[0].conversation_id as string;
    const before = await ctx.snapshot();
    const res = await ctx.app.inject({
      method: 'POST', url: `/v1/${ctx.a.customerId}/conversation/${conversationId}/interact?request_format=voice&response_format=voice`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'audio/wav' }, payload: spoken(),
    });
    assert.equal(res.statusCode, 200, res.body);
    const lines = await ndjsonLines(res);
    assert.equal(lines[0].type, 'user-message-available');
    const error = lines.at(-1)!;
    assert.equal(error.type, 'error');
    assert.equal(error.http_error_code, 503);
    assert.match(error.error_description as string, /could not be spoken: .*could not be reached/);
    assert.equal(lines.filter((l) => l.type === 'new-message').length, 0, 'no audio went out');
    assert.deepEqual(await ctx.snapshot(), before);
    const files = (await readdir(blobDir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile() && !relative(blobDir, join(f.parentPath, f.name)).startsWith('.'));
    assert.deepEqual(files, [], 'the recording was deleted with the turn');
  });
});

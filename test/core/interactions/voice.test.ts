import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ParleyError } from '../../../src/kernel/errors.ts';
import { pcm16FromLittleEndian } from '../../../src/audio/codecs.ts';
import { encodeWav } from '../../../src/audio/wav.ts';
import { isUnsupportedAudio } from '../../../src/audio/voice-recording.ts';
import { PocketsphinxTranscriber, detectPocketsphinx } from '../../../src/providers/asr/pocketsphinx-transcriber.ts';
import { EspeakSynthesizer, detectEspeak } from '../../../src/providers/tts/espeak-synthesizer.ts';
import { OpenAiSynthesizer } from '../../../src/providers/tts/openai-synthesizer.ts';
import {
  SentenceSplitter, VOICE_PIECE_SAMPLES, VOICE_REPLY_SAMPLE_RATE_HERTZ, readRecording, requireTranscriber, speakReply, transcribeRecording, type SpokenPiece,
} from '../../../src/core/interactions/voice.ts';
import type { RecordingHints } from '../../../src/audio/voice-recording.ts';
import type { Transcriber } from '../../../src/providers/asr/transcriber.ts';
import { speechOf, startSpeechDouble, type SpeechDouble } from '../../providers/tts/openai-speech-double.ts';

/**
 * Voice turns with the real local providers: espeak-ng speaks, pocketsphinx listens (both
 * installed by .ci/run). The remote speech service is a local double of its wire protocol.
 */

/** As in the recognizer's own round trip: klatt2, slow, with word gaps, is what the en-us model hears best. */
const SENTENCE = 'hello i would like to check the status of my order please';
const words = (text: string) => text.toLowerCase().split(/[^a-z']+/).filter(Boolean);

function sharedWords(heard: string, said: string): number {
  const got = new Set(words(heard));
  return words(said).filter((w) => got.has(w)).length;
}

function localProviders() {
  const sphinx = detectPocketsphinx();
  assert.ok(typeof sphinx !== 'string', `${String(sphinx)}: apt-get install pocketsphinx pocketsphinx-en-us`);
  const espeak = detectEspeak('en-us+klatt2');
  assert.ok(typeof espeak !== 'string', `${String(espeak)}: apt-get install espeak-ng`);
  return {
    transcriber: new PocketsphinxTranscriber(sphinx),
    synthesizer: new EspeakSynthesizer({ ...espeak, wordsPerMinute: 140, wordGap: 8 }),
  };
}

async function* textPieces(...pieces: string[]): AsyncGenerator<string> {
  for (const piece of pieces) yield piece;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function audioOf(pieces: readonly SpokenPiece[]): Int16Array {
  const parts = pieces.map((p) => pcm16FromLittleEndian(Buffer.from(p.audio, 'base64')));
  const pcm = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    pcm.set(p, at);
    at += p.length;
  }
  return pcm;
}

function assertCode(code: string, pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ParleyError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  };
}

/** As a voice interaction hears its recording: read (unreadable audio refused first), then transcribed. */
async function hearRecording(transcriber: Transcriber | null, bytes: Buffer, hints: RecordingHints, options: { languageCode?: string; signal: AbortSignal }) {
  const recording = await readRecording(bytes, hints);
  return { text: await transcribeRecording(requireTranscriber(transcriber), recording, options), recording };
}

describe('hearing a recording', () => {
  const signal = new AbortController().signal;

  it("transcribes espeak-ng's WAV through pocketsphinx (a round trip of the local providers)", async () => {
    const { transcriber } = localProviders();
    const wav = execFileSync('espeak-ng', ['--stdout', '-v', 'en-us+klatt2', '-s', '140', '-g', '8', SENTENCE]);
    const heard = await hearRecording(transcriber, wav, { contentType: 'audio/wav' }, { languageCode: 'en-US', signal });
    assert.ok(sharedWords(heard.text, SENTENCE) * 2 >= words(SENTENCE).length, `heard "${heard.text}"`);
    assert.equal(heard.recording.file, wav);
    assert.equal(heard.recording.contentType, 'audio/wav');
  });

  it('names the settings when no recognizer is configured, once the audio is known to be readable', async () => {
    const wav = encodeWav([new Int16Array(1600)], 16000);
    await assert.rejects(hearRecording(null, wav, { contentType: 'audio/wav' }, { signal }), assertCode('FAILED_PRECONDITION', /PARLEY_ASR_BASE_URL.*PARLEY_ASR=auto or local/));
    await assert.rejects(hearRecording(null, Buffer.from('OggS'), { contentType: 'audio/ogg' }, { signal }), (err) => isUnsupportedAudio(err));
  });

  it('refuses silence as an empty message, and unreadable audio as unsupported', async () => {
    const { transcriber } = localProviders();
    await assert.rejects(hearRecording(transcriber, encodeWav([new Int16Array(16000)], 16000), { contentType: 'audio/wav' }, { signal }), assertCode('INVALID_ARGUMENT', /no speech was recognized/));
    await assert.rejects(hearRecording(transcriber, Buffer.from('OggS not really'), { contentType: 'audio/ogg' }, { signal }), (err) => isUnsupportedAudio(err));
  });
});

describe('sentences of a streamed reply', () => {
  it('cuts at sentence ends as the text arrives, keeping every character', () => {
    const splitter = new SentenceSplitter();
    const pieces = ['Hello', ' there!', ' I can', ' help.', ' ...', ' Your order', ' ships\n\nMonday', ' (or Tuesday).'];
    const sentences = pieces.flatMap((p) => splitter.push(p));
    sentences.push(splitter.flush());
    assert.deepEqual(sentences, ['Hello there! ', 'I can help. ', '... Your order ships\n\n', 'Monday (or Tuesday).']);
    assert.equal(sentences.join(''), pieces.join(''));
  });

  it('cuts a long sentence without punctuation at a space', () => {
    const splitter = new SentenceSplitter();
    const long = 'word '.repeat(100);
    const sentences = splitter.push(long);
    assert.ok(sentences.length >= 1 && sentences.every((s) => s.length <= 300 && s.endsWith(' ')));
    assert.equal(sentences.join('') + splitter.flush(), long);
  });
});

describe('speaking a reply', () => {
  it('speaks sentence by sentence: the first audio goes out before the rest of the reply is written', async () => {
    const { synthesizer } = localProviders();
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let written = false;
    async function* reply() {
      yield 'Hello there.';
      yield ' Your';
      await gate;
      written = true;
      yield ' order ships tomorrow.';
    }
    const spoken = speakReply(synthesizer, reply(), new AbortController().signal);
    const first = await spoken.next();
    assert.equal(written, false, 'audio came before the reply was written');
    assert.ok(!first.done && first.value.audio.length > 0 && !first.value.last);
    open();
    const rest = await all(spoken);
    assert.ok(written && rest.at(-1)!.last);
  });

  it('speaks what it was given: pocketsphinx hears the reply in the 24 kHz pieces, with every character aligned', async () => {
    const { synthesizer, transcriber } = localProviders();
    const reply = 'Hello, I would like to check the status. Of my order please.';
    const pieces = await all(speakReply(synthesizer, textPieces(...reply.split(/(?<= )/)), new AbortController().signal));
    assert.ok(pieces.length > 2);
    assert.deepEqual(pieces.map((p) => p.last), pieces.map((_, i) => i === pieces.length - 1));
    for (const piece of pieces) assert.ok(Buffer.from(piece.audio, 'base64').length <= VOICE_PIECE_SAMPLES * 2);
    const alignment = pieces.flatMap((p) => p.alignment ?? []);
    assert.equal(alignment.map(([, c]) => c).join(''), reply);
    const pcm = audioOf(pieces);
    const totalMs = (pcm.length * 1000) / VOICE_REPLY_SAMPLE_RATE_HERTZ;
    assert.ok(alignment.every(([ms], i) => ms >= 0 && ms <= totalMs && (i === 0 || ms >= alignment[i - 1][0])), 'times rise through the audio');
    const utterances = await transcriber.transcribe(pcm, VOICE_REPLY_SAMPLE_RATE_HERTZ);
    const heard = utterances.map((u) => u.text).join(' ');
    assert.ok(sharedWords(heard, SENTENCE) * 2 >= words(SENTENCE).length, `heard "${heard}"`);
  });

  it('names the settings when no synthesizer is configured, and stops when the turn is cancelled', async () => {
    await assert.rejects(all(speakReply(null, textPieces('Hi.'), new AbortController().signal)), assertCode('FAILED_PRECONDITION', /PARLEY_TTS_BASE_URL.*PARLEY_TTS=auto or local/));
    const { synthesizer } = localProviders();
    const controller = new AbortController();
    const spoken = speakReply(synthesizer, textPieces('First sentence. ', 'Second sentence. ', 'Third sentence.'), controller.signal);
    assert.equal((await spoken.next()).done, false);
    controller.abort();
    await assert.rejects(all(spoken), assertCode('ABORTED', /cancelled/));
  });
});

describe('speaking a reply through an OpenAI-compatible speech service', () => {
  let double: SpeechDouble;
  before(async () => {
    double = await startSpeechDouble('sk-speech');
  });
  after(() => double.close());

  it("sends one request a sentence and passes its 24 kHz audio on unchanged", async () => {
    const synthesizer = new OpenAiSynthesizer({ baseUrl: double.baseUrl, apiKey: 'sk-speech', model: 'tts-1', voice: 'alloy' });
    const pieces = await all(speakReply(synthesizer, textPieces('One two three.', ' Four five.'), new AbortController().signal));
    assert.deepEqual(double.requests.slice(-2).map((r) => r.input), ['One two three.', 'Four five.']);
    const expected = [...speechOf('One two three.'), ...speechOf('Four five.')];
    assert.deepEqual(Array.from(audioOf(pieces)), expected);
  });

  it('a failing service is UNAVAILABLE, with its answer', async () => {
    const synthesizer = new OpenAiSynthesizer({ baseUrl: double.baseUrl, apiKey: 'sk-wrong', model: 'tts-1', voice: 'alloy' });
    await assert.rejects(all(speakReply(synthesizer, textPieces('Hello.'), new AbortController().signal)), assertCode('UNAVAILABLE', /could not be spoken: .*HTTP 401/));
  });
});

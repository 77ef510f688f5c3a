import { ParleyError, failedPrecondition, invalidArgument } from '../../kernel/errors.ts';
import { pcm16ToLittleEndian } from '../../audio/codecs.ts';
import { resample } from '../../audio/resample.ts';
import { decodeRecording, recordingFormatOf, type DecodedRecording, type RecordingHints } from '../../audio/voice-recording.ts';
import { ASR_SAMPLE_RATE_HERTZ, type Transcriber } from '../../providers/asr/transcriber.ts';
import type { Synthesizer } from '../../providers/tts/synthesizer.ts';

/*
 * Voice turns on the agent surface: the end user's recording heard through the transcriber, the
 * agent's reply spoken through the synthesizer sentence by sentence as the runtime writes it.
 */

/**
 * The rate of every spoken reply, whoever synthesizes it: OpenAI's `pcm` rate (and the Realtime
 * APIs'), so a client plays one format; espeak-ng's 22.05 kHz is resampled to it.
 */
export const VOICE_REPLY_SAMPLE_RATE_HERTZ = 24000;
/** Samples in one spoken piece at most: 200 ms, 9,600 bytes, 12,800 base64 characters a line. */
export const VOICE_PIECE_SAMPLES = VOICE_REPLY_SAMPLE_RATE_HERTZ / 5;
/** A sentence longer than this is cut at a space, so an unpunctuated reply does not wait to its end. */
const MAX_SENTENCE_CHARS = 300;

const SPEAKABLE = /[\p{L}\p{N}]/u;

/** The transcriber, or FAILED_PRECONDITION naming the settings that give one. */
export function requireTranscriber(transcriber: Transcriber | null): Transcriber {
  if (!transcriber) {
    throw failedPrecondition('request_format=voice needs speech recognition, and none is configured: set PARLEY_ASR_BASE_URL (an OpenAI-compatible transcription service), or install pocketsphinx with PARLEY_ASR=auto or local');
  }
  return transcriber;
}

/** The synthesizer, or FAILED_PRECONDITION naming the settings that give one. */
export function requireSynthesizer(synthesizer: Synthesizer | null): Synthesizer {
  if (!synthesizer) {
    throw failedPrecondition('response_format=voice needs speech synthesis, and none is configured: set PARLEY_TTS_BASE_URL (an OpenAI-compatible speech service), or install espeak-ng with PARLEY_TTS=auto or local');
  }
  return synthesizer;
}

/** A voice message's recording decoded for the recognizer; unreadable audio is unsupportedAudio (415 on the agent surface). */
export function readRecording(bytes: Buffer, hints: RecordingHints): Promise<DecodedRecording> {
  return decodeRecording(bytes, recordingFormatOf(bytes, hints), ASR_SAMPLE_RATE_HERTZ);
}

/** What a recording says; one with no recognisable speech is INVALID_ARGUMENT, as an empty text message is. */
export async function transcribeRecording(
  transcriber: Transcriber | null, recording: DecodedRecording, options: { languageCode?: string; signal: AbortSignal },
): Promise<string> {
  const asr = requireTranscriber(transcriber);
  let text: string;
  try {
    const utterances = await asr.transcribe(recording.pcm, recording.sampleRateHertz, { languageCode: options.languageCode, signal: options.signal });
    text = utterances.map((u) => u.text.trim()).filter(Boolean).join(' ');
  } catch (err) {
    if (err instanceof ParleyError) throw err;
    if (options.signal.aborted) throw cancelled();
    throw new ParleyError('UNAVAILABLE', `the recording could not be transcribed: ${(err as Error).message}`, {}, { cause: err });
  }
  if (!text) throw invalidArgument('body', 'no speech was recognized in the recording');
  return text;
}

/**
 * Cuts streamed text into sentences as it arrives: at `.`, `!`, `?` or `…` followed by a space,
 * at a line break, or at a space past MAX_SENTENCE_CHARS. The whitespace after a sentence stays
 * with it, so the sentences joined are the text exactly; a would-be sentence with nothing to say
 * (`...`) waits for the next one.
 */
export class SentenceSplitter {
  private pending = '';

  push(text: string): string[] {
    this.pending += text;
    const sentences: string[] = [];
    for (;;) {
      const end = this.sentenceEnd();
      if (end === -1) break;
      sentences.push(this.pending.slice(0, end));
      this.pending = this.pending.slice(end);
    }
    return sentences;
  }

  /** What is left at the end of the text ('' when nothing). */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }

  /** Where the first speakable sentence of `pending` ends (after its trailing whitespace), or -1. */
  private sentenceEnd(): number {
    const boundary = /(?:[.!?…]+["')\]]*[ \t]+|\s*\n\s*)/g;
    for (let m = boundary.exec(this.pending); m; m = boundary.exec(this.pending)) {
      const end = m.index + m[0].length;
      if (SPEAKABLE.test(this.pending.slice(0, end))) return end;
    }
    if (this.pending.length > MAX_SENTENCE_CHARS) {
      const space = this.pending.lastIndexOf(' ', MAX_SENTENCE_CHARS);
      return space > 0 ? space + 1 : MAX_SENTENCE_CHARS;
    }
    return -1;
  }
}

/** One piece of a spoken reply. */
export interface SpokenPiece {
  /** Base64 of PCM16 little-endian mono at VOICE_REPLY_SAMPLE_RATE_HERTZ; '' for text with nothing to say. */
  audio: string;
  /**
   * On a sentence's first piece: each of its characters with the millisecond (from the start of
   * the reply's audio) it is spoken at, spread evenly over the sentence's audio (an estimate:
   * neither provider tells word times); null on the sentence's other pieces.
   */
  alignment: [number, string][] | null;
}

/**
 * Speaks a reply as its text arrives: each sentence synthesized as soon as it is complete, so the
 * first audio goes out while the runtime is still writing. A sentence's audio is gathered whole
 * (espeak-ng takes about 20 ms for one) so that it can be resampled to the reply's rate without
 * seams and its duration spread over its characters, then cut into pieces of VOICE_PIECE_SAMPLES.
 */
export class ReplySpeaker {
  private readonly splitter = new SentenceSplitter();
  /** Samples of the reply spoken so far: where the next sentence starts. */
  private spokenSamples = 0;

  constructor(private readonly synthesizer: Synthesizer, private readonly signal: AbortSignal) {}

  /** The pieces of the sentences `text` completes. */
  async *add(text: string): AsyncGenerator<SpokenPiece> {
    for (const sentence of this.splitter.push(text)) yield* this.speak(sentence);
  }

  /** The pieces of what is left once the reply is written. */
  async *finish(): AsyncGenerator<SpokenPiece> {
    const rest = this.splitter.flush();
    if (rest) yield* this.speak(rest);
  }

  private async *speak(sentence: string): AsyncGenerator<SpokenPiece> {
    const pcm = SPEAKABLE.test(sentence) ? await this.synthesize(sentence.trim()) : new Int16Array(0);
    const startMs = (this.spokenSamples * 1000) / VOICE_REPLY_SAMPLE_RATE_HERTZ;
    const durationMs = (pcm.length * 1000) / VOICE_REPLY_SAMPLE_RATE_HERTZ;
    const chars = [...sentence];
    const alignment = chars.map((c, i): [number, string] => [Math.round(startMs + (i * durationMs) / chars.length), c]);
    this.spokenSamples += pcm.length;
    if (pcm.length === 0) {
      yield { audio: '', alignment };
      return;
    }
    for (let at = 0; at < pcm.length; at += VOICE_PIECE_SAMPLES) {
      yield { audio: pcm16ToLittleEndian(pcm.subarray(at, at + VOICE_PIECE_SAMPLES)).toString('base64'), alignment: at === 0 ? alignment : null };
    }
  }

  private async synthesize(text: string): Promise<Int16Array> {
    const chunks: Int16Array[] = [];
    let length = 0;
    try {
      for await (const chunk of this.synthesizer.synthesize(text, this.signal)) {
        if (this.signal.aborted) throw cancelled();
        chunks.push(chunk);
        length += chunk.length;
      }
    } catch (err) {
      throw speechFailure(err, this.signal);
    }
    if (this.signal.aborted) throw cancelled();
    const pcm = new Int16Array(length);
    let at = 0;
    for (const chunk of chunks) {
      pcm.set(chunk, at);
      at += chunk.length;
    }
    return resample(pcm, this.synthesizer.sampleRateHertz, VOICE_REPLY_SAMPLE_RATE_HERTZ);
  }
}

/** A reply's text pieces spoken, the last piece marked; for callers that have nothing to interleave. */
export async function* speakReply(
  synthesizer: Synthesizer | null, pieces: AsyncIterable<string>, signal: AbortSignal,
): AsyncGenerator<SpokenPiece & { last: boolean }> {
  const speaker = new ReplySpeaker(requireSynthesizer(synthesizer), signal);
  let held: SpokenPiece | undefined;
  const all = async function* () {
    for await (const text of pieces) yield* speaker.add(text);
    yield* speaker.finish();
  };
  for await (const piece of all()) {
    if (held) yield { ...held, last: false };
    held = piece;
  }
  if (held) yield { ...held, last: true };
}

const cancelled = () => new ParleyError('ABORTED', 'the interaction was cancelled');

/** A synthesizer's failure as a catalogue error: UNAVAILABLE (the client may retry the turn). */
function speechFailure(err: unknown, signal: AbortSignal): ParleyError {
  if (err instanceof ParleyError) return err;
  if (signal.aborted) return cancelled();
  return new ParleyError('UNAVAILABLE', `the agent's reply could not be spoken: ${(err as Error).message}`, {}, { cause: err });
}

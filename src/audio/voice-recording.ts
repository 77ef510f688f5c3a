import { MPEGDecoder } from 'mpg123-decoder';
import { ParleyError } from '../kernel/errors.ts';
import { pcm16FromLittleEndian } from './codecs.ts';
import { resample } from './resample.ts';
import { decodeWav, encodeWav } from './wav.ts';

/**
 * A spoken message as a client uploads it (the agent surface's voice interactions): a WAV file, an
 * MP3 file, or raw PCM described by the request. Decoded to mono PCM16 for a recognizer, and kept
 * as a playable file for whoever asks for the message's source.
 */

export type RecordingFormat =
  | { kind: 'wav' }
  | { kind: 'mp3' }
  /** Little-endian signed integers, mono; `sampleWidth` bytes a sample. */
  | { kind: 'pcm'; sampleRateHertz: number; sampleWidth: 2 | 4 };

/** What the request says about its body: its content type, and the raw audio's description if any. */
export interface RecordingHints {
  contentType?: string;
  pcm?: { sampleRateHertz: number; sampleWidth: 2 | 4 };
  /** The client said MP3 (Amigo's `{"type": "mp3"}`). */
  mp3?: boolean;
}

export interface DecodedRecording {
  /** Mono, at the rate asked for. */
  pcm: Int16Array;
  sampleRateHertz: number;
  seconds: number;
  /** The recording as it is kept: the upload itself, or raw PCM given a WAV header so it plays anywhere. */
  file: Buffer;
  contentType: 'audio/wav' | 'audio/mpeg';
}

/** Longest spoken message, seconds: one turn of a conversation, not a call (calls go to the voice surface). */
export const MAX_VOICE_RECORDING_SECONDS = 300;

const WAV_TYPES = new Set(['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave']);
const MP3_TYPES = new Set(['audio/mpeg', 'audio/mp3', 'audio/mpeg3']);
/** Bodies whose format the request's description (or the bytes' signature) tells. */
const UNTYPED = new Set(['application/octet-stream', 'audio/pcm', '']);

/** The content types a voice body may have. */
export const RECORDING_CONTENT_TYPES = [...WAV_TYPES, ...MP3_TYPES, ...[...UNTYPED].filter(Boolean)];

/**
 * Audio Parley cannot read: the agent surface answers 415 (Amigo's "The format of the supplied
 * audio file is not supported"), other surfaces a plain INVALID_ARGUMENT.
 */
export function unsupportedAudio(description: string): ParleyError {
  return new ParleyError('INVALID_ARGUMENT', `body: ${description}`, { fieldViolations: [{ field: 'body', description }], unsupportedMediaType: true });
}

export function isUnsupportedAudio(err: unknown): boolean {
  return err instanceof ParleyError && err.details.unsupportedMediaType === true;
}

const mediaType = (contentType: string | undefined) => (contentType ?? '').split(';')[0].trim().toLowerCase();

const isRiffWave = (b: Uint8Array) => b.length >= 12 && Buffer.from(b.subarray(0, 4)).toString('latin1') === 'RIFF' && Buffer.from(b.subarray(8, 12)).toString('latin1') === 'WAVE';
/** An ID3v2 tag, or an MPEG audio frame sync (11 set bits) with a valid layer. */
const looksLikeMp3 = (b: Uint8Array) => (b.length >= 3 && b[0] === 0x49 && b[1] === 0x44 && b[2] === 0x33)
  || (b.length >= 2 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0 && (b[1] & 0x06) !== 0);

/**
 * What the body is. A RIFF/WAVE signature wins over everything (a WAV labelled raw is still a WAV);
 * then the PCM description; then MP3 by label or signature. Anything else is unsupported.
 */
export function recordingFormatOf(bytes: Uint8Array, hints: RecordingHints): RecordingFormat {
  const type = mediaType(hints.contentType);
  if (!WAV_TYPES.has(type) && !MP3_TYPES.has(type) && !UNTYPED.has(type)) {
    throw unsupportedAudio(`content type ${type} is not a supported recording (${RECORDING_CONTENT_TYPES.join(', ')})`);
  }
  if (isRiffWave(bytes)) return { kind: 'wav' };
  if (WAV_TYPES.has(type)) throw unsupportedAudio('not a RIFF/WAVE file');
  if (hints.pcm && !MP3_TYPES.has(type)) return { kind: 'pcm', ...hints.pcm };
  if (MP3_TYPES.has(type) || hints.mp3 || looksLikeMp3(bytes)) return { kind: 'mp3' };
  throw unsupportedAudio('raw audio needs request_audio_config {"type":"pcm","frame_rate":…,"n_channels":1,"sample_width":2}; a file must be WAV or MP3');
}

/** Decodes a recording to mono PCM16 at `toHertz`. Unreadable audio is unsupportedAudio; too long is PAYLOAD_TOO_LARGE. */
export async function decodeRecording(bytes: Buffer, format: RecordingFormat, toHertz: number): Promise<DecodedRecording> {
  if (bytes.length === 0) throw new ParleyError('INVALID_ARGUMENT', 'body: the recording is empty', { fieldViolations: [{ field: 'body', description: 'the recording is empty' }] });
  let mono: Int16Array;
  let rate: number;
  let file = bytes;
  let contentType: DecodedRecording['contentType'] = 'audio/wav';
  switch (format.kind) {
    case 'wav': {
      let wav;
      try {
        wav = decodeWav(bytes, 'body');
      } catch (err) {
        throw unsupportedAudio(`unreadable WAV (${(err as Error).message})`);
      }
      rate = wav.sampleRateHertz;
      mono = downmix(wav.channels);
      break;
    }
    case 'pcm': {
      if (bytes.length % format.sampleWidth !== 0) throw unsupportedAudio(`raw PCM of ${format.sampleWidth}-byte samples cannot have ${bytes.length} bytes`);
      rate = format.sampleRateHertz;
      mono = format.sampleWidth === 2 ? pcm16FromLittleEndian(bytes) : pcm32To16(bytes);
      file = encodeWav([mono], rate);
      break;
    }
    case 'mp3':
      ({ pcm: mono, sampleRateHertz: rate } = await decodeMp3(bytes));
      contentType = 'audio/mpeg';
      break;
  }
  if (rate <= 0 || mono.length === 0) throw unsupportedAudio('the recording holds no audio');
  assertDuration(mono.length / rate);
  const pcm = resample(mono, rate, toHertz);
  return { pcm, sampleRateHertz: toHertz, seconds: mono.length / rate, file, contentType };
}

function assertDuration(seconds: number): void {
  if (seconds > MAX_VOICE_RECORDING_SECONDS) {
    throw new ParleyError('PAYLOAD_TOO_LARGE', `the recording is ${Math.round(seconds)} s long; at most ${MAX_VOICE_RECORDING_SECONDS} s`, {
      limit: { name: 'voiceRecordingSeconds', max: MAX_VOICE_RECORDING_SECONDS },
    });
  }
}

/** The channels' average: a stereo upload is heard as one voice. */
function downmix(channels: readonly Int16Array[]): Int16Array {
  if (channels.length === 1) return channels[0];
  const out = new Int16Array(Math.min(...channels.map((c) => c.length)));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (const c of channels) sum += c[i];
    out[i] = Math.round(sum / channels.length);
  }
  return out;
}

function pcm32To16(bytes: Buffer): Int16Array {
  const out = new Int16Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt32LE(i * 4) >> 16;
  return out;
}

/** Slices fed to the decoder: its output for one stays small (a 64 KB slice of 32 kbps MP3 is 16 s). */
const MP3_SLICE_BYTES = 64 * 1024;

/**
 * MPEG layer I/II/III through mpg123 compiled to WebAssembly (the `mpg123-decoder` package: no
 * native build, no binary on the machine). Fed in slices, so a long upload is refused as soon as
 * it passes the duration limit instead of after decoding all of it.
 */
async function decodeMp3(bytes: Buffer): Promise<{ pcm: Int16Array; sampleRateHertz: number }> {
  const decoder = new MPEGDecoder();
  await decoder.ready;
  try {
    const parts: Int16Array[] = [];
    let samples = 0;
    let rate = 0;
    for (let offset = 0; offset < bytes.length; offset += MP3_SLICE_BYTES) {
      const decoded = decoder.decode(new Uint8Array(bytes.subarray(offset, offset + MP3_SLICE_BYTES)));
      if (decoded.samplesDecoded === 0) continue;
      if (rate !== 0 && decoded.sampleRate !== rate) throw unsupportedAudio(`the MP3 changes its sample rate from ${rate} to ${decoded.sampleRate} Hz`);
      rate = decoded.sampleRate;
      parts.push(floatDownmix(decoded.channelData, decoded.samplesDecoded));
      samples += decoded.samplesDecoded;
      assertDuration(samples / rate);
    }
    if (samples === 0) throw unsupportedAudio('not an MPEG audio stream (no frame decoded)');
    const pcm = new Int16Array(samples);
    let at = 0;
    for (const part of parts) {
      pcm.set(part, at);
      at += part.length;
    }
    return { pcm, sampleRateHertz: rate };
  } finally {
    decoder.free();
  }
}

function floatDownmix(channels: readonly Float32Array[], length: number): Int16Array {
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    let sum = 0;
    for (const c of channels) sum += c[i];
    const v = Math.round((sum / channels.length) * 32767);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

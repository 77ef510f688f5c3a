import alawmulaw from 'alawmulaw';
import { invalidArgument } from '../kernel/errors.ts';

/**
 * Telephony audio in, PCM16 out. Everything after this module (spool, WAV, energy, ASR) works
 * on Int16Array samples only.
 */

export const AUDIO_ENCODINGS = ['LINEAR_16', 'MULAW', 'ALAW'] as const;
export type AudioEncoding = (typeof AUDIO_ENCODINGS)[number];

/**
 * Sample rates Parley accepts: any integer from 8 kHz (narrow-band telephony) to 48 kHz (wide-band
 * WebRTC). [Parley] Not just the usual list (8000, 11025, 16000, 22050, 24000, 32000, 44100,
 * 48000): some PBXes send 12 kHz or 96 kHz/2 oddities, and WAV stores any integer rate.
 */
export const MIN_SAMPLE_RATE_HERTZ = 8000;
export const MAX_SAMPLE_RATE_HERTZ = 48000;

export function assertSampleRate(sampleRateHertz: number, field = 'sampleRateHertz'): void {
  if (!Number.isInteger(sampleRateHertz) || sampleRateHertz < MIN_SAMPLE_RATE_HERTZ || sampleRateHertz > MAX_SAMPLE_RATE_HERTZ) {
    throw invalidArgument(field, `must be an integer from ${MIN_SAMPLE_RATE_HERTZ} to ${MAX_SAMPLE_RATE_HERTZ}, got ${sampleRateHertz}`);
  }
}

/** Bytes per sample as the encoding arrives on the wire (before decoding). */
export function bytesPerSample(encoding: AudioEncoding): number {
  return encoding === 'LINEAR_16' ? 2 : 1;
}

/**
 * Decodes one chunk to PCM16. LINEAR_16 is little-endian (Google's AudioEncoding LINEAR16); an odd
 * byte count cannot be PCM16 and is INVALID_ARGUMENT rather than silently dropping a byte.
 */
export function decodeAudio(bytes: Uint8Array, encoding: AudioEncoding, field = 'audioContent'): Int16Array {
  switch (encoding) {
    case 'LINEAR_16': {
      if (bytes.length % 2 !== 0) throw invalidArgument(field, `LINEAR_16 audio must have an even number of bytes, got ${bytes.length}`);
      return pcm16FromLittleEndian(bytes);
    }
    case 'MULAW':
      return alawmulaw.mulaw.decode(bytes);
    case 'ALAW':
      return alawmulaw.alaw.decode(bytes);
    default:
      throw invalidArgument('encoding', `unsupported audio encoding ${String(encoding)}`);
  }
}

/** The inverse of decodeAudio; used by tests, the demo and clients that need telephony bytes. */
export function encodeAudio(pcm: Int16Array, encoding: AudioEncoding): Uint8Array {
  switch (encoding) {
    case 'LINEAR_16':
      return pcm16ToLittleEndian(pcm);
    case 'MULAW':
      return alawmulaw.mulaw.encode(pcm);
    case 'ALAW':
      return alawmulaw.alaw.encode(pcm);
    default:
      throw invalidArgument('encoding', `unsupported audio encoding ${String(encoding)}`);
  }
}

/** Every platform Node runs on is little-endian, but reading through DataView keeps this honest. */
export function pcm16FromLittleEndian(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length >> 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

export function pcm16ToLittleEndian(pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) out.writeInt16LE(pcm[i], i * 2);
  return out;
}

/**
 * STEREO streams interleave left (agent) and right (visitor) samples. An odd sample count means a
 * torn frame: INVALID_ARGUMENT.
 */
export function splitStereo(pcm: Int16Array, field = 'audioContent'): [left: Int16Array, right: Int16Array] {
  if (pcm.length % 2 !== 0) throw invalidArgument(field, `stereo audio must have an even number of samples, got ${pcm.length}`);
  const left = new Int16Array(pcm.length >> 1);
  const right = new Int16Array(pcm.length >> 1);
  for (let i = 0, j = 0; j < left.length; i += 2, j++) {
    left[j] = pcm[i];
    right[j] = pcm[i + 1];
  }
  return [left, right];
}

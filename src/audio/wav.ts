import wavefile from 'wavefile';
import { invalidArgument } from '../kernel/errors.ts';

/**
 * WAV (RIFF, PCM16 little-endian) written by Parley's own 44-byte header, so a recording can be
 * streamed straight from the spool into the blob store (the `wavefile` library builds the whole
 * file in memory: a 60-minute 2-channel 16 kHz call would be 230 MB). Reading uses a fast path for
 * PCM16 and falls back to `wavefile` for other sample formats (8-bit, 24-bit, float, A-law…).
 */

export const WAV_HEADER_BYTES = 44;
/** RIFF sizes are 32-bit: ~4 GB, or 37 hours of 2-channel 16 kHz audio. */
const MAX_RIFF_BYTES = 0xffff_ffff;

export function wavHeader(sampleRateHertz: number, channels: number, dataBytes: number): Buffer {
  if (dataBytes + WAV_HEADER_BYTES - 8 > MAX_RIFF_BYTES) throw invalidArgument('audio', 'recording exceeds the 4 GB WAV limit');
  const h = Buffer.alloc(WAV_HEADER_BYTES);
  const blockAlign = channels * 2;
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRateHertz, 24);
  h.writeUInt32LE(sampleRateHertz * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** In-memory WAV of equal-length channels (short clips: an ASR upload, a test fixture). */
export function encodeWav(channels: readonly Int16Array[], sampleRateHertz: number): Buffer {
  const frames = Math.max(0, ...channels.map((c) => c.length));
  const n = channels.length;
  const out = Buffer.alloc(WAV_HEADER_BYTES + frames * n * 2);
  wavHeader(sampleRateHertz, n, frames * n * 2).copy(out, 0);
  let offset = WAV_HEADER_BYTES;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < n; c++) {
      out.writeInt16LE(channels[c][i] ?? 0, offset);
      offset += 2;
    }
  }
  return out;
}

export interface DecodedWav {
  sampleRateHertz: number;
  channels: Int16Array[];
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Splits a WAV into per-channel PCM16. A malformed file is INVALID_ARGUMENT on `field`. */
export function decodeWav(bytes: Uint8Array, field = 'audio'): DecodedWav {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw invalidArgument(field, 'not a RIFF/WAVE file');
  }
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    let size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw invalidArgument(field, 'truncated fmt chunk');
      let format = buf.readUInt16LE(body);
      // WAVE_FORMAT_EXTENSIBLE carries the real format in the first two bytes of its GUID.
      if (format === WAVE_FORMAT_EXTENSIBLE && size >= 26) format = buf.readUInt16LE(body + 24);
      fmt = { format, channels: buf.readUInt16LE(body + 2), rate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw invalidArgument(field, 'data chunk before fmt chunk');
      // Streaming writers (sox, espeak-ng to a pipe) leave the size 0 or 0xFFFFFFFF: take the rest.
      if (size === 0 || size === MAX_RIFF_BYTES || body + size > buf.length) size = buf.length - body;
      if (fmt.format === WAVE_FORMAT_PCM && fmt.bits === 16) return splitInterleaved(buf.subarray(body, body + size), fmt.channels, fmt.rate, field);
      return decodeWithWavefile(buf, field);
    }
    offset = body + size + (size % 2); // chunks are word-aligned
  }
  throw invalidArgument(field, 'no data chunk');
}

function splitInterleaved(data: Buffer, channelCount: number, sampleRateHertz: number, field: string): DecodedWav {
  if (channelCount < 1) throw invalidArgument(field, 'WAV has no channels');
  const frames = Math.floor(data.length / (2 * channelCount));
  const channels = Array.from({ length: channelCount }, () => new Int16Array(frames));
  let offset = 0;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channelCount; c++) {
      channels[c][i] = data.readInt16LE(offset);
      offset += 2;
    }
  }
  return { sampleRateHertz, channels };
}

function decodeWithWavefile(buf: Buffer, field: string): DecodedWav {
  try {
    const wav = new wavefile.WaveFile();
    wav.fromBuffer(buf);
    wav.toBitDepth('16');
    const fmt = wav.fmt as { numChannels: number; sampleRate: number };
    const samples = wav.getSamples(false, Int16Array) as unknown as Int16Array | Int16Array[];
    const channels = Array.isArray(samples) ? samples.map((s) => Int16Array.from(s)) : [Int16Array.from(samples)];
    if (fmt.numChannels > 1 && channels.length !== fmt.numChannels) throw new Error('channel count mismatch');
    return { sampleRateHertz: fmt.sampleRate, channels };
  } catch (cause) {
    throw invalidArgument(field, `unsupported WAV sample format (${(cause as Error).message})`);
  }
}

export interface WavChannel {
  sampleRateHertz: number;
  channelCount: number;
  pcm: Int16Array;
}

/**
 * Reads one channel of a WAV from a stream, holding only that channel in memory (a 60-minute
 * 2-channel call is read channel by channel instead of as one 230 MB buffer). Non-PCM16 files
 * are buffered and decoded whole.
 */
export async function readWavChannel(body: AsyncIterable<Buffer | Uint8Array>, channel: number, field = 'audio'): Promise<WavChannel> {
  let head: Buffer = Buffer.alloc(0);
  let layout: { dataStart: number; dataBytes: number | null; channels: number; rate: number } | null = null;
  let pcm: Int16Array | null = null;
  let written = 0;
  let pending: Buffer = Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const raw of body) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    if (!layout) {
      head = Buffer.concat([head, chunk]);
      layout = locateData(head, field);
      if (!layout) continue;
      if (layout.channels === 0) {
        chunks.push(head); // not PCM16: fall back to a whole-file decode
        continue;
      }
      if (channel < 0 || channel >= layout.channels) throw invalidArgument('channel', `WAV has ${layout.channels} channel(s), no channel ${channel}`);
      const frames = layout.dataBytes === null ? null : Math.floor(layout.dataBytes / (2 * layout.channels));
      pcm = new Int16Array(frames ?? 1 << 16);
      pending = head.subarray(layout.dataStart);
    } else if (layout.channels === 0) {
      chunks.push(chunk);
      continue;
    } else {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    }
    // `pending` always starts on a frame boundary: only whole frames are consumed.
    const frameBytes = 2 * layout.channels;
    const whole = pending.length - (pending.length % frameBytes);
    for (let i = 0; i < whole; i += frameBytes) {
      if (layout.dataBytes !== null && written >= pcm!.length) break; // chunks after `data` are not audio
      if (written === pcm!.length) pcm = grow(pcm!);
      pcm![written++] = pending.readInt16LE(i + 2 * channel);
    }
    pending = pending.subarray(whole);
  }
  if (!layout) throw invalidArgument(field, 'not a WAV file with a data chunk');
  if (layout.channels === 0) {
    const decoded = decodeWav(Buffer.concat(chunks), field);
    if (channel < 0 || channel >= decoded.channels.length) throw invalidArgument('channel', `WAV has ${decoded.channels.length} channel(s), no channel ${channel}`);
    return { sampleRateHertz: decoded.sampleRateHertz, channelCount: decoded.channels.length, pcm: decoded.channels[channel] };
  }
  return { sampleRateHertz: layout.rate, channelCount: layout.channels, pcm: pcm!.subarray(0, written) };
}

function grow(pcm: Int16Array): Int16Array {
  const bigger = new Int16Array(pcm.length * 2);
  bigger.set(pcm);
  return bigger;
}

/** Finds the data chunk in a WAV prefix; null when more bytes are needed. `channels: 0` marks non-PCM16. */
export function locateData(buf: Buffer, field: string) {
  if (buf.length < 12) return null;
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw invalidArgument(field, 'not a RIFF/WAVE file');
  let offset = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'data') {
      if (!fmt) throw invalidArgument(field, 'data chunk before fmt chunk');
      const pcm16 = fmt.format === WAVE_FORMAT_PCM && fmt.bits === 16 && fmt.channels > 0;
      const dataBytes = size === 0 || size === MAX_RIFF_BYTES ? null : size;
      return { dataStart: body, dataBytes, channels: pcm16 ? fmt.channels : 0, rate: fmt.rate };
    }
    if (body + size > buf.length) return null;
    if (id === 'fmt ') {
      let format = buf.readUInt16LE(body);
      if (format === WAVE_FORMAT_EXTENSIBLE && size >= 26) format = buf.readUInt16LE(body + 24);
      fmt = { format, channels: buf.readUInt16LE(body + 2), rate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    }
    offset = body + size + (size % 2);
  }
  return null;
}

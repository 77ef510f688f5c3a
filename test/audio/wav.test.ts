import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import wavefile from 'wavefile';
import { ParleyError } from '../../src/kernel/errors.ts';
import { EnergyMeter, channelEnergy, toAudioAnalysis } from '../../src/audio/energy.ts';
import { resample } from '../../src/audio/resample.ts';
import { WAV_HEADER_BYTES, decodeWav, encodeWav, readWavChannel, wavHeader } from '../../src/audio/wav.ts';

function tone(hertz: number, sampleRate: number, seconds: number, amplitude = 10000): Int16Array {
  return Int16Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hertz * i) / sampleRate)));
}

function rms(pcm: Int16Array, from = 0, to = pcm.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += pcm[i] * pcm[i];
  return Math.sqrt(sum / (to - from));
}

/** Feeds a buffer as a stream of `size`-byte chunks. */
function chunked(buf: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

describe('WAV', () => {
  it('writes a canonical 44-byte PCM16 header', () => {
    const h = wavHeader(8000, 2, 3200);
    assert.equal(h.length, WAV_HEADER_BYTES);
    assert.equal(h.toString('ascii', 0, 4), 'RIFF');
    assert.equal(h.readUInt32LE(4), 36 + 3200);
    assert.equal(h.toString('ascii', 8, 16), 'WAVEfmt ');
    assert.equal(h.readUInt16LE(20), 1);
    assert.equal(h.readUInt16LE(22), 2);
    assert.equal(h.readUInt32LE(24), 8000);
    assert.equal(h.readUInt32LE(28), 32000);
    assert.equal(h.readUInt16LE(32), 4);
    assert.equal(h.readUInt16LE(34), 16);
    assert.equal(h.toString('ascii', 36, 40), 'data');
    assert.equal(h.readUInt32LE(40), 3200);
  });

  it('round-trips multi-channel audio, padding a shorter channel with silence', () => {
    const a = Int16Array.from([1, 2, 3, 4]);
    const b = Int16Array.from([-1, -2]);
    const wav = encodeWav([a, b], 16000);
    assert.equal(wav.length, WAV_HEADER_BYTES + 4 * 2 * 2);
    const decoded = decodeWav(wav);
    assert.equal(decoded.sampleRateHertz, 16000);
    assert.deepEqual(decoded.channels.map((c) => [...c]), [[1, 2, 3, 4], [-1, -2, 0, 0]]);
  });

  it('is read by an independent WAV parser (wavefile) as written', () => {
    const wav = new wavefile.WaveFile();
    wav.fromBuffer(encodeWav([Int16Array.from([5, 6, 7]), Int16Array.from([-5, -6, -7])], 22050));
    const fmt = wav.fmt as { numChannels: number; sampleRate: number; bitsPerSample: number };
    assert.deepEqual([fmt.numChannels, fmt.sampleRate, fmt.bitsPerSample], [2, 22050, 16]);
    const samples = wav.getSamples(false, Int16Array) as unknown as Int16Array[];
    assert.deepEqual([...samples[0]], [5, 6, 7]);
    assert.deepEqual([...samples[1]], [-5, -6, -7]);
  });

  it('reads other sample formats through wavefile (8-bit unsigned here)', () => {
    const w = new wavefile.WaveFile();
    w.fromScratch(1, 8000, '8', [128, 255, 0]);
    const decoded = decodeWav(w.toBuffer());
    assert.equal(decoded.sampleRateHertz, 8000);
    assert.equal(decoded.channels[0][0], 0);
    assert.ok(decoded.channels[0][1] > 32000 && decoded.channels[0][2] === -32768);
  });

  it('reads a streamed WAV whose data size is unknown (0xFFFFFFFF), skipping other chunks', () => {
    const body = encodeWav([Int16Array.from([7, 8, 9])], 8000).subarray(WAV_HEADER_BYTES);
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc'), Buffer.from([0])]); // odd size: padded
    const header = wavHeader(8000, 1, 0);
    header.writeUInt32LE(0xffffffff, 40);
    const file = Buffer.concat([header.subarray(0, 36), list, header.subarray(36), body]);
    assert.deepEqual([...decodeWav(file).channels[0]], [7, 8, 9]);
  });

  it('refuses what is not a WAV with INVALID_ARGUMENT', () => {
    for (const bad of [Buffer.from('hello world, not a wav'), Buffer.alloc(0), wavHeader(8000, 1, 0).subarray(0, 20)]) {
      assert.throws(() => decodeWav(bad), (err: unknown) => err instanceof ParleyError && err.code === 'INVALID_ARGUMENT');
    }
  });

  it('streams one channel out of a WAV, whatever the chunk boundaries', async () => {
    const channels = [0, 1, 2].map((c) => Int16Array.from({ length: 1001 }, (_, i) => (i * 3 + c) * (c % 2 ? -1 : 1)));
    const wav = encodeWav(channels, 11025);
    for (const size of [1, 3, 7, 44, 45, 4096]) {
      for (const c of [0, 1, 2]) {
        const read = await readWavChannel(chunked(wav, size), c);
        assert.equal(read.sampleRateHertz, 11025);
        assert.equal(read.channelCount, 3);
        assert.deepEqual([...read.pcm], [...channels[c]], `chunk size ${size}, channel ${c}`);
      }
    }
    await assert.rejects(readWavChannel(chunked(wav, 100), 3), (err: unknown) => err instanceof ParleyError && err.code === 'INVALID_ARGUMENT');
  });
});

describe('energy', () => {
  it('gives the RMS of each 100 ms bucket relative to full scale, with a trailing partial bucket', () => {
    const pcm = new Int16Array(8000 * 0.25);
    pcm.fill(16384, 0, 800); // first 100 ms at half scale (a square DC level: RMS = level)
    pcm.fill(-8192, 800, 1600);
    const buckets = channelEnergy(pcm, 8000);
    assert.deepEqual(buckets, [0.5, 0.25, 0]);
  });

  it('is the same whether samples come in one piece or in frames', () => {
    const pcm = tone(440, 16000, 1.03, 12000);
    const meter = new EnergyMeter(16000);
    for (let i = 0; i < pcm.length; i += 320) meter.push(pcm.subarray(i, i + 320));
    assert.deepEqual(meter.finish(), channelEnergy(pcm, 16000));
    // A sine's RMS is amplitude/√2.
    assert.ok(Math.abs(meter.buckets[3] - 12000 / Math.SQRT2 / 32768) < 0.002);
  });

  it('maps AGENT and VISITOR channels to the conversation fields and lists other layouts in full', () => {
    const two = toAudioAnalysis([[0.1], [0.2]], ['AGENT', 'VISITOR']);
    assert.deepEqual(two, { bucketDuration: 0.1, agentEnergy: [0.1], visitorEnergy: [0.2] });
    const swapped = toAudioAnalysis([[0.1], [0.2]], ['VISITOR', 'AGENT']);
    assert.deepEqual([swapped.agentEnergy, swapped.visitorEnergy], [[0.2], [0.1]]);
    const three = toAudioAnalysis([[0.1], [0.2], [0.3]], ['AGENT', 'VISITOR', 'SUPERVISOR']);
    assert.deepEqual(three.channels, [
      { index: 0, role: 'AGENT', energy: [0.1] },
      { index: 1, role: 'VISITOR', energy: [0.2] },
      { index: 2, role: 'SUPERVISOR', energy: [0.3] },
    ]);
    const mixed = toAudioAnalysis([[0.4]], ['ROLE_UNSPECIFIED']);
    assert.deepEqual([mixed.agentEnergy, mixed.visitorEnergy, mixed.channels], [[], [], [{ index: 0, role: 'ROLE_UNSPECIFIED', energy: [0.4] }]]);
  });
});

describe('resample', () => {
  /** Goertzel power at `hertz`, normalised per sample: how much of a tone is present. */
  function power(pcm: Int16Array, rate: number, hertz: number): number {
    const k = (2 * Math.PI * hertz) / rate;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < pcm.length; i++) {
      const s = pcm[i] + 2 * Math.cos(k) * s1 - s2;
      s2 = s1;
      s1 = s;
    }
    return Math.sqrt(s1 * s1 + s2 * s2 - 2 * Math.cos(k) * s1 * s2) / pcm.length;
  }

  it('keeps a tone at its frequency and level (8 kHz → 16 kHz, 22.05 kHz → 16 kHz, 48 kHz → 16 kHz)', () => {
    for (const [from, hz] of [[8000, 1000], [22050, 440], [48000, 3000], [11025, 2000]]) {
      const out = resample(tone(hz, from, 0.5), from, 16000);
      assert.equal(out.length, Math.floor((tone(hz, from, 0.5).length * 16000) / from));
      const mid = out.subarray(1000, out.length - 1000);
      assert.ok(Math.abs(rms(mid) - 10000 / Math.SQRT2) < 150, `${from}: level ${rms(mid)}`);
      assert.ok(power(mid, 16000, hz) > 20 * power(mid, 16000, hz * 1.37), `${from}: the tone moved`);
    }
  });

  it('removes what the lower rate cannot hold instead of folding it back (anti-aliasing)', () => {
    // 10 kHz is above 16 kHz's Nyquist frequency: without filtering it would alias to 6 kHz.
    const out = resample(tone(10000, 44100, 0.5), 44100, 16000);
    assert.ok(rms(out.subarray(500, out.length - 500)) < 10000 / Math.SQRT2 / 100, `aliased level ${rms(out)}`);
  });

  it('returns the input unchanged at the same rate and silence for silence', () => {
    const pcm = tone(100, 16000, 0.1);
    assert.equal(resample(pcm, 16000, 16000), pcm);
    assert.ok(resample(new Int16Array(8000), 8000, 16000).every((s) => s === 0));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParleyError } from '../../src/kernel/errors.ts';
import { assertSampleRate, decodeAudio, encodeAudio, pcm16FromLittleEndian, pcm16ToLittleEndian, splitStereo } from '../../src/audio/codecs.ts';

function rejectsWith(fn: () => unknown, code: string, field: string): void {
  assert.throws(fn, (err: unknown) => err instanceof ParleyError && err.code === code && err.details.fieldViolations?.[0]?.field === field);
}

describe('audio codecs', () => {
  it('decodes G.711 µ-law to the values of the ITU-T tables', () => {
    // 0xFF and 0x7F are +0 and −0; 0x80/0x00 the extremes ±32124; 0xEF the smallest step above zero.
    assert.deepEqual([...decodeAudio(Uint8Array.from([0xff, 0x7f, 0x80, 0x00, 0xef, 0x6f]), 'MULAW')], [0, 0, 32124, -32124, 132, -132]);
  });

  it('decodes G.711 A-law to the values of the ITU-T tables', () => {
    // 0xD5/0x55 are ±8 (A-law has no zero code); 0xAA/0x2A the extremes ±32256.
    assert.deepEqual([...decodeAudio(Uint8Array.from([0xd5, 0x55, 0xaa, 0x2a]), 'ALAW')], [8, -8, 32256, -32256]);
  });

  it('round-trips every A-law code and every µ-law code but the duplicate zero', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual([...encodeAudio(decodeAudio(all, 'ALAW'), 'ALAW')], [...all]);
    const mu = [...encodeAudio(decodeAudio(all, 'MULAW'), 'MULAW')];
    assert.deepEqual(mu.map((b, i) => (i === 0x7f ? 0x7f : b)), [...all]);
    assert.equal(mu[0x7f], 0xff, 'µ-law −0 encodes back as +0');
  });

  it('keeps PCM16 within the companding error after a µ-law or A-law round trip', () => {
    const pcm = Int16Array.from({ length: 2000 }, (_, i) => Math.round(Math.sin(i / 7) * 20000));
    for (const encoding of ['MULAW', 'ALAW'] as const) {
      const back = decodeAudio(encodeAudio(pcm, encoding), encoding);
      for (let i = 0; i < pcm.length; i++) {
        // Logarithmic quantisation: the step grows with the magnitude, at most ~1/16 of it (+ the smallest step).
        assert.ok(Math.abs(back[i] - pcm[i]) <= Math.abs(pcm[i]) / 16 + 16, `${encoding} sample ${i}: ${pcm[i]} → ${back[i]}`);
      }
    }
  });

  it('decodes LINEAR_16 as little-endian and refuses an odd byte count', () => {
    assert.deepEqual([...decodeAudio(Uint8Array.from([0x01, 0x00, 0xff, 0xff, 0x00, 0x80, 0xff, 0x7f]), 'LINEAR_16')], [1, -1, -32768, 32767]);
    rejectsWith(() => decodeAudio(Uint8Array.from([1, 2, 3]), 'LINEAR_16', 'audioContent'), 'INVALID_ARGUMENT', 'audioContent');
    const pcm = Int16Array.from([0, 1, -1, 12345, -32768, 32767]);
    assert.deepEqual([...pcm16FromLittleEndian(pcm16ToLittleEndian(pcm))], [...pcm]);
    assert.deepEqual([...encodeAudio(pcm, 'LINEAR_16')], [...pcm16ToLittleEndian(pcm)]);
  });

  it('decodes a chunk that is a view into a larger buffer at an odd offset', () => {
    const backing = Buffer.from([9, 0x02, 0x00, 0xfe, 0xff, 9]);
    assert.deepEqual([...decodeAudio(backing.subarray(1, 5), 'LINEAR_16')], [2, -2]);
  });

  it('splits interleaved stereo into left and right and refuses a torn frame', () => {
    const [left, right] = splitStereo(Int16Array.from([1, -1, 2, -2, 3, -3]));
    assert.deepEqual([...left], [1, 2, 3]);
    assert.deepEqual([...right], [-1, -2, -3]);
    rejectsWith(() => splitStereo(Int16Array.from([1, 2, 3]), 'audioContent'), 'INVALID_ARGUMENT', 'audioContent');
  });

  it('accepts integer sample rates from 8 kHz to 48 kHz only', () => {
    for (const rate of [8000, 11025, 12000, 16000, 22050, 44100, 48000]) assertSampleRate(rate);
    for (const rate of [0, 7999, 48001, 96000, 16000.5, Number.NaN]) rejectsWith(() => assertSampleRate(rate, 'rate'), 'INVALID_ARGUMENT', 'rate');
  });
});

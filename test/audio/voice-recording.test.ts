import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { Mp3Encoder } from '@breezystack/lamejs';
import { ParleyError } from '../../src/kernel/errors.ts';
import { pcm16ToLittleEndian } from '../../src/audio/codecs.ts';
import { decodeWav, encodeWav } from '../../src/audio/wav.ts';
import {
  MAX_VOICE_RECORDING_SECONDS, decodeRecording, isUnsupportedAudio, recordingFormatOf, type RecordingHints,
} from '../../src/audio/voice-recording.ts';

function tone(hertz: number, sampleRate: number, seconds: number, amplitude = 10000): Int16Array {
  return Int16Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hertz * i) / sampleRate)));
}

function rms(pcm: Int16Array): number {
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return Math.sqrt(sum / pcm.length);
}

/** A real MP3, encoded by LAME (its JavaScript port). */
function mp3Of(pcm: Int16Array, sampleRate: number): Buffer {
  const encoder = new Mp3Encoder(1, sampleRate, 64);
  return Buffer.concat([Buffer.from(encoder.encodeBuffer(pcm)), Buffer.from(encoder.flush())]);
}

async function decode(bytes: Buffer, hints: RecordingHints, toHertz = 16000) {
  return decodeRecording(bytes, recordingFormatOf(bytes, hints), toHertz);
}

async function assertUnsupported(run: () => Promise<unknown>, message: RegExp) {
  await assert.rejects(run, (err: unknown) => {
    assert.ok(isUnsupportedAudio(err), `not an unsupported-audio error: ${String(err)}`);
    assert.match((err as Error).message, message);
    return true;
  });
}

describe('voice recordings', () => {
  it("reads espeak-ng's WAV (22.05 kHz) as 16 kHz mono, keeping the file as uploaded", async () => {
    const wav = execFileSync('espeak-ng', ['--stdout', '-v', 'en-us', 'hello there']);
    const source = decodeWav(wav);
    const decoded = await decode(wav, { contentType: 'audio/wav' });
    assert.equal(decoded.sampleRateHertz, 16000);
    assert.equal(decoded.contentType, 'audio/wav');
    assert.equal(decoded.file, wav);
    const seconds = source.channels[0].length / source.sampleRateHertz;
    assert.ok(Math.abs(decoded.seconds - seconds) < 1e-9);
    assert.ok(Math.abs(decoded.pcm.length - seconds * 16000) <= 1);
    assert.ok(rms(decoded.pcm) > 0.8 * rms(source.channels[0]), 'the speech survives the resampling');
  });

  it('mixes a stereo WAV down to the average of its channels', async () => {
    const left = tone(440, 16000, 0.5);
    const right = new Int16Array(left.length);
    const decoded = await decode(encodeWav([left, right], 16000), { contentType: 'audio/x-wav; codec=1' });
    assert.deepEqual(Array.from(decoded.pcm.subarray(0, 50)), Array.from(left.subarray(0, 50), (s) => Math.round(s / 2)));
  });

  it('reads raw PCM as the request describes it (16- and 32-bit), and keeps it as a playable WAV', async () => {
    const pcm = tone(300, 8000, 1);
    const decoded = await decode(pcm16ToLittleEndian(pcm), { contentType: 'application/octet-stream', pcm: { sampleRateHertz: 8000, sampleWidth: 2 } });
    assert.equal(decoded.contentType, 'audio/wav');
    assert.equal(decoded.seconds, 1);
    assert.equal(decoded.pcm.length, 16000);
    const kept = decodeWav(decoded.file);
    assert.equal(kept.sampleRateHertz, 8000);
    assert.deepEqual(kept.channels[0], pcm);

    const wide = Buffer.alloc(pcm.length * 4);
    pcm.forEach((s, i) => wide.writeInt32LE(s * 65536, i * 4));
    const fromWide = await decode(wide, { pcm: { sampleRateHertz: 8000, sampleWidth: 4 } }, 8000);
    assert.deepEqual(fromWide.pcm, pcm);
  });

  it('decodes MP3, labelled or recognised by its frames, to the same sound', async () => {
    const pcm = tone(440, 22050, 1.5);
    const mp3 = mp3Of(pcm, 22050);
    for (const hints of [{ contentType: 'audio/mpeg' }, { contentType: 'application/octet-stream' }, { mp3: true }]) {
      const decoded = await decode(mp3, hints);
      assert.equal(decoded.contentType, 'audio/mpeg');
      assert.equal(decoded.file, mp3);
      assert.ok(Math.abs(decoded.seconds - 1.5) < 0.1, `${decoded.seconds} s`);
      assert.ok(Math.abs(rms(decoded.pcm) / rms(pcm) - 1) < 0.1, `level ${rms(decoded.pcm)} vs ${rms(pcm)}`);
    }
  });

  it('a RIFF/WAVE body is a WAV even when the request calls it raw PCM', async () => {
    const wav = encodeWav([tone(440, 16000, 0.25)], 16000);
    assert.deepEqual(recordingFormatOf(wav, { contentType: 'application/octet-stream', pcm: { sampleRateHertz: 8000, sampleWidth: 2 } }), { kind: 'wav' });
  });

  it('refuses what it cannot read as unsupported audio', async () => {
    const wav = encodeWav([tone(440, 16000, 0.25)], 16000);
    await assertUnsupported(() => decode(wav, { contentType: 'audio/ogg' }), /content type audio\/ogg/);
    await assertUnsupported(() => decode(wav, { contentType: 'text/plain' }), /content type text\/plain/);
    await assertUnsupported(() => decode(Buffer.from('not audio at all'), { contentType: 'audio/wav' }), /not a RIFF\/WAVE/);
    await assertUnsupported(() => decode(Buffer.from('not audio at all'), { contentType: 'application/octet-stream' }), /request_audio_config/);
    await assertUnsupported(() => decode(Buffer.from('not audio at all'.repeat(100)), { contentType: 'audio/mpeg' }), /no frame decoded/);
    await assertUnsupported(() => decode(Buffer.from([1, 2, 3]), { pcm: { sampleRateHertz: 8000, sampleWidth: 2 } }), /cannot have 3 bytes/);
    await assertUnsupported(() => decode(wav.subarray(0, 30), { contentType: 'audio/wav' }), /unreadable WAV/);
  });

  it('refuses an empty recording as invalid, and one over the length limit as too large', async () => {
    await assert.rejects(decode(Buffer.alloc(0), { pcm: { sampleRateHertz: 8000, sampleWidth: 2 } }), (err: unknown) => {
      assert.ok(err instanceof ParleyError && err.code === 'INVALID_ARGUMENT' && !isUnsupportedAudio(err));
      return true;
    });
    const long = Buffer.alloc((MAX_VOICE_RECORDING_SECONDS + 1) * 4000 * 2);
    await assert.rejects(decode(long, { pcm: { sampleRateHertz: 4000, sampleWidth: 2 } }), (err: unknown) => {
      assert.ok(err instanceof ParleyError && err.code === 'PAYLOAD_TOO_LARGE');
      assert.deepEqual(err.details.limit, { name: 'voiceRecordingSeconds', max: MAX_VOICE_RECORDING_SECONDS });
      return true;
    });
  });
});

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PocketsphinxTranscriber, detectPocketsphinx, parsePocketsphinxOutput } from '../../../src/providers/asr/pocketsphinx-transcriber.ts';
import { decodeWav } from '../../../src/audio/wav.ts';

/**
 * The CI round trip of the local recognizer: espeak-ng speaks a known sentence, sox converts it
 * to 16 kHz LINEAR_16 mono, pocketsphinx transcribes it through Parley's provider. Missing tools
 * FAIL the suite (never a silent skip) unless PARLEY_SKIP_ASR_TESTS=1 is set explicitly.
 */
const INSTALL = 'apt-get install espeak-ng pocketsphinx pocketsphinx-en-us sox';
const skip = process.env.PARLEY_SKIP_ASR_TESTS === '1';

function missingTools(): string[] {
  const missing = ['espeak-ng', 'sox'].filter((tool) => spawnSync(tool, ['--version']).error);
  const sphinx = detectPocketsphinx();
  if (typeof sphinx === 'string') missing.push(sphinx);
  return missing;
}

/** espeak-ng's klatt2 voice, slow and with word gaps: the most recognizable to the en-us model. */
const SENTENCE = 'hello i would like to check the status of my order please';

function words(text: string): string[] {
  return text.toLowerCase().split(/[^a-z']+/).filter(Boolean);
}

describe('local transcription round trip (espeak-ng → sox → pocketsphinx)', { skip: skip && 'PARLEY_SKIP_ASR_TESTS=1' }, () => {
  let dir: string;
  before(async () => {
    const missing = missingTools();
    assert.deepEqual(missing, [], `the local recognizer test needs: ${missing.join('; ')}. Install them: ${INSTALL} (or set PARLEY_SKIP_ASR_TESTS=1 outside CI)`);
    dir = await mkdtemp(join(tmpdir(), 'parley-asr-test-'));
  });
  after(async () => dir && rm(dir, { recursive: true, force: true }));

  it('transcribes a spoken sentence sharing at least half of its words, with word times inside the audio', async () => {
    const spoken = join(dir, 'spoken.wav');
    const converted = join(dir, 'converted.wav');
    execFileSync('espeak-ng', ['-v', 'en-us+klatt2', '-s', '140', '-g', '8', '-w', spoken, SENTENCE]);
    execFileSync('sox', ['-D', spoken, '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', converted]);
    const wav = decodeWav(await readFile(converted));
    assert.equal(wav.sampleRateHertz, 16000);
    assert.equal(wav.channels.length, 1);
    const found = detectPocketsphinx();
    assert.ok(typeof found !== 'string', String(found));
    const utterances = await new PocketsphinxTranscriber(found).transcribe(wav.channels[0], 16000, { languageCode: 'en-US' });
    const heard = new Set(utterances.flatMap((u) => words(u.text)));
    const expected = words(SENTENCE);
    const shared = expected.filter((w) => heard.has(w));
    assert.ok(shared.length * 2 >= expected.length, `recognized "${utterances.map((u) => u.text).join(' | ')}": ${shared.length} of ${expected.length} words`);
    const seconds = wav.channels[0].length / 16000;
    for (const u of utterances) assert.ok(u.start >= 0 && u.start <= u.end && u.end <= seconds + 0.05, JSON.stringify(u));
  });

  it("resamples audio itself: espeak-ng's 22.05 kHz output straight into the recognizer", async () => {
    const spoken = join(dir, 'spoken22k.wav');
    execFileSync('espeak-ng', ['-v', 'en-us+klatt2', '-s', '140', '-g', '8', '-w', spoken, SENTENCE]);
    const wav = decodeWav(await readFile(spoken));
    assert.equal(wav.sampleRateHertz, 22050);
    const found = detectPocketsphinx();
    assert.ok(typeof found !== 'string');
    const utterances = await new PocketsphinxTranscriber(found).transcribe(wav.channels[0], 22050);
    const heard = new Set(utterances.flatMap((u) => words(u.text)));
    const shared = words(SENTENCE).filter((w) => heard.has(w));
    assert.ok(shared.length * 2 >= words(SENTENCE).length, `recognized "${utterances.map((u) => u.text).join(' | ')}"`);
  });

  it('hears nothing in silence and refuses a language it has no model for', async () => {
    const found = detectPocketsphinx();
    assert.ok(typeof found !== 'string');
    const asr = new PocketsphinxTranscriber(found);
    assert.deepEqual(await asr.transcribe(new Int16Array(16000), 16000), []);
    await assert.rejects(asr.transcribe(new Int16Array(16000), 16000, { languageCode: 'de-CH' }), /only a US English model/);
  });
});

describe('pocketsphinx output parsing', () => {
  it('turns word lines into utterances, dropping fillers and pronunciation variants', () => {
    const out = [
      'hello world',
      '<s> 0.000 0.220 0.998201',
      'hello 0.230 0.500 0.5',
      '<sil> 0.510 0.600 0.9',
      'world(2) 0.610 0.900 0.4',
      '[NOISE] 0.910 1.000 0.3',
      '</s> 1.010 1.200 1.000000',
      'again',
      '<s> 3.000 3.100 1.000100',
      'again 3.110 3.500 0.2',
      '</s> 3.510 3.600 1.0',
      '',
    ].join('\n');
    assert.deepEqual(parsePocketsphinxOutput(out), [
      { text: 'hello world', start: 0.23, end: 0.9 },
      { text: 'again', start: 3.11, end: 3.5 },
    ]);
    assert.deepEqual(parsePocketsphinxOutput(''), []);
  });
});

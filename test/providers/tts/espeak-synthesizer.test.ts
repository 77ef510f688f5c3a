import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { decodeWav } from '../../../src/audio/wav.ts';
import { EspeakSynthesizer, detectEspeak } from '../../../src/providers/tts/espeak-synthesizer.ts';
import { OpenAiSynthesizer } from '../../../src/providers/tts/openai-synthesizer.ts';
import { SpeechError } from '../../../src/providers/tts/speech-error.ts';
import { synthesizerFromConfig, type TtsConfig } from '../../../src/providers/tts/synthesizer-from-config.ts';

/**
 * espeak-ng for real: it is the embedded default, installed by .ci/run (apt-get install
 * espeak-ng). A missing binary fails here rather than skipping.
 */
function installed(voice = 'en-us') {
  const found = detectEspeak(voice);
  assert.ok(typeof found !== 'string', `${String(found)}: apt-get install espeak-ng`);
  return found;
}

async function collect(chunks: AsyncIterable<Int16Array>): Promise<{ pcm: Int16Array; chunks: number }> {
  const parts: Int16Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  const pcm = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    pcm.set(p, at);
    at += p.length;
  }
  return { pcm, chunks: parts.length };
}

describe('espeak-ng synthesizer', () => {
  it('finds espeak-ng and the rate its voice speaks at, and names a voice it does not have', () => {
    assert.deepEqual(installed(), { binary: 'espeak-ng', voice: 'en-us', sampleRateHertz: 22050 });
    assert.match(String(detectEspeak('zz-nonexistent')), /cannot speak with voice "zz-nonexistent"/);
  });

  it('yields the same samples as espeak-ng writes to a file, in several chunks for a long text', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(4) + '-v starts like an option but is only text.';
    const { pcm, chunks } = await collect(new EspeakSynthesizer(installed()).synthesize(text, new AbortController().signal));
    const file = decodeWav(execFileSync('espeak-ng', ['--stdout', '-v', 'en-us', '--stdin'], { input: text }));
    assert.deepEqual(pcm, file.channels[0]);
    assert.ok(chunks > 1, `${chunks} chunk(s)`);
  });

  it('stops when the caller aborts, and says when the binary is missing', async () => {
    const controller = new AbortController();
    const synth = new EspeakSynthesizer(installed());
    const iterator = synth.synthesize('A long text to speak. '.repeat(50), controller.signal)[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, false);
    controller.abort(new Error('client went away'));
    await assert.rejects(iterator.next(), /client went away/);

    const missing = new EspeakSynthesizer({ binary: '/nonexistent/espeak-ng', voice: 'en-us', sampleRateHertz: 22050 });
    await assert.rejects(collect(missing.synthesize('hello', new AbortController().signal)), (err: unknown) => {
      assert.ok(err instanceof SpeechError);
      assert.equal(err.failure, 'missing');
      assert.match(err.message, /not installed \(apt-get install espeak-ng\)/);
      return true;
    });
  });
});

describe('synthesizerFromConfig', () => {
  const config = (c: Partial<TtsConfig>): TtsConfig => ({ tts: 'auto', ttsBaseUrl: '', ttsApiKey: '', ttsModel: 'tts-1', ttsVoice: '', ...c });

  it('auto: the speech service when its URL is set, else espeak-ng', () => {
    const remote = synthesizerFromConfig(config({ ttsBaseUrl: 'http://127.0.0.1:1' }));
    assert.ok(remote instanceof OpenAiSynthesizer);
    assert.equal(remote.name, 'openai:tts-1');
    const local = synthesizerFromConfig(config({}));
    assert.ok(local instanceof EspeakSynthesizer);
    assert.equal(local.sampleRateHertz, 22050);
  });

  it('openai and local insist on their provider; off speaks nothing', () => {
    assert.throws(() => synthesizerFromConfig(config({ tts: 'openai' })), /PARLEY_TTS=openai needs PARLEY_TTS_BASE_URL/);
    assert.throws(() => synthesizerFromConfig(config({ tts: 'local', ttsVoice: 'zz-nonexistent' })), /PARLEY_TTS=local: .*zz-nonexistent/);
    assert.ok(synthesizerFromConfig(config({ tts: 'local', ttsVoice: 'en-gb' })) instanceof EspeakSynthesizer);
    assert.equal(synthesizerFromConfig(config({ tts: 'off', ttsBaseUrl: 'http://127.0.0.1:1' })), null);
  });
});

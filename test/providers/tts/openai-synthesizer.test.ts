import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OpenAiSynthesizer } from '../../../src/providers/tts/openai-synthesizer.ts';
import { SpeechError } from '../../../src/providers/tts/speech-error.ts';
import { DOUBLE_RATE, speechOf, startSpeechDouble, type SpeechDouble } from './openai-speech-double.ts';

const KEY = 'sk-test-speech';

async function collect(chunks: AsyncIterable<Int16Array>): Promise<Int16Array> {
  const parts: number[] = [];
  for await (const chunk of chunks) parts.push(...chunk);
  return Int16Array.from(parts);
}

describe('OpenAI-compatible speech (against a local double)', () => {
  let double: SpeechDouble;
  before(async () => {
    double = await startSpeechDouble(KEY);
  });
  after(() => double.close());

  const synth = (options: Partial<ConstructorParameters<typeof OpenAiSynthesizer>[0]> = {}) =>
    new OpenAiSynthesizer({ baseUrl: double.baseUrl, apiKey: KEY, model: 'tts-1', voice: 'nova', ...options });

  it('posts model, input, voice and pcm, and yields the 24 kHz samples, whole across torn chunks', async () => {
    const s = synth({ baseUrl: `${double.baseUrl}/v1/` });
    assert.equal(s.name, 'openai:tts-1');
    assert.equal(s.sampleRateHertz, DOUBLE_RATE);
    const pcm = await collect(s.synthesize('three little words', new AbortController().signal));
    assert.deepEqual(pcm, speechOf('three little words'));
    assert.deepEqual(double.requests.at(-1), { model: 'tts-1', input: 'three little words', voice: 'nova', responseFormat: 'pcm', authorization: `Bearer ${KEY}` });
  });

  it('yields the first audio before the server has sent the rest', async () => {
    double.holdBack();
    try {
      const iterator = synth().synthesize('streamed as it is spoken', new AbortController().signal)[Symbol.asyncIterator]();
      const first = await iterator.next();
      assert.ok(!first.done && first.value.length > 0);
      const total = speechOf('streamed as it is spoken').length;
      assert.ok(first.value.length < total, 'only part of the audio had been sent');
      double.release();
      let rest = 0;
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest += r.value.length;
      assert.equal(first.value.length + rest, total);
    } finally {
      double.release();
    }
  });

  it('retries a failure before any audio, and reports one that persists with its status', async () => {
    double.failNext(503, 1);
    const before = double.requests.length;
    assert.deepEqual(await collect(synth().synthesize('again', new AbortController().signal)), speechOf('again'));
    assert.equal(double.requests.length, before + 1);

    await assert.rejects(collect(synth({ apiKey: 'sk-wrong' }).synthesize('no', new AbortController().signal)), (err: unknown) => {
      assert.ok(err instanceof SpeechError);
      assert.equal(err.failure, 'http');
      assert.equal(err.status, 401);
      assert.equal(err.retryable, false);
      assert.match(err.message, /HTTP 401: .*Incorrect API key/);
      return true;
    });
    double.failNext(500, 3);
    await assert.rejects(collect(synth({ retries: 2 }).synthesize('down', new AbortController().signal)), (err: unknown) => err instanceof SpeechError && err.status === 500);
  });

  it('gives up on a server that stops sending, and on one that cannot be reached', async () => {
    double.stallNext();
    await assert.rejects(collect(synth({ timeoutMs: 300, retries: 0 }).synthesize('stalled', new AbortController().signal)), (err: unknown) => {
      assert.ok(err instanceof SpeechError);
      assert.equal(err.failure, 'timeout');
      return true;
    });
    await assert.rejects(collect(synth({ baseUrl: 'http://127.0.0.1:9', retries: 0 }).synthesize('nobody', new AbortController().signal)), (err: unknown) => {
      assert.ok(err instanceof SpeechError);
      assert.equal(err.failure, 'unreachable');
      return true;
    });
  });

  it('stops at once when the caller aborts', async () => {
    double.stallNext();
    const controller = new AbortController();
    const iterator = synth({ retries: 0 }).synthesize('cancelled', controller.signal)[Symbol.asyncIterator]();
    const next = iterator.next();
    controller.abort(new Error('client went away'));
    await assert.rejects(next, /client went away|aborted/i);
  });
});

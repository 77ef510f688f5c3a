import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ParleyError } from '../../../src/kernel/errors.ts';
import { OpenAiTranscriber, transcriberFromConfig, PocketsphinxTranscriber } from '../../../src/providers/asr/index.ts';
import { splitAtQuietPoints } from '../../../src/providers/asr/audio-chunks.ts';
import { startAsrDouble, tonesAt, type AsrDouble } from './openai-asr-double.ts';

describe('OpenAI-compatible transcriber (against a local server speaking the wire format)', () => {
  let server: AsrDouble;
  before(async () => {
    server = await startAsrDouble('sk-test');
  });
  after(async () => server.close());

  it('posts a 16 kHz mono WAV with model, verbose_json and language, and returns the segments as utterances', async () => {
    const asr = new OpenAiTranscriber({ baseUrl: server.baseUrl, apiKey: 'sk-test', model: 'whisper-1' });
    assert.equal(asr.name, 'openai:whisper-1');
    server.requests.length = 0;
    const utterances = await asr.transcribe(tonesAt(8000, 4, [[0.5, 1.2], [2, 3.1]]), 8000, { languageCode: 'en-US' });
    assert.deepEqual(server.requests.map(({ model, responseFormat, language, sampleRateHertz, channels }) => ({ model, responseFormat, language, sampleRateHertz, channels })), [
      { model: 'whisper-1', responseFormat: 'verbose_json', language: 'en', sampleRateHertz: 16000, channels: 1 },
    ]);
    assert.deepEqual(utterances.map((u) => u.text), ['tone 1', 'tone 2']);
    // The double sees the tone edges to within its 10 ms step and the resampler's few-ms ringing.
    assert.ok(Math.abs(utterances[0].start - 0.5) < 0.03 && Math.abs(utterances[0].end - 1.2) < 0.03, JSON.stringify(utterances[0]));
    assert.ok(Math.abs(utterances[1].start - 2) < 0.03 && Math.abs(utterances[1].end - 3.1) < 0.03, JSON.stringify(utterances[1]));
  });

  it('accepts a base URL that already ends in /v1', async () => {
    const asr = new OpenAiTranscriber({ baseUrl: `${server.baseUrl}/v1/`, apiKey: 'sk-test', model: 'm' });
    assert.deepEqual((await asr.transcribe(tonesAt(16000, 1, [[0.2, 0.4]]), 16000)).map((u) => u.text), ['tone 1']);
  });

  it('splits long audio at quiet points and shifts segment times back onto the whole recording', async () => {
    const asr = new OpenAiTranscriber({ baseUrl: server.baseUrl, apiKey: 'sk-test', model: 'whisper-1', maxChunkSeconds: 30 });
    server.requests.length = 0;
    const utterances = await asr.transcribe(tonesAt(16000, 70, [[5, 6], [27.5, 29.9], [40, 41], [65, 66]]), 16000);
    assert.equal(server.requests.length, 3);
    assert.ok(server.requests.every((r) => r.seconds <= 30));
    // No burst is cut in two: each comes back once, at its place on the 70 s timeline.
    assert.deepEqual(utterances.map((u) => Math.round(u.start)), [5, 28, 40, 65]);
    assert.deepEqual(utterances.map((u) => Math.round(u.end)), [6, 30, 41, 66]);
  });

  it('reports a failing or unreachable service as UNAVAILABLE (the job retries it)', async () => {
    const asr = new OpenAiTranscriber({ baseUrl: server.baseUrl, apiKey: 'sk-test', model: 'whisper-1' });
    server.failNext(503);
    await assert.rejects(asr.transcribe(tonesAt(16000, 1, [[0, 0.5]]), 16000), (err: unknown) => err instanceof ParleyError && err.code === 'UNAVAILABLE' && /503/.test(err.message));
    const badKey = new OpenAiTranscriber({ baseUrl: server.baseUrl, apiKey: 'wrong', model: 'whisper-1' });
    await assert.rejects(badKey.transcribe(tonesAt(16000, 1, [[0, 0.5]]), 16000), /401/);
    const down = new OpenAiTranscriber({ baseUrl: 'http://127.0.0.1:9', apiKey: 'x', model: 'whisper-1' });
    await assert.rejects(down.transcribe(tonesAt(16000, 1, [[0, 0.5]]), 16000), (err: unknown) => err instanceof ParleyError && err.code === 'UNAVAILABLE');
  });

  it('is chosen by transcriberFromConfig when a base URL is set; off means none', () => {
    const config = { asr: 'auto' as const, asrBaseUrl: server.baseUrl, asrApiKey: 'k', asrModel: 'whisper-1' };
    assert.ok(transcriberFromConfig(config) instanceof OpenAiTranscriber);
    assert.equal(transcriberFromConfig({ ...config, asr: 'off' }), null);
    assert.throws(() => transcriberFromConfig({ ...config, asr: 'openai', asrBaseUrl: '' }), /PARLEY_ASR_BASE_URL/);
    const local = transcriberFromConfig({ ...config, asrBaseUrl: '' });
    assert.ok(local === null || local instanceof PocketsphinxTranscriber);
  });
});

describe('splitAtQuietPoints', () => {
  it('covers the audio exactly, with spans no longer than the limit', () => {
    const pcm = tonesAt(1000, 95, [[0, 95]]);
    const spans = splitAtQuietPoints(pcm, 1000, 30);
    assert.equal(spans[0].start, 0);
    assert.equal(spans[spans.length - 1].end, pcm.length);
    for (let i = 1; i < spans.length; i++) assert.equal(spans[i].start, spans[i - 1].end);
    assert.ok(spans.every((s) => s.end - s.start <= 30_000));
    assert.deepEqual(splitAtQuietPoints(new Int16Array(10), 1000, 30), [{ start: 0, end: 10 }]);
    assert.deepEqual(splitAtQuietPoints(new Int16Array(0), 1000, 30), []);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyzerFromConfig, LlmAnalyzer, LocalAnalyzer, MalformedAnalysisError } from '../../../src/providers/analysis/index.ts';
import { loadConfig } from '../../../src/config.ts';
import { GOOD_ANSWER, startFakeLlm, type FakeLlm } from '../llm/openai-chat-double.ts';

const transcript = [
  { role: 'user' as const, text: 'Where is my parcel? It is five days late.' },
  { role: 'assistant' as const, text: 'It is delayed at the depot; I have no new date yet.' },
  { role: 'system' as const, text: 'Chat closed.' },
];
const signal = () => new AbortController().signal;

describe('LLM analyzer (OpenAI-compatible chat completions)', () => {
  let llm: FakeLlm;
  let analyzer: LlmAnalyzer;
  before(async () => {
    llm = await startFakeLlm({ apiKey: 'sk-test-123', model: 'gpt-test' });
    analyzer = new LlmAnalyzer({ baseUrl: llm.baseUrl, apiKey: 'sk-test-123', model: 'gpt-test', timeoutMs: 10_000 });
  });
  after(() => llm.close());

  it('sends the transcript in JSON mode with the key and model, and returns the checked answer', async () => {
    llm.reply({ ...GOOD_ANSWER, topics: ['  delivery delay ', 'refund', 'refund'] });
    const result = await analyzer.analyze(transcript, { signal: signal() });
    assert.deepEqual(result, { ...GOOD_ANSWER, topics: ['delivery delay', 'refund'] });
    const request = llm.requests.at(-1)!;
    assert.equal(request.authorization, 'Bearer sk-test-123');
    assert.equal(request.body.model, 'gpt-test');
    assert.deepEqual(request.body.response_format, { type: 'json_object' });
    assert.equal(request.body.messages[0].role, 'system');
    assert.match(request.body.messages[0].content, /"taskCompleted"/);
    assert.match(request.body.messages[1].content, /User: Where is my parcel\?.*\nAssistant: It is delayed/s);
    assert.equal(analyzer.name, 'llm');
    assert.equal(analyzer.version, 'gpt-test');
  });

  it('refuses a malformed answer: not JSON, a missing field, a wrong enum, a score out of range', async () => {
    const bad: (string | object)[] = [
      'Sure! The sentiment is negative.',
      { ...GOOD_ANSWER, taskCompleted: undefined },
      { ...GOOD_ANSWER, sentiment: 'furious' },
      { ...GOOD_ANSWER, sentimentScore: 3 },
      { ...GOOD_ANSWER, issues: [{ description: 'x', severity: 'critical' }] },
    ];
    for (const answer of bad) {
      llm.reply(answer);
      await assert.rejects(analyzer.analyze(transcript, { signal: signal() }), MalformedAnalysisError, JSON.stringify(answer));
    }
  });

  it('accepts JSON wrapped in a markdown fence (some servers do that even in JSON mode)', async () => {
    llm.reply(`\`\`\`json\n${JSON.stringify(GOOD_ANSWER)}\n\`\`\``);
    assert.equal((await analyzer.analyze(transcript, { signal: signal() })).sentiment, 'negative');
  });

  it('fails on an HTTP error: a wrong key (401) or model (404)', async () => {
    const wrongKey = new LlmAnalyzer({ baseUrl: llm.baseUrl, apiKey: 'sk-wrong', model: 'gpt-test', timeoutMs: 10_000 });
    await assert.rejects(wrongKey.analyze(transcript, { signal: signal() }), /HTTP 401.*Incorrect API key/);
    const wrongModel = new LlmAnalyzer({ baseUrl: llm.baseUrl, apiKey: 'sk-test-123', model: 'gpt-nope', timeoutMs: 10_000 });
    await assert.rejects(wrongModel.analyze(transcript, { signal: signal() }), /HTTP 404.*model_not_found|HTTP 404.*does not exist/);
  });

  it('analyzerFromConfig picks the LLM only when base URL and model are configured', () => {
    assert.ok(analyzerFromConfig(loadConfig({})) instanceof LocalAnalyzer);
    const configured = analyzerFromConfig(loadConfig({ PARLEY_LLM_BASE_URL: `${llm.baseUrl}/`, PARLEY_LLM_MODEL: 'gpt-test', PARLEY_LLM_API_KEY: 'k' }));
    assert.ok(configured instanceof LlmAnalyzer);
    assert.equal(configured.version, 'gpt-test');
    assert.throws(() => loadConfig({ PARLEY_LLM_MODEL: 'gpt-test' }), /PARLEY_LLM_BASE_URL and PARLEY_LLM_MODEL are set together/);
    assert.throws(() => loadConfig({ PARLEY_LLM_BASE_URL: 'ftp://x', PARLEY_LLM_MODEL: 'm' }), /must be an http\(s\) URL/);
    assert.throws(() => loadConfig({ PARLEY_LLM_TIMEOUT_MS: '200000' }), /at most 150000/);
  });
});

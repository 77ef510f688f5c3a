import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LlmError } from '../../../src/providers/llm/llm-error.ts';
import { OpenAiChat } from '../../../src/providers/llm/openai-chat.ts';
import { startFakeLlm, type FakeLlm } from './openai-chat-double.ts';

const signal = () => new AbortController().signal;
const question = { messages: [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'Where is my parcel?' }] };

async function collect(pieces: AsyncIterable<string>, into: string[] = []): Promise<string[]> {
  for await (const piece of pieces) into.push(piece);
  return into;
}

describe('OpenAI-compatible chat client', () => {
  let llm: FakeLlm;
  let chat: OpenAiChat;
  before(async () => {
    llm = await startFakeLlm({ apiKey: 'sk-test', model: 'gpt-test' });
    chat = new OpenAiChat({ baseUrl: llm.baseUrl, apiKey: 'sk-test', model: 'gpt-test', timeoutMs: 10_000 });
  });
  after(() => llm.close());

  it('completes: sends the model, the messages and JSON mode, and returns the first choice', async () => {
    llm.script({ pieces: ['{"a":', '1}'] });
    const answer = await chat.complete({ ...question, json: true, temperature: 0 }, { signal: signal() });
    assert.deepEqual(answer, { content: '{"a":1}', refusal: null, finishReason: 'stop' });
    const { authorization, body } = llm.requests.at(-1)!;
    assert.equal(authorization, 'Bearer sk-test');
    assert.equal(body.model, 'gpt-test');
    assert.equal(body.stream, false);
    assert.equal(body.temperature, 0);
    assert.deepEqual(body.response_format, { type: 'json_object' });
    assert.deepEqual(body.messages, question.messages);
  });

  it('streams the answer piece by piece, in order', async () => {
    llm.script({ pieces: ['It is ', 'at the ', 'depot.'] });
    assert.deepEqual(await collect(chat.stream(question, { signal: signal() })), ['It is ', 'at the ', 'depot.']);
    assert.equal(llm.requests.at(-1)!.body.stream, true);
  });

  it('retries a failure that came before any answer (503), and not a refusal of the key (401)', async () => {
    const before = llm.requests.length;
    llm.script({ status: 503 }, { pieces: ['Retried.'] });
    assert.deepEqual(await collect(chat.stream(question, { signal: signal() })), ['Retried.']);
    assert.equal(llm.requests.length - before, 2);

    const wrongKey = new OpenAiChat({ baseUrl: llm.baseUrl, apiKey: 'sk-wrong', model: 'gpt-test', timeoutMs: 10_000 });
    const count = llm.requests.length;
    await assert.rejects(wrongKey.complete(question, { signal: signal() }), (err: unknown) =>
      err instanceof LlmError && err.failure === 'http' && err.status === 401 && /Incorrect API key/.test(err.message));
    assert.equal(llm.requests.length - count, 1);
  });

  it('gives up after its retries', async () => {
    const once = new OpenAiChat({ baseUrl: llm.baseUrl, apiKey: 'sk-test', model: 'gpt-test', timeoutMs: 10_000, retries: 1 });
    llm.script({ status: 500 }, { status: 502 }, { pieces: ['the next call'] });
    await assert.rejects(once.complete(question, { signal: signal() }), (err: unknown) => err instanceof LlmError && err.status === 502);
    assert.deepEqual((await once.complete(question, { signal: signal() })).content, 'the next call');
  });

  it('fails mid-answer without retrying: an error object in the stream, or a cut connection', async () => {
    for (const failure of [{ errorAfter: 2 }, { dropAfter: 2 }, { dropAfter: 3 }]) {
      const count = llm.requests.length;
      llm.script({ pieces: ['one ', 'two ', 'three'], ...failure });
      const seen: string[] = [];
      await assert.rejects(collect(chat.stream(question, { signal: signal() }), seen), (err: unknown) =>
        err instanceof LlmError && err.failure === 'interrupted', JSON.stringify(failure));
      assert.deepEqual(seen, ['one ', 'two ', 'three'].slice(0, Object.values(failure)[0]));
      assert.equal(llm.requests.length - count, 1, 'an answer already begun is not retried');
    }
  });

  it('gives up on a stream that stalls, and stops when the caller aborts', async () => {
    const impatient = new OpenAiChat({ baseUrl: llm.baseUrl, apiKey: 'sk-test', model: 'gpt-test', timeoutMs: 300, retries: 0 });
    llm.script({ pieces: ['a ', 'b'], stallAfter: 1 });
    const seen: string[] = [];
    await assert.rejects(collect(impatient.stream(question, { signal: signal() }), seen), (err: unknown) => err instanceof LlmError && err.failure === 'timeout');
    assert.deepEqual(seen, ['a ']);

    const caller = new AbortController();
    llm.script({ pieces: ['first ', 'second'], stallAfter: 1 });
    const pieces: string[] = [];
    await assert.rejects((async () => {
      for await (const piece of chat.stream(question, { signal: caller.signal })) {
        pieces.push(piece);
        caller.abort(new Error('the client went away'));
      }
    })(), /the client went away/);
    assert.deepEqual(pieces, ['first ']);
  });
});

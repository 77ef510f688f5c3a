import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LlmAnswerer } from '../../../../src/core/agents/runtime/llm-answerer.ts';
import type { AnswerRequest, TurnRecord } from '../../../../src/core/agents/runtime/answerer.ts';
import { LlmError } from '../../../../src/providers/llm/llm-error.ts';
import { OpenAiChat } from '../../../../src/providers/llm/openai-chat.ts';
import type { KnowledgePassage } from '../../../../src/store/knowledge.ts';
import { startFakeLlm, type FakeLlm } from '../../../providers/llm/openai-chat-double.ts';

const passage: KnowledgePassage = {
  documentId: 'd', documentName: 'help.md', position: 0, heading: 'Harbor Bikes help › Opening hours',
  text: 'Our shop is open on Saturday from 10am to 4pm.', score: 0.1, coverage: 1,
};

describe('an agent answered by an OpenAI-compatible chat model', () => {
  let llm: FakeLlm;
  let answerer: LlmAnswerer;

  before(async () => {
    llm = await startFakeLlm({ apiKey: 'sk-test', model: 'gpt-test' });
    answerer = new LlmAnswerer(new OpenAiChat({ baseUrl: llm.baseUrl, apiKey: 'sk-test', model: 'gpt-test', timeoutMs: 10_000, retries: 0 }));
  });
  after(() => llm.close());

  function request(overrides: Partial<AnswerRequest> = {}): AnswerRequest & { records: TurnRecord[] } {
    const records: TurnRecord[] = [];
    return {
      agent: { name: 'Harbor help', instructions: 'You answer questions about Harbor Bikes.', topics: [] },
      history: [{ role: 'agent', text: 'Hello, how can I help?' }, { role: 'user', text: 'Hi!' }],
      question: 'When are you open on Saturday?',
      passages: [passage],
      signal: new AbortController().signal,
      record: (r) => records.push(r),
      records,
      ...overrides,
    };
  }

  it('sends the instructions, the passages and the conversation, and passes the pieces on as they stream', async () => {
    llm.script({ pieces: ['We are open ', 'on Saturday ', 'from 10am to 4pm.'] });
    const turn = request();
    const pieces: string[] = [];
    for await (const piece of answerer.answer(turn)) pieces.push(piece);
    assert.deepEqual(pieces, ['We are open ', 'on Saturday ', 'from 10am to 4pm.']);

    const sent = llm.requests.at(-1)!.body;
    assert.equal(sent.stream, true);
    assert.deepEqual(sent.messages.map((m) => m.role), ['system', 'assistant', 'user', 'user']);
    assert.match(sent.messages[0].content, /You answer questions about Harbor Bikes\./);
    assert.match(sent.messages[0].content, /never invent facts/);
    assert.match(sent.messages[0].content, /\[1\] help\.md > Harbor Bikes help › Opening hours\nOur shop is open on Saturday from 10am to 4pm\./);
    assert.equal(sent.messages[3].content, 'When are you open on Saturday?');

    assert.equal(turn.records.length, 1);
    const [call] = turn.records[0].calls;
    assert.equal(call.name, 'chat.completions gpt-test');
    assert.equal(call.output, 'We are open on Saturday from 10am to 4pm.');
    assert.equal(turn.records[0].answeredFromKnowledge, true);
  });

  it('tells the model when no passage matches, so it can say it does not know', async () => {
    llm.script({ pieces: ["I don't know that."] });
    for await (const _ of answerer.answer(request({ passages: [] }))) { /* drain */ }
    assert.match(llm.requests.at(-1)!.body.messages[0].content, /Knowledge passages: none match this question\./);
  });

  it('fails with the provider error when the stream breaks mid-answer, after the pieces already sent, and records nothing', async () => {
    llm.script({ pieces: ['We are ', 'open ', 'never sent'], errorAfter: 2 });
    const turn = request();
    const pieces: string[] = [];
    await assert.rejects(async () => {
      for await (const piece of answerer.answer(turn)) pieces.push(piece);
    }, LlmError);
    assert.deepEqual(pieces, ['We are ', 'open ']);
    assert.equal(turn.records.length, 0);
  });
});

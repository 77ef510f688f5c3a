import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDriver } from '../../../helpers/db.ts';
import { useCore } from '../../../helpers/core.ts';
import type { AgentScope } from '../../../../src/core/agents/agents.ts';
import { LocalAnswerer } from '../../../../src/core/agents/runtime/local-answerer.ts';
import { unknownAnswer, type TurnRecord } from '../../../../src/core/agents/runtime/answerer.ts';
import { piecesOf } from '../../../../src/core/agents/runtime/pieces.ts';
import { HELP, WARRANTY } from '../harbor-help.ts';

const scope: AgentScope = { customerId: 'acme', profileId: null, what: 'agent' };

/** Facts only the knowledge base holds: an honest "I don't know" must contain none of them. */
const FACTS = /9am|6pm|10am|4pm|30 days|5 business days|CHF 89|two working days|lifetime|two years/;

it('pieces: joined, they are the reply exactly', () => {
  for (const text of ['', 'one', 'a b c d e f g h i', '  leading and trailing  ', 'new\nline  and\ttabs']) {
    assert.equal(piecesOf(text, 3).join(''), text);
  }
  assert.deepEqual(piecesOf('a b c d e', 2), ['a b', ' c d', ' e']);
});

forEachDriver('the local retrieval agent answers from its knowledge only', (kind) => {
  const ctx = useCore(kind);
  let agentId: string;
  const local = new LocalAnswerer();

  before(async () => {
    const agent = await ctx.core.agents.create(scope, {
      name: 'Harbor help', instructions: 'Answer bike shop questions.',
      knowledge: [{ name: 'help.md', content: HELP, mediaType: 'text/markdown' }, { name: 'warranty.txt', content: WARRANTY, mediaType: 'text/plain' }],
    });
    agentId = agent.id;
  });

  async function ask(question: string): Promise<{ reply: string; pieces: string[]; record?: TurnRecord }> {
    const passages = await ctx.core.knowledge.search(scope, agentId, 'edge', question, 5);
    let record: TurnRecord | undefined;
    const pieces: string[] = [];
    const agent = { name: 'Harbor help', instructions: '', topics: [] };
    for await (const piece of local.answer({ agent, history: [], question, passages, signal: new AbortController().signal, record: (r) => { record = r; } })) {
      pieces.push(piece);
    }
    return { reply: pieces.join(''), pieces, record };
  }

  it('answers a question its knowledge answers with the fact, trimmed to what answers it', async () => {
    const hours = await ask('When are you open on Saturday?');
    assert.match(hours.reply, /Saturday from 10am to 4pm/);
    assert.doesNotMatch(hours.reply, /refund|CHF/i);
    assert.ok(hours.pieces.length > 1, 'streamed in pieces');
    assert.equal(hours.record?.answeredFromKnowledge, true);
    assert.equal(hours.record?.passages[0].documentName, 'help.md');

    assert.match((await ask('How long do refunds take?')).reply, /5 business days/);
    assert.match((await ask('How much does a service cost?')).reply, /CHF 89/);
    assert.match((await ask('Is there a warranty on the frame?')).reply, /lifetime warranty/);
  });

  it('says plainly it does not know, and offers a person, when its knowledge does not answer', async () => {
    for (const question of ['Who won the football world cup in 2014?', 'Can I bring my dog into the shop?', 'Do you sell electric scooters?']) {
      const { reply, record } = await ask(question);
      assert.equal(reply, unknownAnswer(), question);
      assert.doesNotMatch(reply, FACTS, question);
      assert.equal(record?.answeredFromKnowledge, false);
    }
  });

  it('stops streaming when the caller aborts', async () => {
    const passages = await ctx.core.knowledge.search(scope, agentId, 'edge', 'When are you open on Saturday?', 5);
    const controller = new AbortController();
    const pieces: string[] = [];
    const agent = { name: 'Harbor help', instructions: '', topics: [] };
    for await (const piece of local.answer({ agent, history: [], question: 'When are you open on Saturday?', passages, signal: controller.signal, record: () => undefined })) {
      pieces.push(piece);
      controller.abort();
    }
    assert.equal(pieces.length, 1);
  });

  it('greets with the configured greeting, or with its name and what it knows', async () => {
    const join = async (it: AsyncIterable<string>) => { let s = ''; for await (const p of it) s += p; return s; };
    assert.equal(await join(local.greet({ name: 'Harbor help', instructions: '', greeting: 'Welcome to Harbor Bikes!', topics: [] })), 'Welcome to Harbor Bikes!');
    assert.equal(await join(local.greet({ name: 'Harbor help', instructions: '', topics: ['opening hours', 'returns', 'servicing'] })),
      "Hello, I'm Harbor help. I can help with opening hours, returns and servicing. How can I help you?");
  });
});

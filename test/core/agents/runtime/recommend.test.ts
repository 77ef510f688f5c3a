import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recommendFromKnowledge } from '../../../../src/core/agents/runtime/local-answerer.ts';
import type { KnowledgePassage } from '../../../../src/store/knowledge.ts';

const passage = (heading: string, text: string, position = 0): KnowledgePassage => ({
  documentId: 'd', documentName: 'help.md', position, heading, text, score: 0, coverage: 0,
});
const agent = { name: 'Harbor help', instructions: '', topics: ['shipping rates'] };

describe('recommended responses from the knowledge (local agent)', () => {
  it('turns the last heading part into a short question; keeps an acronym and a heading that asks', () => {
    const got = recommendFromKnowledge({
      agent, history: [{ role: 'agent', text: 'Hello!' }],
      passages: [passage('Help › Opening hours', 'Open 9 to 5.'), passage('VAT rates', 'VAT is 8%.', 1), passage('Do you ship abroad?', 'Yes.', 2)],
    });
    assert.deepEqual(got, ['Can you tell me about opening hours?', 'Can you tell me about VAT rates?', 'Do you ship abroad?']);
  });

  it('leaves out the passage just answered from, questions already asked and repeats; at most three', () => {
    const history = [
      { role: 'user' as const, text: 'Do you ship abroad?' },
      { role: 'agent' as const, text: 'Bikes can be returned within 30 days for a full refund.' },
    ];
    const got = recommendFromKnowledge({
      agent, history,
      passages: [
        passage('Returns', 'Bikes can be returned within 30 days for a full refund. Keep the receipt.'),
        passage('Do you ship abroad?', 'Yes.', 1), passage('Hours', 'a', 2), passage('Hours', 'b', 3),
        passage('Brakes', 'c', 4), passage('Bells', 'd', 5), passage('Locks', 'e', 6),
      ],
    });
    assert.deepEqual(got, ['Can you tell me about hours?', 'Can you tell me about brakes?', 'Can you tell me about bells?']);
  });

  it('falls back to the topics its knowledge covers when no passage has a heading', () => {
    assert.deepEqual(recommendFromKnowledge({ agent, history: [], passages: [passage('', 'Text only.')] }), ['Can you tell me about shipping rates?']);
    assert.deepEqual(recommendFromKnowledge({ agent: { ...agent, topics: [] }, history: [], passages: [] }), []);
  });
});

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { AnalysisResult, Transcript } from '../../../src/providers/analysis/analyzer.ts';
import { analyzeTranscript } from '../../../src/providers/analysis/local-analyzer.ts';
import { loadNlp } from '../../../src/providers/analysis/nlp.ts';

const user = (text: string) => ({ role: 'user' as const, text });
const agent = (text: string) => ({ role: 'assistant' as const, text });

/*
 * The conversations issue 18 names (sarcasm, slang and emoji, politeness around a failure, anger
 * around a success, an agent's unanswered question, a user giving up, a promised call-back): their
 * sentiment and task completion, and that summary and topics stay about the request.
 */
describe('local analyzer on the hard cases', () => {
  before(() => loadNlp());

  function expectReading(transcript: Transcript, sentiment: AnalysisResult['sentiment'], taskCompleted: boolean): AnalysisResult {
    const r = analyzeTranscript(transcript);
    assert.deepEqual({ sentiment: r.sentiment, taskCompleted: r.taskCompleted }, { sentiment, taskCompleted }, JSON.stringify(r));
    return r;
  }

  it('sarcasm: praise next to a problem is negative, and nothing was done', () => {
    const r = expectReading([
      user('Is the internet down in my area again?'),
      agent('Yes, there is an outage in your area. Our engineers are working on it.'),
      user('Wow, a third outage this week. You guys really are the best.'),
    ], 'negative', false);
    assert.ok(r.sentimentScore < 0);
    assert.match(r.summary, /^The user wrote: "Is the internet down in my area again\?" The agent: "Our engineers are working on it\." Not resolved/);
    assert.ok(r.topics.includes('outage'), JSON.stringify(r.topics));
    assert.ok(!r.topics.some((t) => ['guy', 'best'].includes(t)), JSON.stringify(r.topics));
  });

  it('slang and typos: "so broken lol, cant pay" is negative', () => {
    const r = expectReading([user('this checkout page is so broken lol, cant pay'), agent('Sorry about that! Which browser are you using?')], 'negative', false);
    assert.ok(r.topics.includes('checkout page'), JSON.stringify(r.topics));
    assert.match(r.summary, /"this checkout page is so broken lol, cant pay"/, 'the user is quoted as typed');
  });

  it('emoji: "sorted, ty 🙏" after a fix is positive and completed', () => {
    const r = expectReading([
      user('my invoice shows the wrong company name'),
      agent("I've corrected it and re-issued the invoice, it's in your inbox."),
      user('sorted, ty 🙏'),
    ], 'positive', true);
    assert.ok(r.topics.includes('billing'), JSON.stringify(r.topics));
    assert.match(r.summary, /The agent: "I've corrected it and re-issued the invoice/);
    assert.match(r.summary, /Resolved; the user ended positive\.$/);
  });

  it('an angry emoji after a fix is still negative', () => {
    expectReading([user('Can you move my flight to the morning?'), agent("I've moved you to the 15:40, the earliest with seats."), user('15:40. so i miss the whole first day. great. 😡')], 'negative', true);
  });

  it('politeness around a failure is negative and not completed', () => {
    expectReading([
      user('Where is my replacement blender? It was promised last week.'),
      agent("Appreciate your patience! Unfortunately the replacement still hasn't shipped, and we have no date yet."),
      user("Thanks for being honest, but sadly that's too late for me. I'll go elsewhere."),
    ], 'negative', false);
  });

  it('anger around a success is negative and completed', () => {
    expectReading([
      user('I returned the jacket a month ago and still no refund.'),
      agent("I'm sorry. I've issued the refund of $89 today."),
      user('Refund received. Never again.'),
    ], 'negative', true);
  });

  it("a conversation that ends with the agent's own question is not completed", () => {
    expectReading([user('My parcel came back to you, can you resend it?'), agent('Of course, we can resend it free of charge. Which address should we ship it to?')], 'neutral', false);
    const r = expectReading([user('I want to return my shoes.'), agent('Happy to help with that. What is your order number?')], 'neutral', false);
    assert.ok(!r.topics.includes('happy'), JSON.stringify(r.topics));
  });

  it('a user who gives up, or a promised call-back, is not completed', () => {
    expectReading([user('how do i export my contacts'), agent('Which app version are you on?'), user('nvm, not worth it')], 'neutral', false);
    expectReading([
      user('I was charged twice for March.'),
      agent("I'm sorry about that. Someone from billing will call you back tomorrow to sort it out."),
      user('Ok, thanks.'),
    ], 'neutral', false);
  });

  it('a refund that lands later is still a completed refund', () => {
    expectReading([user('I was charged twice.'), agent("I've refunded the duplicate charge; it will appear on your card in 3-5 days."), user('Great, thank you so much!')], 'positive', true);
  });
});

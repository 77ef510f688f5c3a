import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { evaluate, loadPart, type LabelledConversation, type Part } from '../../../bench/insights-accuracy.ts';
import { checkAnalysisResult, type Transcript } from '../../../src/providers/analysis/analyzer.ts';
import { LocalAnalyzer, analyzeTranscript } from '../../../src/providers/analysis/local-analyzer.ts';
import { loadNlp, readSentences } from '../../../src/providers/analysis/nlp.ts';
import { reportsAction } from '../../../src/providers/analysis/task-completion.ts';

const user = (text: string) => ({ role: 'user' as const, text });
const agent = (text: string) => ({ role: 'assistant' as const, text });

/*
 * Accuracy floors, a few points under what bench/insights-accuracy.ts measures (bench/RESULTS.md:
 * held-out 91.7% sentiment, 91.7% task — 132 of 144 each, so 0.89 allows four more misses —;
 * non-English 72.2%, 83.3%), so a change that loses accuracy fails here. The held-out and
 * non-English parts are only measured, never tuned on.
 */
describe('local analyzer on the labelled sets', () => {
  const floors: { part: Part; sentiment: number; task: number; size: number }[] = [
    { part: 'heldout', sentiment: 0.89, task: 0.89, size: 120 },
    { part: 'non-english', sentiment: 0.69, task: 0.75, size: 30 },
    { part: 'dev', sentiment: 0.94, task: 0.93, size: 200 },
    { part: 'dev-2', sentiment: 0.94, task: 0.93, size: 150 },
    { part: 'legacy', sentiment: 0.94, task: 0.93, size: 120 },
  ];
  for (const floor of floors) {
    it(`${floor.part}: sentiment ≥ ${floor.sentiment}, task completion ≥ ${floor.task}`, async () => {
      const set = await loadPart(floor.part);
      assert.ok(set.length >= floor.size, `at least ${floor.size} conversations, got ${set.length}`);
      const e = await evaluate(set);
      assert.ok(e.sentimentAccuracy >= floor.sentiment, `sentiment accuracy ${e.sentimentAccuracy}`);
      assert.ok(e.taskAccuracy >= floor.task, `task accuracy ${e.taskAccuracy}`);
    });
  }

  it('the sets are balanced enough that a constant answer scores far below the floors', async () => {
    for (const part of ['heldout', 'dev', 'dev-2', 'legacy'] as const) {
      const set: LabelledConversation[] = await loadPart(part);
      for (const label of ['positive', 'neutral', 'negative']) {
        const share = set.filter((c) => c.sentiment === label).length / set.length;
        assert.ok(share >= 0.2 && share <= 0.45, `${part} ${label}: ${share}`);
      }
      const completed = set.filter((c) => c.taskCompleted).length / set.length;
      assert.ok(completed >= 0.35 && completed <= 0.65, `${part} taskCompleted share ${completed}`);
    }
  });
});

describe('local analyzer', () => {
  before(() => loadNlp());

  it('reads a resolved, grateful conversation as positive and completed', () => {
    const r = analyzeTranscript([
      user('Hello, my invoice shows a late fee although I paid on time.'),
      agent('You are right, the payment arrived before the due date. I have removed the late fee from your invoice.'),
      user('Thank you so much, that was really quick!'),
    ]);
    assert.equal(r.sentiment, 'positive');
    assert.ok(r.sentimentScore > 0);
    assert.equal(r.taskCompleted, true);
    assert.ok(r.topics.includes('billing'), JSON.stringify(r.topics));
    assert.match(r.summary, /late fee although I paid on time/);
    assert.match(r.summary, /I have removed the late fee/);
    assert.deepEqual(r.issues, []);
  });

  it('weights the end: angry at first, satisfied at the end is positive', () => {
    const r = analyzeTranscript([
      user('This is ridiculous, my card was charged three times!'),
      agent("I'm sorry. I've refunded both extra charges."),
      user('Oh great, thank you so much for fixing it!'),
    ]);
    assert.equal(r.sentiment, 'positive');
    assert.equal(r.taskCompleted, true);
  });

  it('reads a refusal and a frustrated user as negative and not completed, with issues', () => {
    const r = analyzeTranscript([
      user('I need to change the name on my plane ticket.'),
      agent("Unfortunately name changes aren't possible on this fare. You would need to buy a new ticket."),
      user('That is absurd. I am filing a complaint.'),
    ]);
    assert.equal(r.sentiment, 'negative');
    assert.ok(r.sentimentScore < 0);
    assert.equal(r.taskCompleted, false);
    assert.ok(r.issues.some((i) => i.severity === 'high' && /complaint/.test(i.description)), JSON.stringify(r.issues));
    assert.ok(r.issues.some((i) => i.description.startsWith('Request not resolved: I need to change the name')));
  });

  it('handles negation: "not happy" is negative, "no problem" with a fix is not', () => {
    assert.equal(analyzeTranscript([user('I am not happy with the repair at all.')]).sentiment, 'negative');
    const fine = analyzeTranscript([user('The app keeps logging me out.'), agent("I've reset your session. Please try again."), user('No problem anymore, it works now.')]);
    assert.notEqual(fine.sentiment, 'negative');
    assert.equal(fine.taskCompleted, true);
  });

  it('treats a bare acknowledgement as neutral, not as praise', () => {
    const r = analyzeTranscript([user('What are your opening hours on Sunday?'), agent('We are open from 10 am to 4 pm on Sundays.'), user('Ok.')]);
    assert.equal(r.sentiment, 'neutral');
    assert.equal(r.taskCompleted, true);
  });

  it('a hand-off or a wait is not completed', () => {
    const r = analyzeTranscript([user('My thermostat shows error 42.'), agent("I'm transferring you to a specialist who will follow up within 2 days."), user('Ok, I will wait.')]);
    assert.equal(r.taskCompleted, false);
  });

  it('tells a reported action from a promise or a condition', () => {
    const done = (text: string) => reportsAction(readSentences(text)[0]);
    assert.equal(done("I've refunded the duplicate charge."), true);
    assert.equal(done('Your booking is cancelled.'), true);
    assert.equal(done('Done.'), true);
    assert.equal(done('I can refund the charge if you send the receipt.'), false);
    assert.equal(done('Refunds are issued once the return is processed.'), false);
    assert.equal(done("I haven't refunded it yet."), false);
  });

  it('an empty transcript, or one with only system lines, gives neutral and not completed', () => {
    for (const transcript of [[], [{ role: 'system' as const, text: 'Call recorded.' }]] as Transcript[]) {
      const r = analyzeTranscript(transcript);
      assert.deepEqual({ sentiment: r.sentiment, score: r.sentimentScore, done: r.taskCompleted, summary: r.summary }, { sentiment: 'neutral', score: 0, done: false, summary: '' });
    }
  });

  it('its output always passes the shared result check', async () => {
    const analyzer = new LocalAnalyzer();
    for (const c of [...(await loadPart('dev')).slice(0, 20), ...(await loadPart('legacy')).slice(0, 10)]) {
      const r = await analyzer.analyze(c.messages, { signal: new AbortController().signal });
      assert.deepEqual(checkAnalysisResult(r), r);
    }
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(new LocalAnalyzer().analyze([user('hi')], { signal: controller.signal }), { name: 'AbortError' });
  });
});

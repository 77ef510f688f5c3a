/**
 * What well-kept libraries give on the same labelled sets, for bench/insights-accuracy.ts --baselines:
 * - sentiment from a lexicon library alone (wink-nlp's, VADER's rules with emoji, negation and
 *   contrast via `vader-sentiment`, nlp.js's `@nlpjs/sentiment`): each user turn scored, the last
 *   turn weighing 0.7 and the earlier ones 0.3, the two class bounds chosen on the dev part;
 * - a bag-of-words classifier (words and word pairs of the last user and agent turns, the same
 *   logistic regression as the analyzer's model) trained on the dev part only;
 * - for task completion, the rule "the agent had the last word and did not ask".
 * None of them reads task completion the way the analyzer does; they show what the cues add.
 */
import { Container } from '@nlpjs/core';
import { LangEn } from '@nlpjs/lang-en';
import { SentimentAnalyzer } from '@nlpjs/sentiment';
import vader from 'vader-sentiment';
import { fit, predict } from '../src/providers/analysis/logistic.ts';
import { winkSentiment } from '../src/providers/analysis/nlp.ts';
import type { LabelledConversation, Part } from './insights-accuracy.ts';
import { percent } from './insights-accuracy.ts';

type Scorer = (text: string) => number | Promise<number>;

async function nlpjsScorer(): Promise<Scorer> {
  const container = new Container();
  container.use(LangEn);
  const analyzer = new SentimentAnalyzer({ container });
  return async (text) => (await analyzer.process({ locale: 'en', text })).sentiment.average;
}

const userTexts = (c: LabelledConversation) => c.messages.filter((m) => m.role === 'user').map((m) => m.text);

async function conversationScore(c: LabelledConversation, score: Scorer): Promise<number> {
  const turns = userTexts(c);
  if (turns.length === 0) return 0;
  const last = await score(turns[turns.length - 1]);
  if (turns.length === 1) return last;
  let earlier = 0;
  for (const t of turns.slice(0, -1)) earlier += await score(t);
  return 0.7 * last + (0.3 * earlier) / (turns.length - 1);
}

function classify(score: number, bounds: { positive: number; negative: number }): string {
  return score >= bounds.positive ? 'positive' : score < bounds.negative ? 'negative' : 'neutral';
}

/** The class bounds that score best on the dev part (a grid over the scores seen). */
function tuneBounds(scored: { score: number; label: string }[]): { positive: number; negative: number } {
  const candidates = [...new Set(scored.map((s) => Math.round(s.score * 100) / 100))].sort((a, b) => a - b);
  let best = { positive: 0.05, negative: -0.05 };
  let bestRight = -1;
  for (const negative of candidates) {
    for (const positive of candidates) {
      if (positive <= negative) continue;
      const right = scored.filter((s) => classify(s.score, { positive, negative }) === s.label).length;
      if (right > bestRight) [best, bestRight] = [{ positive, negative }, right];
    }
  }
  return best;
}

function bagOfWords(c: LabelledConversation): Record<string, number> {
  const features: Record<string, number> = {};
  const add = (prefix: string, text: string | undefined) => {
    const words = (text ?? '').toLowerCase().match(/[\p{L}\p{N}']+|\p{Extended_Pictographic}|[!?]/gu) ?? [];
    words.forEach((w, i) => {
      features[`${prefix}${w}`] = 1;
      if (i > 0) features[`${prefix}${words[i - 1]}_${w}`] = 1;
    });
  };
  add('u:', userTexts(c).at(-1));
  add('a:', c.messages.filter((m) => m.role === 'assistant').at(-1)?.text);
  return features;
}

function agentLastWord(c: LabelledConversation): boolean {
  const last = c.messages.filter((m) => m.role !== 'system').at(-1);
  return last?.role === 'assistant' && !last.text.trim().endsWith('?');
}

export async function baselineReport(sets: Map<Part, LabelledConversation[]>): Promise<string> {
  const dev = sets.get('dev');
  if (!dev) return 'The baselines are tuned on the dev part: include it in --parts.\n';
  const parts = [...sets.keys()].filter((p) => p !== 'non-english');
  const rows: string[] = [`| method | ${parts.map((p) => `${p} sentiment | ${p} task`).join(' | ')} |`, `|---|${parts.map(() => '---:|---:').join('|')}|`];
  const scorers: [string, Scorer][] = [
    ['wink-nlp sentiment (lexicon, negation)', (t) => winkSentiment(t)],
    ['vader-sentiment (VADER rules: emoji, negation, "but")', (t) => vader.SentimentIntensityAnalyzer.polarity_scores(t).compound],
    ['@nlpjs/sentiment (nlp.js, English)', await nlpjsScorer()],
  ];
  for (const [name, scorer] of scorers) {
    const devScores = await Promise.all(dev.map(async (c) => ({ score: await conversationScore(c, scorer), label: c.sentiment })));
    const bounds = tuneBounds(devScores);
    const cells: string[] = [];
    for (const part of parts) {
      const set = sets.get(part)!;
      let right = 0;
      for (const c of set) if (classify(await conversationScore(c, scorer), bounds) === c.sentiment) right += 1;
      cells.push(percent(right / set.length), '—');
    }
    rows.push(`| ${name}; bounds ${bounds.negative} / ${bounds.positive} | ${cells.join(' | ')} |`);
  }
  const options = { l2: 0.01, iterations: 400, learningRate: 0.5 };
  const sentimentModel = fit(['positive', 'neutral', 'negative'], dev.map((c) => ({ features: bagOfWords(c), label: c.sentiment })), options);
  const taskModel = fit(['true', 'false'], dev.map((c) => ({ features: bagOfWords(c), label: String(c.taskCompleted) })), options);
  const bow: string[] = [];
  const rule: string[] = [];
  for (const part of parts) {
    const set = sets.get(part)!;
    const s = set.filter((c) => predict(sentimentModel, bagOfWords(c)).label === c.sentiment).length / set.length;
    const t = set.filter((c) => predict(taskModel, bagOfWords(c)).label === String(c.taskCompleted)).length / set.length;
    bow.push(percent(s), percent(t));
    rule.push('—', percent(set.filter((c) => agentLastWord(c) === c.taskCompleted).length / set.length));
  }
  rows.push(`| bag of words + logistic regression, trained on dev (dev figures are its training fit) | ${bow.join(' | ')} |`);
  rows.push(`| task rule: the agent had the last word and did not ask | ${rule.join(' | ')} |`);
  return `#### Baselines (English parts)\n\n${rows.join('\n')}\n`;
}

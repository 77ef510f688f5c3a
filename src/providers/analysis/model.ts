import type { Sentiment } from './analyzer.ts';
import { sentimentFeatures, taskFeatures, type Reading } from './features.ts';
import { probabilities, type LogisticModel } from './logistic.ts';
import { MODEL } from './model-weights.ts';

/*
 * The local analyzer's decisions: two small logistic models over the features of features.ts,
 * trained on the development part of the labelled set by `npm run train:insights`
 * (scripts/train-insights.ts), weights in model-weights.ts.
 */

export const SENTIMENT_MODEL: LogisticModel = MODEL.sentiment;
export const TASK_MODEL: LogisticModel = MODEL.task;

/** The class, and a score -1 … 1: P(positive) - P(negative). */
export function judgeSentiment(reading: Reading): { sentiment: Sentiment; score: number } {
  if (reading.feelings.length === 0) return { sentiment: 'neutral', score: 0 };
  const p = probabilities(SENTIMENT_MODEL, sentimentFeatures(reading));
  const of = (label: Sentiment) => p[SENTIMENT_MODEL.classes.indexOf(label)];
  let best = 0;
  for (let i = 1; i < p.length; i += 1) if (p[i] > p[best]) best = i;
  return { sentiment: SENTIMENT_MODEL.classes[best] as Sentiment, score: Math.round((of('positive') - of('negative')) * 1000) / 1000 };
}

export function judgeTask(reading: Reading): boolean {
  // No agent in the conversation: done only when the user says so ("the replacement arrived, it's perfect").
  if (!reading.turns.some((t) => t.role === 'assistant' && t.sentences.length > 0)) return reading.ending.reply.confirmation > 0;
  const p = probabilities(TASK_MODEL, taskFeatures(reading));
  return p[TASK_MODEL.classes.indexOf('true')] > 0.5;
}

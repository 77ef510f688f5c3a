import type { Sentiment } from './analyzer.ts';
import {
  ACKNOWLEDGEMENT_WORDS, COMPLAINT, CONSOLATION, DELIGHT, EMPHATIC_GRATITUDE, GRATITUDE, matchesAny, normalForm,
} from './cues.ts';
import { winkSentiment, type Sentence } from './nlp.ts';

/*
 * How the end user feels, with the end weighing most: a customer who was angry and leaves
 * satisfied is a positive conversation. Each user turn is scored from its sentences.
 */
const RECENCY = 0.5;
const END_SHARE = 0.7;
/** Score bounds of the three classes; set once on test/fixtures/insights-labelled.json (bench/insights-accuracy.ts). */
export const POSITIVE_FROM = 0.25;
export const NEGATIVE_BELOW = -0.15;

const COMPLAINT_WEIGHT = 0.6;
const DELIGHT_WEIGHT = 0.5;
const EMPHATIC_GRATITUDE_WEIGHT = 0.5;
const PLAIN_GRATITUDE_WEIGHT = 0.1;

export function clamp(value: number, min = -1, max = 1): number {
  return Math.min(max, Math.max(min, value));
}

/** A sentence's feeling, -1 … 1. */
export function sentenceSentiment(sentence: Sentence): number {
  const words = sentence.tokens.filter((t) => t.pos !== 'PUNCT' && t.pos !== 'SYM');
  if (words.length === 0) return 0;
  const text = normalForm(sentence);
  const complaints = matchesAny(text, COMPLAINT);
  const consolation = CONSOLATION.test(text);
  let gratitude = 0;
  if (!consolation && GRATITUDE.test(text)) {
    gratitude = EMPHATIC_GRATITUDE.test(text) || /!/.test(sentence.text) ? EMPHATIC_GRATITUDE_WEIGHT : PLAIN_GRATITUDE_WEIGHT;
  }
  // The lexicon scores "ok" or "thanks" alone as strongly positive; score only what is left.
  const rest = words.filter((t) => !ACKNOWLEDGEMENT_WORDS.has(t.normal));
  const lexical = rest.length === 0 ? 0 : winkSentiment(rest.map((t) => t.space + t.text).join('').trim());
  if (complaints > 0) {
    // Praise inside a complaint is sarcasm or a concession ("Fantastic. Stuck here overnight.").
    return clamp(Math.min(lexical, 0) - COMPLAINT_WEIGHT * complaints);
  }
  const delight = matchesAny(text, DELIGHT) * DELIGHT_WEIGHT;
  return clamp(lexical + gratitude + delight - (consolation ? 0.2 : 0));
}

/** One turn's feeling: sentences add up (a turn of two complaints is more negative than one). */
export function turnSentiment(sentences: readonly Sentence[]): number {
  if (sentences.length === 0) return 0;
  const scores = sentences.map(sentenceSentiment);
  return clamp(scores.reduce((a, b) => a + b, 0) / Math.sqrt(scores.length));
}

/**
 * The end user's turns, oldest first, as their sentences. The last turn gives END_SHARE of the
 * score (where the user left it); the earlier ones the rest, each RECENCY times the one after it.
 */
export function conversationSentiment(userTurns: readonly (readonly Sentence[])[]): { sentiment: Sentiment; score: number } {
  if (userTurns.length === 0) return { sentiment: 'neutral', score: 0 };
  const last = turnSentiment(userTurns[userTurns.length - 1]);
  let weighted = 0;
  let weights = 0;
  userTurns.slice(0, -1).forEach((turn, i, earlier) => {
    const weight = RECENCY ** (earlier.length - 1 - i);
    weighted += weight * turnSentiment(turn);
    weights += weight;
  });
  const blended = weights === 0 ? last : END_SHARE * last + (1 - END_SHARE) * (weighted / weights);
  const score = Math.round(blended * 1000) / 1000;
  return { sentiment: classify(score), score };
}

export function classify(score: number): Sentiment {
  if (score >= POSITIVE_FROM) return 'positive';
  if (score < NEGATIVE_BELOW) return 'negative';
  return 'neutral';
}

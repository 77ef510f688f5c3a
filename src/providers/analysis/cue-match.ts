import type { Sentence } from './nlp.ts';

/**
 * A sentence's normal form as cues match it: the tokens' normal forms (chat shorthand spelled out,
 * contractions expanded) joined and padded by single spaces, so patterns anchor on word boundaries.
 * A few tokens wink keeps whole ("i'm in.") are split the same way.
 */
export function normalForm(sentence: Sentence): string {
  const joined = sentence.tokens.map((t) => t.normal).join(' ')
    .replace(/\b(i|you|we|they|he|she|it)'(m|re|s|ve|ll|d)\b/g, (_m, who: string, v: string) => `${who} ${CONTRACTED[v]}`)
    .replace(/([a-z])([.,!?])(?=\s|$)/g, '$1 $2');
  return ` ${joined} `;
}

const CONTRACTED: Record<string, string> = { m: 'am', re: 'are', s: 'is', ve: 'have', ll: 'will', d: 'would' };

/** How many of the patterns the text matches (each pattern counts once). */
export function matchesAny(text: string, patterns: readonly RegExp[]): number {
  let count = 0;
  for (const pattern of patterns) if (pattern.test(text)) count += 1;
  return count;
}

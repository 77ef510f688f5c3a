import { ILL_AS_I_WILL, SLANG, SPELLED_WORDS } from './cues/words.ts';
import type { Token } from './nlp.ts';

/*
 * Chat spelling, read as the words meant: shorthand ("ty", "cant", "nvm"), stretched words
 * ("youuu", "soooo") and one-letter slips in the words cues look for ("rediculous"). Only a
 * token's normal form changes; its text stays as typed, so summaries quote the user faithfully.
 */

/** Doubled letters a stretched word may keep ("sooo good" is "so good", "coool" is "cool"). */
const KEEPS_DOUBLE = new Set(['good', 'cool', 'too', 'soon', 'all', 'well', 'still', 'free', 'see', 'need', 'feel', 'sorry', 'really', 'happy', 'off', 'yess', 'week', 'keep', 'book', 'look', 'took', 'been', 'woohoo', 'wee', 'hmm', 'goodd', 'tomorrow', 'ffs', 'www', 'lol']);

/** "youuu" → "you", "sooo" → "so", "coool" → "cool": runs of three or more letters shortened. */
export function unstretch(word: string): string {
  if (!/([a-z])\1\1/.test(word)) return word;
  const two = word.replace(/([a-z])\1{2,}/g, '$1$1');
  return KEEPS_DOUBLE.has(two) ? two : word.replace(/([a-z])\1{2,}/g, '$1');
}

/** Edits (insertion, deletion, substitution, swap of neighbours) between a and b, or max + 1 when more. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j += 1) {
      if (i === 0) {
        rows[0].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i].push(d);
    }
  }
  return Math.min(rows[a.length][b.length], max + 1);
}

const SPELLED_BY_LENGTH = new Map<number, string[]>();
for (const w of SPELLED_WORDS) SPELLED_BY_LENGTH.set(w.length, [...(SPELLED_BY_LENGTH.get(w.length) ?? []), w]);

/** The cue word a misspelt token stands for, if exactly one is close: one edit, two for words of nine letters or more. */
function respelt(word: string): string | undefined {
  const max = word.length >= 9 ? 2 : 1;
  const candidates = [];
  for (let n = word.length - max; n <= word.length + max; n += 1) {
    for (const w of SPELLED_BY_LENGTH.get(n) ?? []) if (w[0] === word[0] && editDistance(word, w, max) <= max) candidates.push(w);
  }
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** Rewrites the tokens' normal forms in place. `isWord` tells the words wink's lexicon knows. */
export function spellOutChat(tokens: Token[], isWord: (word: string) => boolean): void {
  tokens.forEach((t, i) => {
    let normal = unstretch(t.normal);
    if (normal === 'ill' && ILL_AS_I_WILL.has(tokens[i + 1]?.pos ?? '')) normal = 'i will';
    normal = SLANG.get(normal) ?? normal;
    if (normal.length >= 5 && /^[a-z]+$/.test(normal) && !isWord(normal)) normal = respelt(normal) ?? normal;
    t.normal = normal;
  });
}

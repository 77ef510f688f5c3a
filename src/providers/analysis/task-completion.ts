import {
  COMPLETION_PHRASES, COMPLETION_VERBS, CONFIRMATION, DEFERRAL, INABILITY, matchesAny, normalForm, NOT_DONE, USER_UNRESOLVED,
} from './cues.ts';
import type { Sentence } from './nlp.ts';

/*
 * Whether the user's request was done, read from the end of the conversation: the agent's last two
 * turns (an action reported as done vs. a refusal, a hand-off or a wait) and the user's last two
 * (a confirmation vs. "I'll wait" / "still broken"). The latest turn of each side weighs most.
 */
const LOOK_BACK = [1, 0.5];
const WEIGHTS = { action: 1, confirmation: 1.5, inability: 1, deferral: 0.8, userUnresolved: 1.2 };

export interface Turn {
  role: 'user' | 'assistant';
  sentences: Sentence[];
}

const PERFECT_OR_PASSIVE = new Set(['have', 'has', 'is', 'are', 'was', 'were', 'been', 'be', 'got']);
const IRREGULAR_PARTICIPLES = new Set(['sent', 'done', 'set', 'made', 'paid', 'put', 'given', 'shipped', 'rebooked', 'reset']);

/** "I have refunded the charge", "Your booking is canceled", "Done." — not "I can refund it" or "refunds are issued once…". */
export function reportsAction(sentence: Sentence): boolean {
  const text = normalForm(sentence);
  if (matchesAny(text, COMPLETION_PHRASES) > 0) return true;
  if (NOT_DONE.test(text) || sentence.text.includes('?')) return false;
  const tokens = sentence.tokens;
  return tokens.some((t, i) => {
    if (t.negated || !COMPLETION_VERBS.has(t.lemma)) return false;
    if (!(t.normal.endsWith('ed') || IRREGULAR_PARTICIPLES.has(t.normal))) return false;
    const firstWord = tokens.slice(0, i).every((p) => p.pos === 'PUNCT' || p.pos === 'INTJ' || p.pos === 'ADV');
    const auxiliary = tokens.slice(Math.max(0, i - 3), i).some((p) => PERFECT_OR_PASSIVE.has(p.normal));
    return firstWord || auxiliary;
  });
}

function evidence(turn: Turn): number {
  let score = 0;
  for (const sentence of turn.sentences) {
    const text = normalForm(sentence);
    if (turn.role === 'assistant') {
      if (reportsAction(sentence)) score += WEIGHTS.action;
      score -= WEIGHTS.inability * Math.min(1, matchesAny(text, INABILITY));
      score -= WEIGHTS.deferral * Math.min(1, matchesAny(text, DEFERRAL));
    } else {
      score += WEIGHTS.confirmation * Math.min(1, matchesAny(text, CONFIRMATION));
      score -= WEIGHTS.userUnresolved * Math.min(1, matchesAny(text, USER_UNRESOLVED));
    }
  }
  return score;
}

/** True when the evidence for "done" outweighs the evidence against; with none either way, an answered request is done. */
export function taskCompleted(turns: readonly Turn[]): boolean {
  const dialogue = turns.filter((t) => t.sentences.length > 0);
  if (dialogue.length === 0) return false;
  let score = 0;
  let found = false;
  for (const role of ['assistant', 'user'] as const) {
    const own = dialogue.filter((t) => t.role === role).reverse();
    LOOK_BACK.forEach((weight, k) => {
      if (!own[k]) return;
      const e = evidence(own[k]);
      if (e !== 0) found = true;
      score += weight * e;
    });
  }
  if (found) return score > 0;
  // No cue either way: done when the agent had the last word, or the user only acknowledged it.
  const last = dialogue[dialogue.length - 1];
  return last.role === 'assistant' || !last.sentences.some((s) => s.text.includes('?'));
}

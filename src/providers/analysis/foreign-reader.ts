import type { Transcript } from './analyzer.ts';
import { FOREIGN_CUES, type ForeignCues } from './cues/foreign.ts';
import { EMOJI_VALENCE } from './cues/words.ts';
import type { Lens } from './features.ts';
import type { AnalysedLanguage } from './language.ts';
import type { Sentence, Token } from './nlp.ts';
import { clamp, readTurnFeeling, type SentenceFeeling } from './sentiment.ts';
import { capCounts, NO_MOVE, type AgentMove, type Turn, type UserReply } from './task-completion.ts';

/*
 * German, French and Spanish conversations, read into the same features as English ones (so the
 * same trained model judges them) with the cues of cues/foreign.ts. There is no tagger for these
 * languages here: tokens are words and punctuation, and cues are phrases, which reads plain
 * support chats; irony is praise next to a stated problem, as in English; contrast is read in English only.
 */

/** Lower case, accents and apostrophes folded: "Geändert" → "geandert", "C'est réglé" → "c est regle". */
export function fold(text: string): string {
  return text.toLowerCase().replace(/ß/g, 'ss').normalize('NFD').replace(/\p{M}/gu, '').replace(/['’`]/g, ' ');
}

const TOKEN = /[\p{L}\p{N}]+(?:[.,][\p{N}]+)*|\p{Extended_Pictographic}|[.,!?;:¿¡-]/gu;

function tokensOf(text: string): Token[] {
  const tokens: Token[] = [];
  let end = 0;
  for (const m of text.matchAll(TOKEN)) {
    const raw = m[0];
    const normal = fold(raw).trim();
    const pos = /^[.,!?;:¿¡-]$/.test(raw) ? 'PUNCT' : /\p{Extended_Pictographic}/u.test(raw) ? 'SYM' : /^\p{N}/u.test(raw) ? 'NUM' : 'X';
    tokens.push({ text: raw, normal, lemma: normal, stem: normal, pos, negated: false, stopWord: false, space: text.slice(end, m.index) });
    end = (m.index ?? 0) + raw.length;
  }
  return tokens;
}

export function readForeignSentences(text: string): Sentence[] {
  return text.split(/(?<=[.!?…])\s+|\n+/).map((s) => s.trim()).filter((s) => s !== '').map((s) => ({ text: s, tokens: tokensOf(s) }));
}

const padded = (sentence: Sentence) => ` ${sentence.tokens.map((t) => t.normal).join(' ')} `;

/** The lexicon's lean of a sentence: +1 / -1 a word, turned by a negator within the three words before. */
function lexical(sentence: Sentence, cues: ForeignCues): number {
  const words = sentence.tokens.filter((t) => t.pos === 'X').map((t) => t.normal);
  let sum = 0;
  words.forEach((w, i) => {
    const lean = cues.positive.has(w) ? 1 : cues.negative.has(w) ? -1 : 0;
    if (lean === 0 || cues.acknowledgement.has(w)) return;
    const negated = words.slice(Math.max(0, i - 3), i).some((p) => cues.negators.has(p));
    sum += negated ? -lean : lean;
  });
  return clamp(0.35 * sum);
}

function readSentence(sentence: Sentence, cues: ForeignCues): SentenceFeeling {
  const text = padded(sentence);
  const gratitude = cues.gratitude.test(text) ? (cues.emphaticGratitude.test(text) || sentence.text.includes('!') ? 2 : 1) : 0;
  let emoji = 0;
  for (const t of sentence.tokens) emoji += EMOJI_VALENCE.get(t.normal) ?? 0;
  return {
    text,
    lexical: lexical(sentence, cues),
    complaint: cues.complaint.test(text) ? 1 : 0,
    letdown: cues.letdown.test(text) ? 1 : 0,
    warmth: cues.warmth.test(text) ? 1 : 0,
    gratitude,
    consolation: false,
    // "Es funktioniert, super!" is sincere: a confirmation in the sentence keeps its praise praise.
    praise: cues.ironicPraise.test(text) && !cues.confirmation.test(text) ? 1 : 0,
    problem: cues.problem.test(text) ? 1 : 0,
    emoji,
  };
}

function agentMove(turn: Turn | undefined, cues: ForeignCues): AgentMove {
  if (!turn) return NO_MOVE;
  const move = { ...NO_MOVE };
  for (const sentence of turn.sentences) {
    const text = padded(sentence);
    const followUp = cues.followUp.test(text) ? 1 : 0;
    const action = cues.done.test(text) && !followUp ? 1 : 0;
    const handoff = cues.handoff.test(text) ? 1 : 0;
    const inability = cues.inability.test(text) ? 1 : 0;
    Object.assign(move, {
      action: move.action + action,
      followUp: move.followUp + followUp,
      handoff: move.handoff + handoff,
      inability: move.inability + inability,
      userStep: move.userStep + (cues.userStep.test(text) ? 1 : 0),
      apology: move.apology + (/ (entschuldig|tut mir leid|desole|excuse|lo siento|disculp|perdon)/.test(text) ? 1 : 0),
      statements: move.statements + (!sentence.text.includes('?') && action + followUp + handoff + inability === 0 && sentence.tokens.length >= 4 ? 1 : 0),
    });
  }
  const last = turn.sentences.at(-1);
  if (last?.text.includes('?')) {
    if (cues.closing.test(padded(last))) move.closing = 1;
    else move.asks = 1;
  }
  return capCounts(move);
}

function userReply(turns: readonly Turn[], cues: ForeignCues): UserReply {
  const texts = turns.flatMap((t) => t.sentences).map(padded);
  const count = (re: RegExp) => Math.min(2, texts.filter((t) => re.test(t)).length);
  return {
    confirmation: count(cues.confirmation),
    givingUp: count(cues.givingUp),
    stillBroken: count(cues.stillBroken),
    waiting: 0,
    question: turns.at(-1)?.sentences.at(-1)?.text.includes('?') ? 1 : 0,
    replied: turns.length > 0 ? 1 : 0,
  };
}

export function foreignLens(language: Exclude<AnalysedLanguage, 'en'>): Lens {
  const cues = FOREIGN_CUES[language];
  return {
    feeling: (sentences, troubled) => readTurnFeeling(sentences, (s) => readSentence(s, cues), troubled),
    ending: { agent: (turn) => agentMove(turn, cues), reply: (turns) => userReply(turns, cues) },
  };
}

export function toForeignTurns(transcript: Transcript): Turn[] {
  return transcript
    .filter((t): t is { role: 'user' | 'assistant'; text: string } => t.role !== 'system' && t.text.trim() !== '')
    .map((t) => ({ role: t.role, sentences: readForeignSentences(t.text) }));
}

/** Topics of a foreign conversation: the support categories its words point to (no noun phrases without a tagger). */
export function foreignTopics(turns: readonly Turn[], language: Exclude<AnalysedLanguage, 'en'>): string[] {
  const counts = new Map<string, number>();
  for (const t of turns.flatMap((turn) => turn.sentences).flatMap((s) => s.tokens)) counts.set(t.normal, (counts.get(t.normal) ?? 0) + 1);
  return Object.entries(FOREIGN_CUES[language].categories)
    .map(([name, ws]) => [name, ws.reduce((n, w) => n + (counts.get(w) ?? 0), 0)] as const)
    .filter(([, hits]) => hits >= 1)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([name]) => name);
}

import { readTurnFeeling, type TurnFeeling } from './sentiment.ts';
import type { Sentence } from './nlp.ts';
import { readEnding, verdictOf, type AgentMove, type Ending, type EndingReaders, type Turn } from './task-completion.ts';

/*
 * A conversation read once into named numbers: how each user turn feels (sentiment.ts) and how the
 * conversation ends (task-completion.ts). The trained model (model.ts) weighs them; the names are
 * the model file's keys, so a feature is renamed in both places or not at all.
 */

export interface Reading {
  turns: Turn[];
  /** The user's turns' feelings, oldest first. */
  feelings: TurnFeeling[];
  ending: Ending;
}

/** How a language is read: English by default; foreign-reader.ts makes one for German, French and Spanish. */
export interface Lens {
  /** `troubled`: an earlier user turn stated a problem or complained. */
  feeling(sentences: readonly Sentence[], troubled: boolean): TurnFeeling;
  ending: EndingReaders | undefined;
}

const ENGLISH: Lens = { feeling: (sentences, troubled) => readTurnFeeling(sentences, undefined, troubled), ending: undefined };

export function readConversation(turns: Turn[], lens: Lens = ENGLISH): Reading {
  const feelings: TurnFeeling[] = [];
  for (const t of turns) {
    if (t.role !== 'user') continue;
    feelings.push(lens.feeling(t.sentences, feelings.some((f) => f.problem > 0 || f.complaint > 0)));
  }
  return { turns, feelings, ending: readEnding(turns, lens.ending) };
}

export type Features = Record<string, number>;

const RECENCY = 0.5;

/** The earlier turns' feelings, each RECENCY times the weight of the one after it. */
function earlier(feelings: readonly TurnFeeling[], pick: (f: TurnFeeling) => number): number {
  let sum = 0;
  let weights = 0;
  feelings.forEach((f, i) => {
    const w = RECENCY ** (feelings.length - 1 - i);
    sum += w * pick(f);
    weights += w;
  });
  return weights === 0 ? 0 : sum / weights;
}

export function sentimentFeatures(r: Reading): Features {
  const last = r.feelings.at(-1);
  const before = r.feelings.slice(0, -1);
  // The last turn that says more than "ok": "Thanks for nothing. … Ok." ends where the feeling was.
  const lastTelling = [...r.feelings].reverse().find((f) => f.acknowledgementOnly === 0);
  if (!last) return {};
  const lastUser = r.turns.filter((t) => t.role === 'user').at(-1);
  return {
    // The user's last words themselves, beyond the cues: weighed by the model, each weakly (its L2 penalty).
    ...(lastUser ? wordFeatures(WORDS_OF.user, lastUser.sentences) : {}),
    score: last.score,
    worst: Math.min(0, ...last.sentences.map((s) => s.score)),
    best: Math.max(0, ...last.sentences.map((s) => s.score)),
    complaint: last.complaint,
    letdown: last.letdown,
    warmth: last.warmth,
    gratitudePlain: last.gratitude === 1 ? 1 : 0,
    gratitudeEmphatic: last.gratitude === 2 ? 1 : 0,
    consolation: last.consolation,
    irony: last.irony,
    emojiUp: Math.max(0, last.emoji),
    emojiDown: Math.max(0, -last.emoji),
    acknowledgementOnly: last.acknowledgementOnly,
    exclamation: last.exclamation,
    shouting: last.shouting,
    contrastDown: last.contrastDown,
    contrastUp: last.contrastUp,
    problem: last.problem,
    lexical: last.lexical,
    question: last.question,
    tellingScore: lastTelling && lastTelling !== last ? lastTelling.score : 0,
    earlierScore: earlier(before, (f) => f.score),
    earlierComplaint: earlier(before, (f) => Math.min(1, f.complaint)),
    earlierWarmth: earlier(before, (f) => Math.min(1, f.warmth)),
    earlierIrony: earlier(before, (f) => Math.min(1, f.irony)),
    userTurns: Math.min(4, r.feelings.length) / 4,
    givingUp: r.ending.reply.givingUp,
    // "Refund received. Took you three weeks." — done, and still a complaint about how.
    problemAfterDone: last.problem > 0 && (r.ending.last.action > 0 || r.ending.reply.confirmation > 0) ? 1 : 0,
    praiseAfterApology: last.irony === 0 && last.warmth + last.gratitude > 0 && last.problem > 0 && r.ending.last.apology > 0 ? 1 : 0,
  };
}

/** The word features' prefixes: the user's last turn, the agent's last turn, the user's reply after it. */
const WORDS_OF = { user: 'u:', agent: 'a:', reply: 'r:' } as const;

/** A feature that is a word of a turn (wordFeatures) rather than a cue. */
export function isWordFeature(name: string): boolean {
  return Object.values(WORDS_OF).some((prefix) => name.startsWith(prefix));
}

const WORD_POS = new Set(['NOUN', 'VERB', 'ADJ', 'ADV', 'INTJ', 'SYM', 'AUX', 'PART', 'ADP', 'DET', 'PRON', 'X', 'CCONJ', 'SCONJ']);

/**
 * The words of some sentences as features `prefix + lemma` (`prefix + not_ + lemma` inside a
 * negation), each weighing 1/√n so a long turn says no more than a short one.
 */
export function wordFeatures(prefix: string, sentences: readonly Sentence[]): Features {
  const words = new Set<string>();
  for (const s of sentences) {
    for (const t of s.tokens) {
      if (!WORD_POS.has(t.pos) && !/^[!?]$/.test(t.normal)) continue;
      for (const w of (t.normal.includes(' ') ? t.normal : t.lemma || t.normal).split(' ')) {
        if (!/^[\p{L}\p{Extended_Pictographic}!?']+$/u.test(w)) continue;
        words.add(`${prefix}${t.negated ? 'not_' : ''}${w.toLowerCase()}`);
      }
    }
  }
  const weight = words.size === 0 ? 0 : 1 / Math.sqrt(words.size);
  return Object.fromEntries([...words].map((w) => [w, weight]));
}

function agent(prefix: string, m: AgentMove): Features {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [`${prefix}${k[0].toUpperCase()}${k.slice(1)}`, v]));
}

export function taskFeatures(r: Reading): Features {
  const e = r.ending;
  const lastFeeling = r.feelings.at(-1);
  const lastAgentAt = r.turns.map((t) => t.role).lastIndexOf('assistant');
  return {
    // The agent's last words and the user's after them, beyond the cues.
    ...(lastAgentAt >= 0 ? wordFeatures(WORDS_OF.agent, r.turns[lastAgentAt].sentences) : {}),
    ...wordFeatures(WORDS_OF.reply, r.turns.slice(lastAgentAt + 1).flatMap((t) => t.sentences)),
    ...agent('last', e.last),
    ...agent('before', e.before),
    [`verdict:${verdictOf(e, e.reply.replied > 0 && lastFeeling !== undefined && (lastFeeling.complaint > 0 || lastFeeling.score < -0.3))}`]: 1,
    confirmation: e.reply.confirmation,
    givingUp: e.reply.givingUp,
    stillBroken: e.reply.stillBroken,
    waiting: e.reply.waiting,
    userQuestionLast: e.reply.question,
    unansweredAsk: e.last.asks > 0 && e.reply.replied === 0 ? 1 : 0,
    userReplied: e.reply.replied,
    userAcknowledged: e.reply.replied && lastFeeling ? lastFeeling.acknowledgementOnly : 0,
    userComplaint: e.reply.replied && lastFeeling ? Math.min(1, lastFeeling.complaint) : 0,
    openedWithQuestion: e.openedWithQuestion,
    // Asked for information and told it, nothing left open: an answer, whatever rule it states.
    answeredInformation: e.askedForInformation && e.last.statements > 0 && !e.last.asks && !e.last.handoff && !e.reply.stillBroken && !e.reply.givingUp ? 1 : 0,
    agentTurns: e.agentTurns / 3,
    noAgent: e.agentTurns === 0 ? 1 : 0,
  };
}

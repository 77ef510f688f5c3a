import { matchesAny, normalForm } from './cue-match.ts';
import {
  ARRIVAL, BARE_DONE, CLOSING_QUESTION, FUTURE, HABITUAL, USER_STEP, COMPLETION_PHRASES, COMPLETION_VERBS, CONFIRMATION, FOLLOW_UP, GIVING_UP, HANDOFF, INABILITY,
  IRREGULAR_PARTICIPLES, NOT_DONE, STILL_BROKEN, TIME_FRAME, WAITING,
} from './cues/outcomes.ts';
import type { Sentence, Token } from './nlp.ts';

/*
 * Whether the user's request was done, read from the end of the conversation: the agent's last
 * turn (an action reported as done or an answer, against a refusal, a hand-off, a promise of a
 * later step, or a question left for the user), the agent's turn before it, and what the user said
 * after (a confirmation, against "still broken", giving up or waiting).
 */

export interface Turn {
  role: 'user' | 'assistant';
  sentences: Sentence[];
}

const PERFECT_OR_PASSIVE = new Set(['have', 'has', 'is', 'are', 'was', 'were', 'been', 'be', 'got', 'had']);
const CONDITION = new Set(['once', 'when', 'if', 'until', 'after', 'before', 'unless', 'provided', 'where', 'whether']);
const QUESTION_START = /^\s*(can|could|would|will|shall|should|do|did|is|are|was|were|have|has)\b/i;

function isParticiple(t: Token): boolean {
  if (t.negated || !(COMPLETION_VERBS.has(t.lemma) || IRREGULAR_PARTICIPLES.has(t.normal))) return false;
  return t.normal.endsWith('ed') || IRREGULAR_PARTICIPLES.has(t.normal);
}

/**
 * "I have refunded the charge", "Your booking is cancelled and you won't be charged again",
 * "I've cleared it and restarted the export", "Done." — not "I can refund it", "refunds are issued
 * once…" or "I haven't refunded it yet". The tense is read from the words before the participle,
 * back to the auxiliary or modal that governs it.
 */
export function reportsAction(sentence: Sentence): boolean {
  const text = normalForm(sentence);
  if (BARE_DONE.test(text) || matchesAny(text, COMPLETION_PHRASES) > 0) return true;
  if (sentence.text.includes('?') || QUESTION_START.test(sentence.text) || CONDITION.has(sentence.tokens[0]?.normal ?? '') || HABITUAL.test(text)) return false;
  const tokens = sentence.tokens;
  return tokens.some((t, i) => {
    // "back-ordered", "pre-approved": part of a compound adjective, not an act.
    if (!isParticiple(t) || tokens[i - 1]?.normal === '-') return false;
    // "Refunds are issued once the return is processed": a condition right after makes it a rule, not an act.
    if (tokens.slice(i + 1, i + 7).some((q) => CONDITION.has(q.normal))) return false;
    for (let j = i - 1; j >= 0; j -= 1) {
      const p = tokens[j];
      if (PERFECT_OR_PASSIVE.has(p.normal)) {
        const lead = tokens.slice(Math.max(0, j - 3), j);
        if (p.negated || lead.some((q) => CONDITION.has(q.normal)) || NOT_DONE.test(` ${lead.map((q) => q.normal).join(' ')} `)) return false;
        // A perfect tense reports an act when someone did it ("I've changed it"), not when a thing changed ("the indicator has changed").
        const perfect = p.lemma === 'have' && tokens[i - 1] === p;
        return !perfect || (tokens[j - 1]?.pos === 'PRON' && tokens[j - 1].normal !== 'it');
      }
      if (NOT_DONE.test(` ${p.normal} `) || p.normal === ';' || p.normal === 'not') return false;
      // Anything but another verb keeps the clause: "I've cleared it and restarted the export".
      if ((p.pos === 'VERB' || p.pos === 'AUX') && !p.normal.endsWith('ed') && !IRREGULAR_PARTICIPLES.has(p.normal)) break;
    }
    if (tokens.slice(0, i).every((p) => p.pos === 'PUNCT' || p.pos === 'INTJ' || p.pos === 'ADV')) return true;
    // A simple past with its doer before it: "the engineer fixed it yesterday", "we refunded the fee" —
    // not "you booked the wrong date" (the user's act) or "it changed" (nobody's).
    let k = i - 1;
    while (k >= 0 && tokens[k].pos === 'ADV') k -= 1;
    const doer = tokens[k];
    return doer !== undefined && t.pos === 'VERB' && (doer.pos === 'NOUN' || doer.pos === 'PROPN' || (doer.pos === 'PRON' && !DOERS_NOT_AGENT.has(doer.normal)));
  });
}

/** Pronouns that, before a past verb, do not name the agent's side doing the task. */
const DOERS_NOT_AGENT = new Set(['you', 'it', 'that', 'this', 'which', 'what', 'who', 'something', 'nothing', 'someone', 'somebody']);

/** What one agent turn does about the request; counts are per sentence, capped. */
export interface AgentMove {
  action: number;
  followUp: number;
  handoff: number;
  inability: number;
  /** Its last sentence asks the user for something the task needs. */
  asks: number;
  /** Its last sentence is a closing question ("Anything else?"). */
  closing: number;
  /** Plain statements with no other cue: an answer to a question. */
  statements: number;
  apology: number;
  /** When a change lands ("will appear in 5 days"). */
  arrival: number;
  timeFrame: number;
  /** A step left to the user ("you'll need to send proof by post"). */
  userStep: number;
  /** Sentences about later that are not a change landing: a wait in words no FOLLOW_UP cue knows. */
  future: number;
}

export const NO_MOVE: AgentMove = { action: 0, followUp: 0, handoff: 0, inability: 0, asks: 0, closing: 0, statements: 0, apology: 0, arrival: 0, timeFrame: 0, userStep: 0, future: 0 };

export function readAgentTurn(turn: Turn | undefined): AgentMove {
  if (!turn) return NO_MOVE;
  const move = { ...NO_MOVE };
  const questions = turn.sentences.filter((s) => s.text.includes('?'));
  for (const sentence of turn.sentences) {
    const text = normalForm(sentence);
    const followUp = matchesAny(text, FOLLOW_UP) > 0 ? 1 : 0;
    // "I've sent your request to the council; they reply within weeks": the act done is a step of a wait.
    const action = reportsAction(sentence) && !followUp ? 1 : 0;
    const handoff = matchesAny(text, HANDOFF) > 0 ? 1 : 0;
    const inability = matchesAny(text, INABILITY) > 0 ? 1 : 0;
    move.action += action;
    move.followUp += followUp;
    move.handoff += handoff;
    move.inability += inability;
    move.apology += / (sorry|apologi[sz]e|apologies) /.test(text) ? 1 : 0;
    move.arrival += ARRIVAL.test(text) ? 1 : 0;
    move.timeFrame += TIME_FRAME.test(text) ? 1 : 0;
    move.userStep += USER_STEP.test(text) ? 1 : 0;
    move.future += FUTURE.test(text) && !ARRIVAL.test(text) && !sentence.text.includes('?') ? 1 : 0;
    if (!sentence.text.includes('?') && action + followUp + handoff + inability === 0 && !ARRIVAL.test(text) && sentence.tokens.length >= 4) move.statements += 1;
  }
  const last = questions.at(-1);
  const endsWithQuestion = last !== undefined && turn.sentences.at(-1) === last;
  if (endsWithQuestion) {
    if (CLOSING_QUESTION.test(normalForm(last))) move.closing = 1;
    else move.asks = 1;
  }
  return capCounts(move);
}

/** Each count capped at 2: a cue said twice weighs as much as said ten times. */
export function capCounts<T extends { [K in keyof T]: number }>(counts: T): T {
  for (const key of Object.keys(counts) as (keyof T)[]) counts[key] = Math.min(2, counts[key]) as T[keyof T];
  return counts;
}

/** What the user said after the agent's last turn. */
export interface UserReply {
  confirmation: number;
  givingUp: number;
  stillBroken: number;
  waiting: number;
  /** The user's last word is a question left unanswered. */
  question: number;
  replied: number;
}

export function readUserReply(turns: readonly Turn[]): UserReply {
  const reply: UserReply = { confirmation: 0, givingUp: 0, stillBroken: 0, waiting: 0, question: 0, replied: turns.length > 0 ? 1 : 0 };
  for (const turn of turns) {
    for (const sentence of turn.sentences) {
      const text = normalForm(sentence);
      reply.confirmation += matchesAny(text, CONFIRMATION) > 0 ? 1 : 0;
      reply.givingUp += matchesAny(text, GIVING_UP) > 0 ? 1 : 0;
      reply.stillBroken += matchesAny(text, STILL_BROKEN) > 0 ? 1 : 0;
      reply.waiting += WAITING.test(text) ? 1 : 0;
    }
  }
  const lastSentence = turns.at(-1)?.sentences.at(-1);
  reply.question = lastSentence?.text.includes('?') ? 1 : 0;
  return capCounts(reply);
}

/** The end of a conversation: the agent's last two turns and the user's turns after the last one. */
export interface Ending {
  last: AgentMove;
  before: AgentMove;
  reply: UserReply;
  /** The user opened with a question (an answer completes it) rather than a request for action. */
  openedWithQuestion: number;
  /**
   * The user asked for information ("when does my tariff end?", "do I need a full tank?"), not for
   * something to be done ("can you…", "could I…"): an answer completes it, even one that is a rule.
   */
  askedForInformation: number;
  agentTurns: number;
}

const INFORMATION_OPENING = /^ *(hi ,?|hello ,?|hey ,?)?(what|when|where|which|who|why|how (long|much|many|often|far|do|does|is|are)|is there|are there|is it|is my|are my|do i|does (it|my|the|this|that)|do you (have|know|do|sell|offer|accept|open|ship|deliver)|am i|will (it|my|the)|what is|when is|where is) /;
const REQUEST_OPENING = / (can you|could you|would you|will you|please|can i|could i|may i|i would like|i want|i need) /;
const QUESTION_OPENING = /^ *(hi ,?|hello ,?|hey ,?)?(what|when|where|how|which|who|why|is|are|does|do|can i|could i|will|would|should|am i|did) /;

/** How a language's turns are read for the ending; English by default, see foreign-reader.ts for the others. */
export interface EndingReaders {
  agent(turn: Turn | undefined): AgentMove;
  reply(turns: readonly Turn[]): UserReply;
}

const ENGLISH: EndingReaders = { agent: readAgentTurn, reply: readUserReply };

export function readEnding(turns: readonly Turn[], readers: EndingReaders = ENGLISH): Ending {
  const dialogue = turns.filter((t) => t.sentences.length > 0);
  const agentIndexes = dialogue.flatMap((t, i) => (t.role === 'assistant' ? [i] : []));
  const lastAgent = agentIndexes.at(-1);
  const firstUser = dialogue.find((t) => t.role === 'user');
  const opening = firstUser ? firstUser.sentences.map(normalForm).join(' ') : '';
  return {
    last: readers.agent(lastAgent === undefined ? undefined : dialogue[lastAgent]),
    before: readers.agent(agentIndexes.length > 1 ? dialogue[agentIndexes[agentIndexes.length - 2]] : undefined),
    reply: readers.reply(dialogue.slice(lastAgent === undefined ? 0 : lastAgent + 1).filter((t) => t.role === 'user')),
    openedWithQuestion: QUESTION_OPENING.test(opening) || firstUser?.sentences.some((s) => s.text.includes('?')) ? 1 : 0,
    askedForInformation: INFORMATION_OPENING.test(opening) && !REQUEST_OPENING.test(opening) ? 1 : 0,
    agentTurns: Math.min(3, agentIndexes.length),
  };
}

/**
 * The end read by precedence, as one word: what was said last and most decisively. The trained
 * model weighs it with the counts it comes from. `unhappy`: the user's last turn complains.
 */
export function verdictOf(e: Ending, unhappy: boolean): string {
  const { last, before, reply } = e;
  const acted = last.action > 0 || last.arrival > 0;
  if (last.asks && !reply.replied) return 'asked';
  // "whatever, moving my stuff elsewhere" after the thing was done is anger, not giving up.
  if (reply.givingUp && !acted) return 'gaveUp';
  if (reply.confirmation) return 'confirmed';
  if (reply.stillBroken) return 'stillBroken';
  if (acted && (last.followUp || last.handoff)) return 'donePending';
  if (acted && last.inability) return 'donePartly';
  if (last.handoff) return 'handedOff';
  if (last.followUp) return 'pending';
  if (acted) return 'done';
  if (last.inability) return 'refused';
  if (last.userStep) return 'userStep';
  if (before.action && !before.followUp && !before.handoff) return 'doneBefore';
  if (last.statements) return unhappy ? 'answeredUnhappy' : 'answered';
  return 'none';
}

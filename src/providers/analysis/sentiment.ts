import { matchesAny, normalForm } from './cue-match.ts';
import {
  ACKNOWLEDGEMENT_WORDS, COMPLAINT, CONSOLATION, CONTRAST, EMPHATIC_GRATITUDE, GRATITUDE, IRONIC_PRAISE, LETDOWN, PROBLEM_CONTEXT,
  SINCERE_TURN, WARMTH,
} from './cues/feelings.ts';
import { EMOJI_VALENCE } from './cues/words.ts';
import { winkSentiment, type Sentence, type Token } from './nlp.ts';

/*
 * How an end user's turn reads: a lexicon score (wink's, with its negation and emphasis handling)
 * on what is left after politeness formulae, plus support-chat cues — complaints, let-downs,
 * warmth, gratitude and its emphasis, emoji — and irony: praise in a turn that states a problem
 * ("Wow, a third outage this week. You guys really are the best.") counts against, not for.
 */

export function clamp(value: number, min = -1, max = 1): number {
  return Math.min(max, Math.max(min, value));
}

/** What one user turn shows; every count is capped so one long rant does not outweigh the end. */
export interface TurnFeeling {
  /** The hand-weighted reading of the turn, -1 … 1. */
  score: number;
  complaint: number;
  letdown: number;
  warmth: number;
  /** 0 none, 1 plain ("thanks"), 2 emphatic ("thank you so much!"). */
  gratitude: number;
  consolation: number;
  /** Praise read as sarcasm. */
  irony: number;
  emoji: number;
  /** Nothing but acknowledgement words ("ok", "got it, thanks"). */
  acknowledgementOnly: number;
  exclamation: number;
  shouting: number;
  /** A problem stated as fact ("never got it", "third time this week"). */
  problem: number;
  /** The turn turns negative after a "but" (politeness around a let-down), or positive after a complaint. */
  contrastDown: number;
  contrastUp: number;
  lexical: number;
  question: number;
  /** Each sentence's own reading, in order, for the issues (issues.ts). */
  sentences: { score: number; complaint: number }[];
}

const WEIGHTS = { complaint: 0.6, letdown: 0.35, warmth: 0.45, emphatic: 0.45, plain: 0.1, irony: 0.7, emoji: 0.5 };
const ACRONYM_LIKE = /^(EUR|USD|GBP|CHF|DOB|PIN|SIM|ESIM|OTP|URL|VAT|TV|CEO|ASAP|HTTP|HTTPS|HTML|JSON|IBAN|SEPA|GDPR|IMEI|VPN|PDF|CSV|API|SSO|SMS|ATM|FAQ|NASA|SWIFT|USB|WIFI|UEFI|BIOS|ETA|DHL|UPS|USPS|FEDEX|TSA|ESTA|NHS|HMRC|RSVP|LOL|LMAO|OMG)$/;

function emojiOf(tokens: readonly Token[]): number {
  let sum = 0;
  for (const t of tokens) sum += EMOJI_VALENCE.get(t.normal) ?? 0;
  return sum;
}

/** Said in passing, not felt: "lol" marks a joke or a shrug, "no worries" is reassurance. */
const NOT_LEXICAL = new Set(['lol', 'worries', 'worry']);
/** "No problem", "no bother": a reassurance, not a problem. */
const REASSURED = new Set(['problem', 'problems', 'bother', 'trouble', 'stress', 'rush']);

function lexicalOf(tokens: readonly Token[]): number {
  // The lexicon scores "ok" or "thanks" alone as strongly positive; score only what is left.
  const rest = tokens.filter((t, i) => t.pos !== 'PUNCT' && !ACKNOWLEDGEMENT_WORDS.has(t.normal) && !EMOJI_VALENCE.has(t.normal) && !NOT_LEXICAL.has(t.normal) &&
    !(REASSURED.has(t.normal) && tokens[i - 1]?.normal === 'no'));
  return rest.length === 0 ? 0 : winkSentiment(rest.map((t) => t.normal).join(' '));
}

export interface SentenceFeeling {
  text: string;
  lexical: number;
  complaint: number;
  letdown: number;
  warmth: number;
  gratitude: number;
  consolation: boolean;
  praise: number;
  problem: number;
  emoji: number;
  /** The clause before a "but" inside the sentence; the fields above are then the clause after it. */
  head?: SentenceFeeling;
}

const SCARE_QUOTES = /["“”«»][^"“”«»]{2,40}["“”«»]/;

/** Words that turn a sentence: what follows them is what the speaker stands by. */
const TURNING = new Set(['but', 'however', 'though', 'although', 'yet']);

function readClause(tokens: readonly Token[], raw: string): SentenceFeeling {
  const text = normalForm({ text: raw, tokens: [...tokens] });
  const consolation = CONSOLATION.test(text);
  let gratitude = 0;
  if (!consolation && GRATITUDE.test(text)) gratitude = EMPHATIC_GRATITUDE.test(text) || /!/.test(raw) ? 2 : 1;
  return {
    text,
    lexical: lexicalOf(tokens),
    complaint: matchesAny(text, COMPLAINT),
    letdown: matchesAny(text, LETDOWN),
    warmth: matchesAny(text, WARMTH),
    gratitude,
    consolation,
    praise: matchesAny(text, IRONIC_PRAISE),
    // A few words in quotes, in the user's mouth, are the company's words held up against it: "guaranteed next-day", "on hold".
    problem: matchesAny(text, PROBLEM_CONTEXT) + (SCARE_QUOTES.test(raw) ? 1 : 0),
    emoji: emojiOf(tokens),
  };
}

function readSentence(sentence: Sentence): SentenceFeeling {
  const words = sentence.tokens;
  const turn = words.findIndex((t, i) => i >= 2 && TURNING.has(t.normal));
  if (turn < 0 || turn >= words.length - 2) return readClause(words, sentence.text);
  const tail = words.slice(turn + 1);
  const after = readClause(tail, tail.map((t) => t.space + t.text).join(''));
  // "…annoyed, but thanks for the refund": thanks alone after the turn is politeness, the clause before it stands.
  if (after.gratitude > 0 && after.complaint + after.letdown + after.warmth + after.praise === 0 && Math.abs(after.lexical) < 0.2) return readClause(words, sentence.text);
  return { ...after, head: readClause(words.slice(0, turn), sentence.text) };
}

/** A sentence's hand-weighted feeling; `ironic` when its praise is sarcasm. A turned sentence counts mostly its end. */
function sentenceScore(s: SentenceFeeling, ironic: boolean): number {
  const own = clauseScore(s, ironic);
  return s.head ? 0.25 * clauseScore(s.head, ironic) + 0.75 * own : own;
}

export function clauseScore(s: SentenceFeeling, ironic: boolean): number {
  if (ironic && s.praise > 0) return clamp(-WEIGHTS.irony - WEIGHTS.complaint * s.complaint);
  if (s.complaint > 0) return clamp(Math.min(s.lexical, 0) - WEIGHTS.complaint * s.complaint + Math.min(0, s.emoji));
  const gratitude = s.gratitude === 2 ? WEIGHTS.emphatic : s.gratitude === 1 ? WEIGHTS.plain : 0;
  return clamp(s.lexical + gratitude + WEIGHTS.warmth * s.warmth - WEIGHTS.letdown * s.letdown + WEIGHTS.emoji * s.emoji - (s.consolation ? 0.2 : 0));
}

function sum(read: readonly SentenceFeeling[], pick: (s: SentenceFeeling) => number): number {
  return read.reduce((n, s) => n + pick(s), 0);
}

const DELIGHT = new Set(['yay', 'yess', 'wow', 'woohoo', 'woo', 'yippee', 'hooray', 'omg']);

/** Shouted words: "AGAIN", "NOW", "MONTH" — not acronyms or names ("IBAN", "SSO"). */
function shouted(t: Token): boolean {
  // "YES that did it", "YAY": delight, not anger.
  if (!/^[A-Z]{3,}$/.test(t.text) || ACRONYM_LIKE.test(t.text) || ACKNOWLEDGEMENT_WORDS.has(t.normal) || DELIGHT.has(t.normal)) return false;
  return t.text.length >= 5 || (t.pos !== 'PROPN' && t.pos !== 'NOUN' && t.pos !== 'NUM');
}

/**
 * A user turn's feeling; `read` reads one sentence (English cues by default, foreign-reader.ts for the others).
 * `troubled`: an earlier turn of the user's stated a problem or complained, so praise now may answer it
 * ("Bins missed again." … "Wow, two whole days. Such a reliable service.").
 */
export function readTurnFeeling(sentences: readonly Sentence[], read1: (s: Sentence) => SentenceFeeling = readSentence, troubled = false): TurnFeeling {
  const read = sentences.map(read1);
  const clauses = read.flatMap((s) => (s.head ? [s.head, s] : [s]));
  const whole = clauses.map((s) => s.text).join(' ');
  const praise = sum(clauses, (s) => s.praise);
  const problem = sum(clauses, (s) => s.problem);
  // Praise after an earlier complaint is only sarcasm without thanks: "Oh. Ok, that's actually great, thank you" is relief.
  const thanked = read.some((s) => s.gratitude > 0 && !s.consolation);
  const ironic = praise > 0 && (problem > 0 || (troubled && !thanked) || sum(clauses, (s) => s.complaint) > 0) && !SINCERE_TURN.test(whole);
  // Later sentences weigh more, and a sentence after "but" more still: "Kind of you. But I'll go elsewhere."
  let weighted = 0;
  let weights = 0;
  let contrastDown = 0;
  let contrastUp = 0;
  let previous = 0;
  read.forEach((s, i) => {
    const turned = CONTRAST.test(` ${s.text.trim().split(' ')[0]} `);
    const score = sentenceScore(s, ironic);
    const before = s.head ? clauseScore(s.head, ironic) : turned ? previous : 0;
    if ((s.head || turned) && score < -0.1 && before >= 0) contrastDown = 1;
    if ((s.head || turned) && score > 0.1 && before < -0.1) contrastUp = 1;
    const weight = (1 + i / Math.max(1, read.length - 1)) * (turned ? 2 : 1);
    weighted += weight * score;
    weights += weight;
    previous = score;
  });
  const tokens = sentences.flatMap((s) => s.tokens);
  const words = tokens.filter((t) => t.pos !== 'PUNCT' && t.pos !== 'SYM');
  const insisting = sentences.some((s) => /[?!]{2,}/.test(s.text)) ? 1 : 0;
  return {
    score: weights === 0 ? 0 : clamp((weighted / weights) * Math.min(1.5, Math.sqrt(read.length))),
    complaint: Math.min(3, sum(read, (s) => s.complaint)),
    letdown: Math.min(2, sum(read, (s) => s.letdown)),
    warmth: Math.min(3, sum(read, (s) => s.warmth)),
    gratitude: Math.max(0, ...read.map((s) => s.gratitude)),
    consolation: read.some((s) => s.consolation) ? 1 : 0,
    irony: ironic ? Math.min(2, praise) : 0,
    problem: Math.min(3, problem),
    emoji: clamp(sum(read, (s) => s.emoji)),
    acknowledgementOnly: words.length > 0 && words.every((t) => t.normal.split(' ').every((w) => ACKNOWLEDGEMENT_WORDS.has(w))) ? 1 : 0,
    exclamation: sentences.some((s) => s.text.includes('!')) ? 1 : 0,
    shouting: Math.min(2, words.filter(shouted).length + insisting),
    contrastDown,
    contrastUp,
    lexical: clamp(sum(read, (s) => s.lexical)),
    question: sentences.some((s) => s.text.includes('?')) ? 1 : 0,
    sentences: read.map((s) => ({ score: sentenceScore(s, ironic), complaint: s.complaint + (s.head?.complaint ?? 0) + (ironic && s.praise > 0 ? 1 : 0) })),
  };
}

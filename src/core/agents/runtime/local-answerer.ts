import { LRUCache } from 'lru-cache';
import { loadNlp, readSentences, type Sentence } from '../../../providers/analysis/nlp.ts';
import type { KnowledgePassage } from '../../../store/knowledge.ts';
import {
  madeGreeting, MAX_RECOMMENDED_RESPONSES, unknownAnswer, type AgentProfile, type Answerer, type AnswerRequest, type RecommendRequest,
} from './answerer.ts';
import { piecesOf } from './pieces.ts';

export const LOCAL_AGENT = {
  /**
   * For a question naming no thing (no noun or number): the share of its words (stemmed, stop
   * words dropped) a passage must hold to be answered from.
   */
  minCoverage: 0.5,
  /** Passages looked at, best first, for one that mentions everything the question asks about. */
  candidates: 3,
  /** Longest reply cut from a passage. */
  maxChars: 500,
} as const;

/**
 * Knowledge passages as read, by their text: a passage never changes (a changed document is a new
 * one), and the same few answer most questions, so each is read once, not at every turn that finds
 * it (reading is most of the local agent's CPU). Bounded by entries: a passage is at most a few KB.
 */
const passagesRead = new LRUCache<string, readonly Sentence[]>({ max: 2000 });

function passageSentences(text: string): readonly Sentence[] {
  let sentences = passagesRead.get(text);
  if (!sentences) {
    sentences = readSentences(text);
    passagesRead.set(text, sentences);
  }
  return sentences;
}

const WORD_POS = new Set(['NOUN', 'PROPN', 'VERB', 'ADJ', 'ADV', 'NUM']);
const THING_POS = new Set(['NOUN', 'PROPN', 'NUM']);
/** What a passage mentions: its content words, and the codes and symbols a question may name (`E-42`, `€`). */
const MENTION_POS = new Set([...WORD_POS, 'X', 'SYM']);

const forms = (t: { lemma: string; normal: string; stem: string }) => [t.lemma.toLowerCase(), t.normal.toLowerCase(), t.stem.toLowerCase()];

/** The question's content words, as lemmas and normal forms. */
function contentWords(sentences: readonly Sentence[], pos = WORD_POS): Set<string> {
  const words = new Set<string>();
  for (const { tokens } of sentences) {
    for (const t of tokens) if (!t.stopWord && pos.has(t.pos)) for (const form of forms(t)) words.add(form);
  }
  return words;
}

/** The question's words of the given parts of speech, each as the forms that may stand for it. */
function wordsOf(question: readonly Sentence[], pos: ReadonlySet<string>): string[][] {
  return question.flatMap(({ tokens }) => tokens.filter((t) => !t.stopWord && pos.has(t.pos)).map(forms));
}

/**
 * Whether a passage can answer: it mentions every thing the question asks about ("can I bring my
 * dog into the shop?" is not answered by a passage on the shop's hours, which never says "dog"),
 * or, for a question that names no thing, holds enough of its words.
 */
function answers(question: readonly Sentence[], passage: KnowledgePassage): boolean {
  const mentioned = contentWords(passageSentences(`${passage.heading}. ${plain(passage.text)}`), MENTION_POS);
  const said = (word: string[]) => word.some((form) => mentioned.has(form));
  const things = wordsOf(question, THING_POS);
  if (things.length > 0) return things.every(said);
  const words = wordsOf(question, WORD_POS);
  return words.length > 0 && words.filter(said).length / words.length >= LOCAL_AGENT.minCoverage;
}

function overlap(sentence: Sentence, words: ReadonlySet<string>): number {
  const seen = new Set<string>();
  for (const t of sentence.tokens) {
    if (forms(t).some((form) => words.has(form))) seen.add(t.stem.toLowerCase());
  }
  return seen.size;
}

/** Markdown marks a reader should not hear: list bullets, headings, emphasis, link targets. */
function plain(text: string): string {
  return text
    .replace(/^\s{0,3}(#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s?)/gm, '')
    .replace(/(\*\*|__|`)/g, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/**
 * The part of a passage that answers: the sentence sharing most of the question's words, with its
 * neighbours while they share some too (or, after a short one such as a label, the next), within
 * maxChars. A passage found by its heading alone gives its opening sentences.
 */
export function extractAnswer(question: readonly Sentence[], passage: KnowledgePassage): string {
  const words = contentWords(question);
  const sentences = passageSentences(plain(passage.text));
  if (sentences.length === 0) return '';
  const scores = sentences.map((s) => overlap(s, words));
  let best = scores.indexOf(Math.max(...scores));
  if (scores[best] === 0) best = 0;
  let from = best;
  let to = best;
  const length = () => sentences.slice(from, to + 1).reduce((n, s) => n + s.text.length + 1, 0);
  const fits = (i: number) => length() + sentences[i].text.length + 1 <= LOCAL_AGENT.maxChars;
  for (;;) {
    const next = to + 1 < sentences.length && fits(to + 1) && (scores[to + 1] > 0 || sentences[to].text.length < 60 || scores[best] === 0);
    const previous = from > 0 && fits(from - 1) && scores[from - 1] > 0;
    if (next) to++;
    else if (previous) from--;
    else break;
  }
  const answer = sentences.slice(from, to + 1).map((s) => s.text).join(' ');
  return answer.length <= LOCAL_AGENT.maxChars ? answer : `${answer.slice(0, LOCAL_AGENT.maxChars - 1).trimEnd()}…`;
}

const squeezed = (text: string) => plain(text).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/** A subject as a short user question: `Opening hours` → "Can you tell me about opening hours?"; a heading that asks stays. */
function questionAbout(subject: string): string {
  if (subject.endsWith('?')) return subject;
  // Keep an acronym's case (`VAT rates`), lower a capitalised word's.
  const lowered = /^\p{Lu}\p{Ll}/u.test(subject) ? subject[0].toLowerCase() + subject.slice(1) : subject;
  return `Can you tell me about ${lowered}?`;
}

/**
 * What the user might ask next, from the knowledge only: the subjects (last heading part) of the
 * passages related to the last turn, best first, as short questions; not the passage the agent just
 * answered from, nor a question already asked. With none, the subjects the knowledge covers.
 */
export function recommendFromKnowledge(request: Pick<RecommendRequest, 'agent' | 'history' | 'passages'>): string[] {
  const lastReply = squeezed([...request.history].reverse().find((t) => t.role === 'agent')?.text ?? '').slice(0, 60);
  const asked = new Set(request.history.filter((t) => t.role === 'user').map((t) => squeezed(t.text)));
  const questions: string[] = [];
  const add = (question: string) => {
    const key = squeezed(question);
    if (key !== '' && !asked.has(key) && !questions.some((q) => squeezed(q) === key)) questions.push(question);
  };
  for (const passage of request.passages) {
    if (lastReply.length >= 20 && squeezed(passage.text).includes(lastReply)) continue;
    const subject = plain(passage.heading.split(/\s*[›>]\s*/).pop() ?? '');
    if (subject) add(questionAbout(subject));
  }
  if (questions.length === 0) for (const topic of request.agent.topics) add(questionAbout(topic));
  return questions.slice(0, MAX_RECOMMENDED_RESPONSES);
}

/**
 * The embedded agent, with no set-up: it answers from the agent's knowledge base only, with the
 * part of the best passage that answers the question, and says plainly that it does not know
 * (offering a person) when no passage holds enough of the question. It never makes an answer up.
 */
export class LocalAnswerer implements Answerer {
  readonly name = 'local-retrieval';
  readonly readsHistory = false;

  async *greet(agent: AgentProfile): AsyncIterable<string> {
    yield* piecesOf(agent.greeting?.trim() || madeGreeting(agent));
  }

  async *answer(request: AnswerRequest): AsyncIterable<string> {
    await loadNlp();
    const question = readSentences(request.question);
    const source = request.passages.slice(0, LOCAL_AGENT.candidates).find((p) => answers(question, p));
    const extracted = source ? extractAnswer(question, source) : '';
    const text = extracted || unknownAnswer();
    for (const piece of piecesOf(text)) {
      if (request.signal.aborted) return;
      yield piece;
    }
    request.record({ passages: [...request.passages], calls: [], answeredFromKnowledge: extracted !== '' });
  }

  /** From the knowledge base only (the caller's context is not read: nothing here could use it). */
  async recommend(request: RecommendRequest): Promise<string[]> {
    return recommendFromKnowledge(request);
  }
}

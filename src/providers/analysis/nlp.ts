import type { Document, ItemSentence, ItemToken, ItsFunction, WinkMethods } from 'wink-nlp';
import { spellOutChat } from './chat-words.ts';
import { loadLanguageDetector } from './language.ts';

/**
 * One token as the local analyzer uses it: wink's normal form (with chat shorthand spelled out, see
 * chat-words.ts), lemma, part of speech and negation scope.
 */
export interface Token {
  text: string;
  normal: string;
  lemma: string;
  /** Porter2 stem of the normal form: "Frames" and "frame" meet where the tagger's lemmas may not. */
  stem: string;
  pos: string;
  /** Inside the scope of a negation ("not", "never", "n't"), as wink marks it. */
  negated: boolean;
  stopWord: boolean;
  /** Whitespace before the token in the original text (to rebuild a sentence without some tokens). */
  space: string;
}

export interface Sentence {
  text: string;
  tokens: Token[];
}

let instance: WinkMethods | undefined;
let loading: Promise<void> | undefined;
let probe: Document | undefined;

/**
 * Loads wink-nlp and its English model, and the language detector (language.ts). Importing them
 * costs ~400 ms and ~40 MB, so they are loaded on the first analysis, not by every process that
 * imports the core (CLI, API servers with PARLEY_JOBS=off).
 */
export function loadNlp(): Promise<void> {
  loading ??= (async () => {
    const [{ default: winkNLP }, { default: model }] = await Promise.all([import('wink-nlp'), import('wink-eng-lite-web-model'), loadLanguageDetector()]);
    instance = winkNLP(model);
  })();
  return loading;
}

function nlp(): WinkMethods {
  if (!instance) throw new Error('the NLP model is not loaded: await loadNlp() first');
  return instance;
}

/** Whether wink's English lexicon has the word (wink adds every unknown word it reads to its lexicon, marked out of vocabulary). */
function isKnownWord(word: string): boolean {
  probe ??= nlp().readDoc('');
  return !probe.isOOV(word);
}

export function readSentences(text: string): Sentence[] {
  const { its } = nlp();
  const doc = nlp().readDoc(text);
  const sentences: Sentence[] = [];
  doc.sentences().each((sentence: ItemSentence) => {
    const tokens: Token[] = [];
    sentence.tokens().each((t: ItemToken) => {
      tokens.push({
        text: t.out(),
        normal: t.out(its.normal) as string,
        // wink's typings give lemma a signature its own `out` does not accept.
        lemma: t.out(its.lemma as unknown as ItsFunction<string>) as string,
        stem: t.out(its.stem as unknown as ItsFunction<string>) as string,
        pos: t.out(its.pos) as string,
        negated: t.out(its.negationFlag) as unknown as boolean,
        stopWord: t.out(its.stopWordFlag) as unknown as boolean,
        space: t.out(its.precedingSpaces) as string,
      });
    });
    spellOutChat(tokens, isKnownWord);
    sentences.push({ text: sentence.out(), tokens });
  });
  return sentences;
}

/** wink's sentiment of a text, -1 … 1 (a lexicon score with negation and emphasis handling). */
export function winkSentiment(text: string): number {
  if (text.trim() === '') return 0;
  const { its } = nlp();
  return nlp().readDoc(text).out(its.sentiment) as unknown as number;
}

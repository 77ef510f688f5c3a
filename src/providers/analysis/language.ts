import type { Transcript } from './analyzer.ts';

/*
 * Which language a conversation is in, read from all its turns together (a single "ok" or "Danke!"
 * is too short for any detector; a conversation rarely is). franc-min's trigram profiles cover 82
 * languages, so an Italian or Dutch chat is told apart from the four the local analyzer reads
 * instead of being forced into the nearest of them.
 */

let francAll: typeof import('franc-min').francAll | undefined;

/** Loads franc-min's profiles (~15 MB) with the rest of the analyzer's models (nlp.ts loadNlp), not at startup. */
export async function loadLanguageDetector(): Promise<void> {
  francAll ??= (await import('franc-min')).francAll;
}

export const ANALYSED_LANGUAGES = ['en', 'de', 'fr', 'es'] as const;
export type AnalysedLanguage = (typeof ANALYSED_LANGUAGES)[number];

const ISO_639_3: Record<string, AnalysedLanguage> = { eng: 'en', deu: 'de', fra: 'fr', spa: 'es' };

/** Function words that settle a text too short for trigrams. */
const FUNCTION_WORDS: Record<AnalysedLanguage, ReadonlySet<string>> = {
  en: new Set(['the', 'is', 'and', 'you', 'my', 'it', 'to', 'thanks', 'thank', 'please', 'ok', 'not', 'can', 'i', 'what', 'this', 'yes', 'no']),
  de: new Set(['der', 'die', 'das', 'ist', 'und', 'ich', 'nicht', 'mein', 'danke', 'bitte', 'ja', 'nein', 'sie', 'mit', 'ein', 'eine', 'wie', 'noch']),
  fr: new Set(['le', 'la', 'les', 'est', 'et', 'je', 'pas', 'mon', 'ma', 'merci', 'oui', 'non', 'vous', 'avec', 'un', 'une', 'que', 'ne']),
  es: new Set(['el', 'la', 'los', 'es', 'y', 'yo', 'no', 'mi', 'gracias', 'por', 'favor', 'sí', 'si', 'usted', 'con', 'un', 'una', 'que']),
};

/** Characters of text franc needs to be more than a guess (its own default floor is 10). */
const FRANC_MIN_LENGTH = 40;
/** Trigram distance grows with the text; the first 600 characters tell the language as well as the rest. */
const FRANC_MAX_LENGTH = 600;
/** francAll scores relative to the best (1); an analysed language this close to it is a candidate. */
const NEAR_TOP = 0.85;

export interface DetectedLanguage {
  /** ISO 639-1 for the analysed languages, else franc's ISO 639-3 code ("ita", "nld"), or "und" when nothing can be told. */
  code: string;
  analysed: boolean;
}

/** The analysed language whose function words the text uses most, when it clearly leads (`margin` times the next one). */
function byFunctionWords(text: string, minimum: number, margin: number): AnalysedLanguage | undefined {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  const hits = ANALYSED_LANGUAGES.map((language) => ({ language, n: words.filter((w) => FUNCTION_WORDS[language].has(w)).length }))
    .sort((a, b) => b.n - a.n);
  return hits[0].n >= minimum && hits[0].n >= margin * hits[1].n && hits[0].n > hits[1].n ? hits[0].language : undefined;
}

export function detectLanguage(transcript: Transcript): DetectedLanguage {
  const text = transcript.filter((t) => t.role !== 'system').map((t) => t.text).join('\n');
  const letters = (text.match(/\p{L}/gu) ?? []).length;
  if (letters < FRANC_MIN_LENGTH) {
    // Too short for trigrams: function words decide; with none ("ok", "👍"), English, the analyzer's default.
    return { code: byFunctionWords(text, 1, 1) ?? 'en', analysed: true };
  }
  // Most traffic is plainly English: its function words settle it without trigrams (~1 ms saved).
  if (byFunctionWords(text, 4, 4) === 'en') return { code: 'en', analysed: true };
  if (!francAll) throw new Error('the language detector is not loaded: await loadNlp() first');
  const ranked = francAll(text.slice(0, FRANC_MAX_LENGTH), { minLength: FRANC_MIN_LENGTH });
  const [guess] = ranked[0];
  if (ISO_639_3[guess]) return { code: ISO_639_3[guess], analysed: true };
  // Short chats full of names, codes and numbers can fool trigrams ("Balance on gift card ending
  // 8830?" reads as Uzbek): a language we read that scores nearly as well and whose function words
  // the text uses wins over the top guess.
  const ours = ranked.find(([code]) => ISO_639_3[code] !== undefined);
  const words = byFunctionWords(text, 1, 1.5);
  if (ours && ours[1] >= NEAR_TOP && words === ISO_639_3[ours[0]]) return { code: words, analysed: true };
  return { code: guess, analysed: false };
}

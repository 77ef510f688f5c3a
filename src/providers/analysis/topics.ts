import type { Sentence, Token } from './nlp.ts';

/*
 * Topics: a support category when the conversation's words point to one, then the noun phrases the
 * user talks about most (user mentions count double: the agent's phrasing repeats the request).
 */

/** Categories of support work, each named by words that signal it (lemmas). */
const CATEGORIES: Record<string, readonly string[]> = {
  billing: ['bill', 'charge', 'invoice', 'refund', 'payment', 'fee', 'price', 'subscription', 'plan', 'discount', 'credit', 'overcharge', 'vat', 'receipt'],
  shipping: ['order', 'parcel', 'package', 'delivery', 'deliver', 'shipping', 'ship', 'tracking', 'courier', 'customs', 'arrive'],
  'account access': ['password', 'login', 'log', 'account', 'username', '2fa', 'verification', 'verify', 'email', 'sso', 'locked', 'lock'],
  'technical problem': ['error', 'crash', 'bug', 'connect', 'wifi', 'router', 'offline', 'install', 'app', 'sync', 'update', 'printer', 'laptop', 'screen'],
  travel: ['flight', 'hotel', 'booking', 'seat', 'luggage', 'suitcase', 'train', 'visa', 'cruise', 'trip', 'airline', 'boarding'],
  'returns and exchanges': ['return', 'exchange', 'replacement', 'warranty', 'repair', 'damaged', 'broken', 'cracked'],
  cancellation: ['cancel', 'cancellation', 'close', 'terminate', 'downgrade'],
};
const CATEGORY_MIN_HITS = 2;

/** Nouns too general to name a topic. */
const GENERIC_NOUNS = new Set([
  'problem', 'issue', 'help', 'thing', 'time', 'day', 'days', 'question', 'way', 'today', 'anything', 'something', 'lot',
  'hour', 'minute', 'week', 'month', 'year', 'morning', 'evening', 'night', 'tomorrow', 'yesterday', 'bit', 'one', 'kind',
  'hi', 'hello', 'thanks', 'thank', 'sorry', 'ok', 'okay', 'please', 'yes', 'no', 'number', 'detail', 'details', 'info', 'sure',
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'january', 'february', 'march', 'april',
  'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
  // Chat filler that tags as a noun: "you guys are the best", "of course", "happy to help", "nvm".
  'guy', 'guys', 'best', 'course', 'happy', 'patience', 'lol', 'mate', 'bro', 'dude', 'hassle', 'nothing', 'everything', 'someone',
  'stuff', 'mind', 'worth', 'joke', 'star', 'legend', 'gem', 'genius', 'lifesaver', 'hero', 'pleasure', 'welcome', 'luck',
]);
const MAX_TOPICS = 5;
const MAX_PHRASE_TOPICS = 3;

function isTopicWord(t: Token): boolean {
  return (t.pos === 'NOUN' || t.pos === 'PROPN') && !t.stopWord && !GENERIC_NOUNS.has(t.lemma) && /^[a-z][a-z0-9-]+$/.test(t.normal);
}

/** Maximal runs of nouns, optionally led by an adjective ("cancellation fee", "sea-view room"). */
function nounPhrases(sentence: Sentence): string[] {
  const phrases: string[] = [];
  let run: Token[] = [];
  const flush = () => {
    const nouns = run.filter(isTopicWord);
    if (nouns.length > 0) phrases.push(run.map((t) => (t === run[run.length - 1] ? t.lemma : t.normal)).join(' '));
    run = [];
  };
  for (const t of sentence.tokens) {
    if (isTopicWord(t) || (t.pos === 'ADJ' && run.length === 0 && !t.stopWord)) run.push(t);
    else flush();
  }
  flush();
  return phrases;
}

export function topicsOf(turns: readonly { role: string; sentences: Sentence[] }[]): string[] {
  const lemmaCounts = new Map<string, number>();
  const phraseCounts = new Map<string, number>();
  for (const turn of turns) {
    const weight = turn.role === 'user' ? 2 : 1;
    for (const sentence of turn.sentences) {
      for (const t of sentence.tokens) lemmaCounts.set(t.lemma, (lemmaCounts.get(t.lemma) ?? 0) + 1);
      for (const phrase of nounPhrases(sentence)) phraseCounts.set(phrase, (phraseCounts.get(phrase) ?? 0) + weight);
    }
  }
  const categories = Object.entries(CATEGORIES)
    .map(([name, words]) => [name, words.reduce((n, w) => n + (lemmaCounts.get(w) ?? 0), 0)] as const)
    .filter(([, hits]) => hits >= CATEGORY_MIN_HITS)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([name]) => name);
  const phrases = [...phraseCounts.entries()]
    .sort((a, b) => b[1] - a[1] || b[0].split(' ').length - a[0].split(' ').length)
    .map(([phrase]) => phrase)
    .filter((phrase) => !categories.includes(phrase))
    .slice(0, MAX_PHRASE_TOPICS);
  return [...categories, ...phrases].slice(0, MAX_TOPICS);
}

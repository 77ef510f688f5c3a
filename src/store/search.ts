/*
 * Keyword search over conversations (the support desk's searchKeyword, the conversations
 * surface's messageKeyword), on migrations 019's and 022's indexes.
 *
 * searchKeyword: the small fields (title, agent name, the person, the summary) through their
 * trigram indexes, so a piece of a word matches ("0101", "doe@exa"); message text through
 * message_words, whole words of the 'simple' configuration (names, e-mail addresses and numbers
 * are not stemmed away), one primary-key probe a conversation and word. On 1,000,000 messages
 * (bench/search.ts, one agent's 500 conversations, one statement alone): finding the
 * conversations from the messages themselves (trigram index, then every matching message) cost a
 * common word 250–5,000 ms; reading each conversation of the scope for its fields cost 8–15 ms;
 * this way 2–9 ms.
 */

/** More words add SQL and no precision worth having; the rest of a longer keyword is ignored. */
const MAX_WORDS = 8;

/** Letters or digits: what the 'simple' parser turns into lexemes (a query without any has none). */
const HAS_LEXEME = /[\p{L}\p{N}]/u;

/**
 * The person as one text: names, e-mail, phone, and the phone's digits alone ("5550101" finds
 * "+1 555-0101"). Migration 022's end_users_person_trigrams indexes this expression, character
 * for character (else the planner does not use it).
 */
const PERSON = `(u.first_name || ' ' || u.last_name || ' ' || u.email || ' ' || u.phone_number || ' ' || regexp_replace(u.phone_number, '\\D', '', 'g'))`;

/**
 * A fragment pg_trgm can look up: three letters or digits in a row (its trigrams are drawn from
 * runs of them). A shorter one would read the whole index, and in message text match nearly
 * every conversation.
 */
const INDEXABLE = /[\p{L}\p{N}]{3}/u;

type Bind = (value: unknown) => string;

/**
 * A LIKE pattern that finds the bound text anywhere, with %, _ and \ taken literally. The planner
 * folds it to a constant, so the trigram index sees the pattern.
 */
const containsPattern = (param: string) =>
  `('%' || replace(replace(replace(${param}::text, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')`;

/**
 * SQL that matches conversations (table alias `alias`) against a keyword, binding values through `bind`:
 * `where` a boolean expression, `rank` a float8 expression (higher is a better match).
 *
 * A conversation matches when every word of the keyword is in one of its fields (a fragment is
 * enough: "0101", "doe@exa", "kett"), or every full-text word of it is in its live messages
 * (whole words, in any of them). `rank`: a whole word in the title, the agent's name or the person
 * 6, a fragment there 3, in the summary 4 and 2, added up; found by its messages only 1.
 * `rank` binds nothing of its own, so a count can run `where` alone on the same parameters.
 */
export function keywordMatch(keyword: string, bind: Bind, alias = 'c'): { where: string; rank: string } {
  const words = keyword.split(/\s+/).filter(Boolean).slice(0, MAX_WORDS);
  if (words.length === 0) return { where: 'false', rank: '0::float8' };
  // Bound only when used: PostgreSQL refuses a parameter no part of the statement uses.
  const phrase = HAS_LEXEME.test(keyword) ? bind(words.join(' ')) : undefined;
  const params = words.map((word) => bind(word));
  // Every word somewhere in the text: ILIKE where the trigram index can look it up, strpos (which
  // the planner never takes to the index) where it cannot; both take % and _ literally.
  const contains = (expr: string) => params.map((p, i) => (INDEXABLE.test(words[i])
    ? `${expr} ILIKE ${containsPattern(p)}`
    : `strpos(lower(${expr}), lower(${p}::text)) > 0`)).join(' AND ');
  const wholeWords = (expr: string) => (phrase ? `to_tsvector('simple', ${expr}) @@ plainto_tsquery('simple', ${phrase}::text)` : 'false');

  /*
   * Each field as the keys of the rows that match, found through the field's index and compared
   * with the conversation's own keys (a hashed subplan: one lookup a statement, one hash probe a
   * conversation), so the scope's conversations are not read for their fields. A hashed subplan
   * cannot see the caller's customer_id: the lookup reads the matching rows of every customer,
   * and the comparison drops the others'. Cheap while a keyword matches few titles and names.
   */
  const fields = [
    { t: 'x', from: 'conversations x', filter: "x.display_name <> ''", key: 'x.id', of: `${alias}.id`, expr: 'x.display_name', whole: 6, fragment: 3 },
    { t: 'g', from: 'agents g', filter: 'true', key: 'g.id', of: `${alias}.agent_id`, expr: 'g.name', whole: 6, fragment: 3 },
    { t: 'u', from: 'end_users u', filter: 'true', key: 'u.id', of: `${alias}.end_user_id`, expr: PERSON, whole: 6, fragment: 3 },
    // The summary weighs less than the title, the agent's name and the person.
    { t: 's', from: 'analyses s', filter: "s.summary <> ''", key: 's.conversation_id', of: `${alias}.id`, expr: 's.summary', whole: 4, fragment: 2 },
  ];
  // Without a word the index can look up ("on", "%"), a lookup would read every row of every
  // customer: each conversation of the scope is looked at instead, by its keys (a scalar
  // subquery, which the planner does not turn into a lookup of all rows as it does EXISTS).
  const indexed = words.some((word) => INDEXABLE.test(word));
  const matching = (f: (typeof fields)[number], test: string) => (indexed
    ? `(${alias}.customer_id, ${f.of}) IN (SELECT ${f.t}.customer_id, ${f.key} FROM ${f.from} WHERE ${f.filter} AND ${test})`
    : `coalesce((SELECT ${test} FROM ${f.from} WHERE ${f.filter} AND ${f.t}.customer_id = ${alias}.customer_id AND ${f.key} = ${f.of}), false)`);
  const alternatives = fields.map((f) => matching(f, contains(f.expr)));
  if (phrase) {
    // Every lexeme of the keyword a key of message_words: one primary-key probe a conversation
    // and word, however common the word (the array is a constant to the planner).
    alternatives.push(`EXISTS (SELECT 1 FROM (SELECT tsvector_to_array(to_tsvector('simple', ${phrase}::text)) AS words) q
        WHERE cardinality(q.words) > 0 AND NOT EXISTS (SELECT 1 FROM unnest(q.words) AS k (word) WHERE NOT EXISTS (
          SELECT 1 FROM message_words w WHERE w.customer_id = ${alias}.customer_id AND w.word = k.word AND w.conversation_id = ${alias}.id)))`);
  }
  const where = `(${alternatives.join('\n      OR ')})`;
  // Whole words tested only where the words are already found.
  const scores = fields.map((f) => `CASE WHEN ${matching(f, contains(f.expr))}
      THEN CASE WHEN ${matching(f, `${contains(f.expr)} AND ${wholeWords(f.expr)}`)} THEN ${f.whole} ELSE ${f.fragment} END ELSE 0 END`);
  return { where, rank: `greatest(${scores.join(' + ')}, 1)::float8` };
}

/**
 * The conversations surface's messageKeyword: a plain substring of a message's text
 * (case-insensitive; % and _ are literal), through the same index.
 */
export function messageSubstringMatch(keyword: string, bind: Bind, alias = 'c'): string {
  if (!INDEXABLE.test(keyword)) {
    // No trigram to look up: the conversation's own messages, one by one.
    return `EXISTS (SELECT 1 FROM messages m WHERE m.customer_id = ${alias}.customer_id AND m.conversation_id = ${alias}.id
      AND m.state <> 'DELETED' AND strpos(lower(m.text), lower(${bind(keyword)}::text)) > 0)`;
  }
  return `(${alias}.customer_id, ${alias}.id) IN (SELECT m.customer_id, m.conversation_id FROM messages m
      WHERE m.state <> 'DELETED' AND m.text ILIKE ${containsPattern(bind(keyword))})`;
}

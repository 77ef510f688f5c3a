/*
 * Keyword search over conversations (the support desk's searchKeyword, the conversations
 * surface's messageKeyword), on migration 019's message_words and trigram index.
 *
 * searchKeyword looks at one scope's conversations (the desk lists one agent's) row by row:
 * its small fields (title, agent name, the person's names, e-mail and phone, the summary) for
 * the keyword's words as fragments, its messages for the keyword's full-text words (the 'simple'
 * configuration, so names, e-mail addresses and numbers are not stemmed away) through
 * message_words: one primary-key probe a word, whatever the word. Finding the conversations from
 * the messages instead (a trigram index on their text, then every matching message) cost a common
 * word seconds at 20 concurrent searches over 1,000,000 messages (bench/search.ts).
 */

/** More words add SQL and no precision worth having; the rest of a longer keyword is ignored. */
const MAX_WORDS = 8;

/** Letters or digits: what the 'simple' parser turns into lexemes (a query without any has none). */
const HAS_LEXEME = /[\p{L}\p{N}]/u;

/** A word that can be part of a phone number: three digits or more, and nothing but separators besides. */
const PHONE_LIKE = /^(?=(?:\D*\d){3})[\d\s()+\-./]+$/;

/**
 * A fragment pg_trgm can look up: three letters or digits in a row (its trigrams are drawn from
 * runs of them). A shorter one would read the whole index, and in message text match nearly
 * every conversation.
 */
const INDEXABLE = /[\p{L}\p{N}]{3}/u;

type Bind = (value: unknown) => string;

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
  // strpos, not LIKE: % and _ in a keyword are literal.
  const contains = (expr: string) => params.map((p) => `strpos(lower(${expr}), lower(${p}::text)) > 0`).join(' AND ');
  // The phone's digits too when a word could be part of a number ("5550101" finds "+1 555-0101").
  const digits = words.some((word) => PHONE_LIKE.test(word)) ? ` || ' ' || regexp_replace(u.phone_number, '\\D', '', 'g')` : '';
  const fields: { table: string; t: string; key: string; expr: string; whole: number; fragment: number }[] = [
    { table: 'agents', t: 'g', key: `g.id = ${alias}.agent_id`, expr: 'g.name', whole: 6, fragment: 3 },
    {
      table: 'end_users', t: 'u', key: `u.id = ${alias}.end_user_id`,
      expr: `(u.first_name || ' ' || u.last_name || ' ' || u.email || ' ' || u.phone_number${digits})`, whole: 6, fragment: 3,
    },
    // The summary weighs less than the title, the agent's name and the person.
    { table: 'analyses', t: 's', key: `s.conversation_id = ${alias}.id`, expr: 's.summary', whole: 4, fragment: 2 },
  ];
  const of = (f: (typeof fields)[number], test: string) =>
    `(SELECT ${test} FROM ${f.table} ${f.t} WHERE ${f.t}.customer_id = ${alias}.customer_id AND ${f.key})`;

  const alternatives = [contains(`${alias}.display_name`)];
  if (phrase) {
    // Every lexeme of the keyword is a key of message_words; the array is a constant to the planner.
    alternatives.push(`EXISTS (SELECT 1 FROM (SELECT tsvector_to_array(to_tsvector('simple', ${phrase}::text)) AS words) q
        WHERE cardinality(q.words) > 0 AND NOT EXISTS (SELECT 1 FROM unnest(q.words) AS k (word) WHERE NOT EXISTS (
          SELECT 1 FROM message_words w WHERE w.customer_id = ${alias}.customer_id AND w.word = k.word AND w.conversation_id = ${alias}.id)))`);
  }
  alternatives.push(...fields.map((f) => `coalesce(${of(f, contains(f.expr))}, false)`));
  const where = `(${alternatives.join('\n      OR ')})`;

  const query = phrase ? `plainto_tsquery('simple', ${phrase}::text)` : undefined;
  const score = (expr: string, whole: number, fragment: number) =>
    `CASE WHEN ${query ? `to_tsvector('simple', ${expr}) @@ ${query}` : 'false'} THEN ${whole} WHEN ${contains(expr)} THEN ${fragment} ELSE 0 END`;
  const scores = [
    score(`${alias}.display_name`, 6, 3),
    ...fields.map((f) => `coalesce(${of(f, score(f.expr, f.whole, f.fragment))}, 0)`),
  ];
  return { where, rank: `greatest(${scores.join(' + ')}, 1)::float8` };
}

/**
 * A LIKE pattern that finds the bound text anywhere, with %, _ and \ taken literally. The planner
 * folds it to a constant, so the trigram index sees the pattern.
 */
const containsPattern = (param: string) =>
  `('%' || replace(replace(replace(${param}::text, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')`;

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

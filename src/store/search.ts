/*
 * Keyword search over conversations (the support desk's searchKeyword, the conversations
 * surface's messageKeyword).
 *
 * searchKeyword looks at each conversation of the caller's scope (one agent's, after its filters)
 * once: its title and summary on its own row (migrations 024 and 025), its agent's name and its
 * person through their trigram indexes (a piece of a word matches: "0101", "doe@exa"), and only
 * when none of those matches, its message text through message_words (migration 019), whole words
 * of the 'simple' configuration, one primary-key probe a word. On 1,000,000 messages
 * (bench/search.ts, one agent's 500 conversations) this replaced lookups of every field's trigram
 * index, which read every customer's matches (a common word in 10,000 summaries) and were planned
 * anew in every statement.
 */

/** More words add SQL and no precision worth having; the rest of a longer keyword is ignored. */
const MAX_WORDS = 8;

/** Letters or digits: what the 'simple' parser turns into lexemes (a query without any has none). */
const HAS_LEXEME = /[\p{L}\p{N}]/u;

/** The person as one text: names, e-mail, phone, and the phone's digits alone ("5550101" finds "+1 555-0101"). */
const PERSON = `(u.first_name || ' ' || u.last_name || ' ' || u.email || ' ' || u.phone_number || ' ' || regexp_replace(u.phone_number, '\\D', '', 'g'))`;

/**
 * A pattern for ILIKE that finds the text anywhere, with %, _ and \ taken literally. Made here and
 * bound as it is: a prepared statement's generic plan would otherwise escape it again on every row.
 */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

type Bind = (value: unknown) => string;

/**
 * A fragment pg_trgm can look up: three letters or digits in a row (its trigrams are drawn from
 * runs of them). A shorter one would read the whole index and match nearly every message.
 */
const INDEXABLE = /[\p{L}\p{N}]{3}/u;

/**
 * SQL that matches the conversations of `alias` against a keyword, binding values through `bind`:
 * `join` to add after the FROM item (empty, or a LATERAL join), `where` a boolean expression and
 * `rank` a float8 expression (higher is a better match).
 *
 * A conversation matches when every word of the keyword is in one of its fields (a fragment is
 * enough: "0101", "doe@exa", "kett"), or every full-text word of it is in its live messages (whole
 * words, in any of them). `rank`: a whole word in the title, the agent's name or the person 6, a
 * fragment there 3, in the summary 4 and 2, added up; found by its messages only 1.
 */
export function keywordMatch(keyword: string, bind: Bind, alias = 'c'): { join: string; where: string; rank: string } {
  const words = keyword.split(/\s+/).filter(Boolean).slice(0, MAX_WORDS);
  if (words.length === 0) return { join: '', where: 'false', rank: '0::float8' };
  // Bound only when used: PostgreSQL refuses a parameter no part of the statement uses.
  const phrase = HAS_LEXEME.test(keyword) ? bind(words.join(' ')) : undefined;
  const patterns = words.map((word) => bind(containsPattern(word)));
  const contains = (expr: string) => patterns.map((p) => `${expr} ILIKE ${p}`).join(' AND ');
  // A word is whole when no letter or digit touches it (\m and \M, PostgreSQL's word boundaries):
  // a regular expression made from the word's LIKE pattern, whose escapes (\%, \_, \\) already
  // mean the character itself there. It runs only where the word is found, and costs far less than
  // parsing the field into lexemes; it binds nothing, so `where` and `rank` share their parameters.
  const wholeWords = (expr: string) => patterns.map((p) =>
    `${expr} ~* ('\\m' || regexp_replace(substr(${p}, 2, length(${p}) - 2), '([.^$*+?()[\\]{}|])', '\\\\\\1', 'g') || '\\M')`).join(' AND ');
  const score = (expr: string, whole: number, fragment: number) =>
    `CASE WHEN ${contains(expr)} THEN CASE WHEN ${wholeWords(expr)} THEN ${whole} ELSE ${fragment} END ELSE 0 END`;
  // Every lexeme of the keyword a key of message_words: one primary-key probe a word. The lexemes
  // are an uncorrelated subquery, so they are parsed once a statement, not once a conversation.
  const lexemes = phrase && `(SELECT tsvector_to_array(to_tsvector('simple', ${phrase}::text)))`;
  const inMessages = lexemes
    ? `(cardinality(${lexemes}) > 0 AND NOT EXISTS (SELECT 1 FROM unnest(${lexemes}) AS k (word) WHERE NOT EXISTS (
          SELECT 1 FROM message_words w WHERE w.customer_id = ${alias}.customer_id AND w.word = k.word AND w.conversation_id = ${alias}.id)))`
    : 'false';
  const title = score(`${alias}.display_name`, 6, 3);
  // The summary weighs less than the title, the agent's name and the person.
  const summary = score(`${alias}.search_summary`, 4, 2);
  const others = [
    { table: 'agents', t: 'g', key: 'id', of: `${alias}.agent_id`, expr: 'g.name', whole: 6, fragment: 3 },
    { table: 'end_users', t: 'u', key: 'id', of: `${alias}.end_user_id`, expr: PERSON, whole: 6, fragment: 3 },
  ].map((f) => ({
    ...f,
    scored: `(SELECT ${score(f.expr, f.whole, f.fragment)} FROM ${f.table} ${f.t} WHERE ${f.t}.customer_id = ${alias}.customer_id AND ${f.t}.${f.key} = ${f.of})`,
  }));

  if (!words.some((word) => INDEXABLE.test(word))) {
    // No word the trigram indexes can look up ("on"): a lookup would read every row, so each
    // conversation's fields are probed, once (the LATERAL join; OFFSET 0 keeps it from being
    // pulled up and its probes copied into the WHERE and the ORDER BY).
    const join = `CROSS JOIN LATERAL (SELECT ${title} + ${summary} + ${others.map((f) => `coalesce(${f.scored}, 0)`).join(' + ')} AS score OFFSET 0) ${alias}_fields`;
    return { join, where: `(${alias}_fields.score > 0 OR ${inMessages})`, rank: `greatest(${alias}_fields.score, 1)::float8` };
  }
  /*
   * The agent's name and the person are found through their trigram indexes: one lookup a
   * statement, a hashed set of keys each conversation is looked up in. Only the rows found are read
   * again for their score (whole word or fragment), and only for the matches.
   */
  const found = (f: (typeof others)[number]) =>
    `(${alias}.customer_id, ${f.of}) IN (SELECT ${f.t}.customer_id, ${f.t}.${f.key} FROM ${f.table} ${f.t} WHERE ${contains(f.expr)})`;
  const where = `(${[contains(`${alias}.display_name`), contains(`${alias}.search_summary`), ...others.map(found), inMessages].join('\n      OR ')})`;
  const rank = `greatest(${[title, summary, ...others.map((f) => `CASE WHEN ${found(f)} THEN ${f.scored} ELSE 0 END`)].join(' + ')}, 1)::float8`;
  return { join: '', where, rank };
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
      WHERE m.state <> 'DELETED' AND m.text ILIKE ${bind(containsPattern(keyword))})`;
}

-- searchKeyword in the small fields (store/search.ts): each has a trigram index, so a word or a
-- piece of one ("kettle", "0101", "doe@exa") finds its rows in one lookup a statement instead of
-- reading each conversation of the scope (8–15 ms a statement for one agent's 500, bench/search.ts);
-- full-text matching then ranks the rows found. The person is one text: names, e-mail, phone, and
-- the phone once more as digits only ("5550101" finds "+1 555-0101"); store/search.ts's PERSON is
-- this expression, character for character.
CREATE INDEX conversations_title_trigrams ON conversations USING gin (display_name gin_trgm_ops) WHERE display_name <> '';
CREATE INDEX agents_name_trigrams ON agents USING gin (name gin_trgm_ops);
CREATE INDEX analyses_summary_trigrams ON analyses USING gin (summary gin_trgm_ops) WHERE summary <> '';
CREATE INDEX end_users_person_trigrams ON end_users USING gin ((
  first_name || ' ' || last_name || ' ' || email || ' ' || phone_number || ' ' || regexp_replace(phone_number, '\D', '', 'g')
) gin_trgm_ops);

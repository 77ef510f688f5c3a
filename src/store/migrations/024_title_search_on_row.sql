-- The support desk's search reads each title on the conversation's own row, which the scope's scan
-- has in hand (store/search.ts): the trigram index on titles went unused, and every update of a
-- conversation (its update time, its message count) paid for an entry in it.
DROP INDEX IF EXISTS conversations_title_trigrams;

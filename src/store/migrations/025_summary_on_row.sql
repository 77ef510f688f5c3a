-- The support desk's search reads each conversation's summary on the conversation's own row, which
-- the scope's scan has in hand (store/search.ts), as it reads the title (024). Found through the
-- trigram index on analyses, a word in most summaries ("about") made a search read every summary of
-- the customer, twice; on the row it costs one comparison per conversation in scope.
-- store/analyses.ts keeps the copy in the statement that writes the analysis.
ALTER TABLE conversations ADD COLUMN search_summary text NOT NULL DEFAULT '';
UPDATE conversations c SET search_summary = a.summary
  FROM analyses a WHERE a.customer_id = c.customer_id AND a.conversation_id = c.id AND a.summary <> '';
DROP INDEX IF EXISTS analyses_summary_trigrams;

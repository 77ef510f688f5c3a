-- Keyword search (the support desk's searchKeyword, the conversations surface's messageKeyword;
-- store/search.ts writes the queries).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- messageKeyword: a substring of one live message's text.
CREATE INDEX messages_text_trigrams ON messages USING gin (text gin_trgm_ops) WHERE state <> 'DELETED';

-- searchKeyword in message text: the words ('simple' lexemes) each conversation's live messages
-- contain, one row each, kept by the triggers below. A common word is in most messages: finding
-- its conversations through the messages (the trigram index above, then every matching row) took
-- seconds at 20 concurrent searches over 1,000,000 messages; here it is one range of this key
-- (bench/search.ts). COLLATE "C": words compare as bytes, the cheapest order for the key.
CREATE TABLE message_words (
  customer_id     text NOT NULL,
  word            text COLLATE "C" NOT NULL,
  conversation_id text NOT NULL,
  PRIMARY KEY (customer_id, word, conversation_id)
);

-- Statement triggers with transition tables: an append of n messages is one INSERT … SELECT.
-- Appends to one conversation are serialised by its row lock (next_message_seq), and every key
-- holds the conversation, so two appends never wait on each other's words. Words longer than
-- 200 bytes (a pasted token, a URL) are left out: no one types them as a keyword.
CREATE FUNCTION message_words_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO message_words (customer_id, word, conversation_id)
  SELECT DISTINCT n.customer_id, w.word, n.conversation_id
    FROM added n, unnest(tsvector_to_array(to_tsvector('simple', n.text))) AS w (word)
   WHERE n.state <> 'DELETED' AND octet_length(w.word) <= 200
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- A rewrite (redaction, deletion) or a removal takes the old text's words out, then puts back what
-- the conversation's live messages still say: one conversation's messages, on a rare path. The
-- conversations touched are kept in arrays (a temporary table would churn the catalog on every
-- UPDATE of messages); an UPDATE that changes no text or state does nothing.
CREATE FUNCTION message_words_redo() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  customers text[];
  conversations text[];
BEGIN
  IF TG_OP = 'UPDATE' THEN
    SELECT array_agg(t.customer_id), array_agg(t.conversation_id) INTO customers, conversations
      FROM (SELECT DISTINCT o.customer_id, o.conversation_id FROM removed o JOIN added n USING (customer_id, conversation_id, seq)
             WHERE o.text IS DISTINCT FROM n.text OR o.state IS DISTINCT FROM n.state) t;
  ELSE
    SELECT array_agg(t.customer_id), array_agg(t.conversation_id) INTO customers, conversations
      FROM (SELECT DISTINCT customer_id, conversation_id FROM removed) t;
  END IF;
  IF conversations IS NULL THEN
    RETURN NULL;
  END IF;
  DELETE FROM message_words w
   USING (SELECT DISTINCT o.customer_id, x.word, o.conversation_id
            FROM removed o JOIN unnest(customers, conversations) AS t (customer_id, conversation_id) USING (customer_id, conversation_id),
                 unnest(tsvector_to_array(to_tsvector('simple', o.text))) AS x (word)) o
   WHERE w.customer_id = o.customer_id AND w.word = o.word AND w.conversation_id = o.conversation_id;
  INSERT INTO message_words (customer_id, word, conversation_id)
  SELECT DISTINCT m.customer_id, x.word, m.conversation_id
    FROM unnest(customers, conversations) AS t (customer_id, conversation_id)
    JOIN messages m ON m.customer_id = t.customer_id AND m.conversation_id = t.conversation_id AND m.state <> 'DELETED',
         unnest(tsvector_to_array(to_tsvector('simple', m.text))) AS x (word)
   WHERE octet_length(x.word) <= 200
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER message_words_insert AFTER INSERT ON messages REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION message_words_add();
CREATE TRIGGER message_words_update AFTER UPDATE ON messages REFERENCING OLD TABLE AS removed NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION message_words_redo();
-- Also a conversation's deletion, whose cascade removes its messages.
CREATE TRIGGER message_words_delete AFTER DELETE ON messages REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION message_words_redo();

INSERT INTO message_words (customer_id, word, conversation_id)
SELECT DISTINCT m.customer_id, x.word, m.conversation_id
  FROM messages m, unnest(tsvector_to_array(to_tsvector('simple', m.text))) AS x (word)
 WHERE m.state <> 'DELETED' AND octet_length(x.word) <= 200
ON CONFLICT DO NOTHING;

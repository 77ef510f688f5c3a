-- Message words (migration 019) are indexed after the append commits, not inside it.
--
-- The insert trigger probed message_words for every word of every message in the append's own
-- transaction: a quarter of an ingest create's database time, and in `npm run bench` each
-- conversation of a group-commit batch paid again for words it already had (bench/RESULTS.md).
-- Now the MESSAGE_CREATE events, which every writer of messages already logs, are read after the
-- commit (store/message-words.ts): in the background, a second's worth of appends at a time, so a
-- word said a hundred times is probed once; and by every keyword search for its own customer
-- first, so a search still finds every message committed before it began.

-- The words of a text as message_words holds them: the 'simple' configuration's lexemes, without
-- those longer than 200 bytes (a pasted token, a URL: no one types them as a keyword). The one
-- place the rule is written: the indexer, the rewrite trigger and the backfill all use it.
CREATE FUNCTION message_words_in(text) RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT w FROM unnest(tsvector_to_array(to_tsvector('simple', $1))) AS w WHERE octet_length(w) <= 200
$$;

-- The indexer reads a message's text, then writes its words; a redaction in between would leave
-- the old text's words behind. So an indexer holds a shared lock on each conversation it indexes
-- and a rewrite an exclusive one: the rewrite waits for the indexer's words and then removes them,
-- or the indexer waits for the rewrite and reads the new text. Conversations share 256 locks
-- (a step can touch thousands of conversations; PostgreSQL's lock table is small), taken in order.
CREATE FUNCTION message_words_lock(customers text[], conversations text[], exclusive boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  bucket int;
BEGIN
  FOR bucket IN SELECT DISTINCT hashtext(t.customer_id || '/' || t.conversation_id) & 255
                  FROM unnest(customers, conversations) AS t (customer_id, conversation_id) ORDER BY 1 LOOP
    IF exclusive THEN
      PERFORM pg_advisory_xact_lock(hashtext('parley.message_words'), bucket);
    ELSE
      PERFORM pg_advisory_xact_lock_shared(hashtext('parley.message_words'), bucket);
    END IF;
  END LOOP;
END $$;

-- Migration 019's rewrite trigger, now under the exclusive lock and with the one word rule.
CREATE OR REPLACE FUNCTION message_words_redo() RETURNS trigger LANGUAGE plpgsql AS $$
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
  PERFORM message_words_lock(customers, conversations, true);
  DELETE FROM message_words w
   USING (SELECT DISTINCT o.customer_id, x.word, o.conversation_id
            FROM removed o JOIN unnest(customers, conversations) AS t (customer_id, conversation_id) USING (customer_id, conversation_id),
                 message_words_in(o.text) AS x (word)) o
   WHERE w.customer_id = o.customer_id AND w.word = o.word AND w.conversation_id = o.conversation_id;
  INSERT INTO message_words (customer_id, word, conversation_id)
  SELECT DISTINCT m.customer_id, x.word, m.conversation_id
    FROM unnest(customers, conversations) AS t (customer_id, conversation_id)
    JOIN messages m ON m.customer_id = t.customer_id AND m.conversation_id = t.conversation_id AND m.state <> 'DELETED',
         message_words_in(m.text) AS x (word)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

DROP TRIGGER message_words_insert ON messages;
DROP FUNCTION message_words_add();

-- The background indexer's place in the event log. Every transaction older than this one's
-- snapshot ran the insert trigger (dropping it waited for them); later ones are read from here.
INSERT INTO event_cursors (name, tx, gid) VALUES ('message_words', pg_snapshot_xmin(pg_current_snapshot()), 0);

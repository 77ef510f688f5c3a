-- A message belongs to its conversation, checked once a statement instead of once a row. The
-- foreign key looked its conversation up and locked it for every message: a third of the database's
-- CPU in an ingest create of 50 messages (bench/ingest-create-costs.ts). Every writer of messages
-- (store/messages.ts appendMessageBatch, store/ingest-conversations.ts createIngestConversation)
-- already holds the conversation's row lock, or inserts the row in the same statement, so a
-- deletion waits for it; what the foreign key still did is done by the two triggers below.
ALTER TABLE messages DROP CONSTRAINT messages_customer_id_conversation_id_fkey;

-- No message without its conversation: one anti-join over the statement's new rows.
CREATE FUNCTION messages_check_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM added a
              WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE c.customer_id = a.customer_id AND c.id = a.conversation_id)) THEN
    RAISE foreign_key_violation USING MESSAGE = 'a message needs its conversation (messages → conversations)';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER messages_check_conversation AFTER INSERT ON messages
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION messages_check_conversation();

-- A conversation's messages go with it (the foreign key's ON DELETE CASCADE). In its own statement,
-- so it sees every message committed before the conversation's row lock was taken.
CREATE FUNCTION conversations_delete_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM messages m USING removed r WHERE m.customer_id = r.customer_id AND m.conversation_id = r.id;
  RETURN NULL;
END $$;
CREATE TRIGGER conversations_delete_messages AFTER DELETE ON conversations
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION conversations_delete_messages();

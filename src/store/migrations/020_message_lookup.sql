-- A message found by its id alone (raia's message feedback names only the message): message ids
-- are Parley's own (newId), one per message of a customer, so this is one index probe instead of
-- one per conversation of the agent through messages_by_id (customer_id, conversation_id, id).
CREATE INDEX messages_by_customer_message_id ON messages (customer_id, id);

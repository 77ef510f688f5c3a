-- The ingest surface lists a customer's conversations across its profiles, newest first
-- (store/ingest-conversations.ts listIngestConversations): without this index every page sorted
-- all of the customer's conversations. One more index entry per conversation created.
CREATE INDEX conversations_by_customer_create ON conversations (customer_id, create_time, id);

-- The conversation lifecycle (core/conversations/lifecycle.ts) keeps on the row what surfaces used
-- to read out of event payloads: why a closed conversation was closed, and who answers it.

-- NULL while the conversation is open. ABANDONED: the other side left before it was done (the
-- ingest surface's `abandoned`); COMPLETED: every other close.
ALTER TABLE conversations ADD COLUMN close_reason text CHECK (close_reason IN ('COMPLETED', 'ABANDONED'));
-- AI: the agent runtime answers; MANUAL: a human took the conversation over (handoff).
ALTER TABLE conversations ADD COLUMN mode text NOT NULL DEFAULT 'AI' CHECK (mode IN ('AI', 'MANUAL'));

-- Until now a conversation closed as abandoned was told apart only by its CONVERSATION_END payload.
UPDATE conversations c SET close_reason = CASE
    WHEN EXISTS (SELECT 1 FROM events e WHERE e.customer_id = c.customer_id AND e.conversation_id = c.id
                   AND e.type = 'CONVERSATION_END' AND e.payload->>'reason' = 'abandoned') THEN 'ABANDONED'
    ELSE 'COMPLETED' END
  WHERE c.state = 'CLOSED';

-- A deletion is an event: its CONVERSATION_DELETE must outlive the conversation row so that the
-- dispatcher (webhooks, live streams) still reads it. The delete removes the other events itself
-- (store/conversations.ts deleteConversation), so no content is kept.
ALTER TABLE events DROP CONSTRAINT events_customer_id_conversation_id_fkey;

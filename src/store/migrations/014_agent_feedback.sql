-- Feedback on the agent surface's conversations (API-FACTS §3, seed 002): on a whole conversation
-- (interaction_id NULL) or on one interaction of it. `content` holds what the kind says
-- (a comment; an interaction comment's `resolved`; a rating), so a new kind needs no migration.
CREATE TABLE agent_feedback (
  customer_id     text NOT NULL,
  id              text NOT NULL,
  conversation_id text NOT NULL,
  interaction_id  text,
  user_id         text NOT NULL DEFAULT '',
  content         jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, id),
  FOREIGN KEY (customer_id, conversation_id) REFERENCES conversations (customer_id, id) ON DELETE CASCADE
);
CREATE INDEX agent_feedback_by_conversation ON agent_feedback (customer_id, conversation_id, created_at);

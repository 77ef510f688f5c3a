-- The support desk (API-FACTS §4, seed 003, raia): who a conversation is with, what the customer
-- files it under, the votes on its messages, and the questions waiting for a reply.

-- An end user is one person across surfaces: the agent surface signs them in by `external_id`,
-- the support desk knows their names and how to reach them.
ALTER TABLE end_users
  ADD COLUMN first_name   text NOT NULL DEFAULT '',
  ADD COLUMN last_name    text NOT NULL DEFAULT '',
  ADD COLUMN email        text NOT NULL DEFAULT '',
  ADD COLUMN phone_number text NOT NULL DEFAULT '',
  -- The caller's own references to the person (raia's fkId, fkUserId) and where they came from.
  ADD COLUMN fk_id        text NOT NULL DEFAULT '',
  ADD COLUMN fk_user_id   text NOT NULL DEFAULT '',
  ADD COLUMN source       text NOT NULL DEFAULT '',
  ADD COLUMN context      text NOT NULL DEFAULT '',
  ADD COLUMN metadata     jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN update_time  timestamptz NOT NULL DEFAULT now();

-- The customer's own conversation states (raia's conversation states): names to file
-- conversations under, beside the lifecycle's state. Persistent ones survive a conversation's reset.
CREATE TABLE conversation_states (
  customer_id   text NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  id            text NOT NULL,
  name          text NOT NULL,
  description   text,
  color         text,
  is_persistent boolean NOT NULL DEFAULT false,
  create_time   timestamptz NOT NULL DEFAULT now(),
  update_time   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, id),
  UNIQUE (customer_id, name)
);

ALTER TABLE conversations
  -- The person the conversation is with (any surface that knows them sets it).
  ADD COLUMN end_user_id text,
  -- What the agent is told about the conversation, and the caller's own data on it (raia).
  ADD COLUMN context     text NOT NULL DEFAULT '',
  ADD COLUMN custom_data jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN state_id    text,
  ADD FOREIGN KEY (customer_id, end_user_id) REFERENCES end_users (customer_id, id) ON DELETE SET NULL (end_user_id),
  ADD FOREIGN KEY (customer_id, state_id) REFERENCES conversation_states (customer_id, id) ON DELETE SET NULL (state_id);
CREATE INDEX conversations_by_end_user ON conversations (customer_id, end_user_id) WHERE end_user_id IS NOT NULL;
-- The support desk lists one agent's conversations by update time (its default order) or create time.
CREATE INDEX conversations_by_agent_update ON conversations (customer_id, agent_id, update_time, id) WHERE agent_id IS NOT NULL;
CREATE INDEX conversations_by_agent_create ON conversations (customer_id, agent_id, create_time, id) WHERE agent_id IS NOT NULL;

-- Votes on single messages (raia's conversation message feedbacks): one per voter and message,
-- a second vote replaces the first.
CREATE TABLE message_feedback (
  customer_id     text NOT NULL,
  id              text NOT NULL,
  conversation_id text NOT NULL,
  message_id      text NOT NULL,
  user_id         text NOT NULL DEFAULT '',
  vote_type       text NOT NULL CHECK (vote_type IN ('up', 'down')),
  question        text,
  answer          text,
  comment         text,
  user_email      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, id),
  UNIQUE (customer_id, conversation_id, message_id, user_id),
  FOREIGN KEY (customer_id, conversation_id) REFERENCES conversations (customer_id, id) ON DELETE CASCADE
);

-- A question asked for a later reply (raia's async message): pending until the agent's reply, or a
-- human's in manual mode, completes it; failed when the agent could not answer. Written with the
-- question, so a restart between question and reply loses neither.
CREATE TABLE awaited_replies (
  customer_id     text NOT NULL,
  conversation_id text NOT NULL,
  question_id     text NOT NULL,
  state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'completed', 'failed')),
  reply_id        text,
  error           text,
  create_time     timestamptz NOT NULL DEFAULT now(),
  update_time     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, conversation_id, question_id),
  FOREIGN KEY (customer_id, conversation_id) REFERENCES conversations (customer_id, id) ON DELETE CASCADE
);

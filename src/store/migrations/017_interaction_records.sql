-- What each agent-surface interaction's answer was made from (Amigo's interaction insights): the
-- state the agent ran in, the knowledge passages it retrieved (working memory), every provider call
-- (tool-call logs), whether the knowledge answered. Written by the statement that persists the turn
-- (store/messages.ts appendMessageBatch), so a turn and its record exist together or not at all.
CREATE TABLE interaction_records (
  customer_id     text NOT NULL,
  conversation_id text NOT NULL,
  interaction_id  text NOT NULL,
  record          jsonb NOT NULL,
  create_time     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, conversation_id, interaction_id),
  FOREIGN KEY (customer_id, conversation_id) REFERENCES conversations (customer_id, id) ON DELETE CASCADE
);

-- The agent surface's interactions (core/interactions/): one turn at a time per conversation, across
-- every process on the database. A turn claims its conversation here before it streams and gives the
-- claim back in the transaction that persists it (or when it fails). The claim is a lease: a process
-- that dies mid-turn leaves a row whose expires_at passes, and the next turn takes it over. The
-- claim's interaction_id is a fencing token: a turn that outlived its lease cannot persist.
CREATE TABLE interaction_claims (
  customer_id     text NOT NULL,
  conversation_id text NOT NULL,
  interaction_id  text NOT NULL,
  expires_at      timestamptz NOT NULL,
  PRIMARY KEY (customer_id, conversation_id),
  FOREIGN KEY (customer_id, conversation_id) REFERENCES conversations (customer_id, id) ON DELETE CASCADE
);

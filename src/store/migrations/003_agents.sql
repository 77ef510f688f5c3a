-- Agents (DESIGN: a configured AI agent; the ingest surface calls them prompts), the link from a
-- conversation to its agent, what the ingest surface keeps about a logged conversation, and the
-- per-key request counters of its rate limit.

CREATE TABLE agents (
  customer_id  text NOT NULL,
  profile_id   text NOT NULL,
  id           text NOT NULL,
  name         text NOT NULL,
  instructions text NOT NULL DEFAULT '',
  model        text NOT NULL DEFAULT '',
  description  text NOT NULL DEFAULT '',
  tags         text[] NOT NULL DEFAULT '{}',
  status       text NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'active', 'deprecated', 'archived')),
  -- Milliseconds, like conversations.create_time: list order and JS Dates agree.
  create_time  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  update_time  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, id),
  FOREIGN KEY (customer_id, profile_id) REFERENCES profiles (customer_id, id) ON DELETE CASCADE
);
CREATE INDEX agents_by_create ON agents (customer_id, profile_id, create_time, id);

-- No foreign key on purpose: a conversation keeps the id of the agent it was held with after the
-- agent is deleted (history), and deleting an agent rewrites no conversation row.
ALTER TABLE conversations ADD COLUMN agent_id text;
CREATE INDEX conversations_by_agent ON conversations (customer_id, profile_id, agent_id, create_time, id)
  WHERE agent_id IS NOT NULL;

-- What the ingest surface records beside the core conversation (Converra's fields).
CREATE TABLE ingest_conversations (
  customer_id     text NOT NULL,
  conversation_id text NOT NULL,
  llm_model       text NOT NULL DEFAULT '',
  company_name    text NOT NULL DEFAULT '',
  -- The caller's free-form metadata; appends shallow-merge into it.
  metadata        jsonb NOT NULL DEFAULT '{}',
  -- How the caller named the open state ('in_progress' or 'active'), rendered back while open.
  open_status     text NOT NULL DEFAULT 'active' CHECK (open_status IN ('in_progress', 'active')),
  PRIMARY KEY (customer_id, conversation_id),
  FOREIGN KEY (customer_id, conversation_id) REFERENCES conversations (customer_id, id) ON DELETE CASCADE
);

-- Fixed one-minute windows, one row per key, shared by every server process. UNLOGGED: a counter
-- is not customer data, and skipping the WAL keeps the per-request upsert off the commit flush;
-- after a crash the counters start again from zero.
CREATE UNLOGGED TABLE rate_limit_counters (
  customer_id  text NOT NULL,
  key_id       text NOT NULL,
  window_start timestamptz NOT NULL,
  count        integer NOT NULL,
  PRIMARY KEY (customer_id, key_id)
);

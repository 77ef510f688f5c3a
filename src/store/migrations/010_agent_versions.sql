-- Agents get model settings, states and a knowledge base, and every change makes an immutable
-- version. The agents row is the newest version (edge); agent_versions keeps each one, with the
-- set of knowledge documents it saw. `release_version` is the version the `release` set points at.

ALTER TABLE agents
  ADD COLUMN model_settings  jsonb NOT NULL DEFAULT '{}',
  -- [{name, objective, action}], in order; the first is where a conversation starts.
  ADD COLUMN states          jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN edge_version    integer NOT NULL DEFAULT 1,
  ADD COLUMN release_version integer NOT NULL DEFAULT 1,
  ADD CONSTRAINT agents_release_version CHECK (release_version BETWEEN 1 AND edge_version);

-- A document is immutable: changing one is deleting it and adding another, so a version's set of
-- document ids says exactly what that version knew. Rows live as long as the agent (versions keep them).
CREATE TABLE knowledge_documents (
  customer_id text NOT NULL,
  agent_id    text NOT NULL,
  id          text NOT NULL,
  name        text NOT NULL,
  media_type  text NOT NULL CHECK (media_type IN ('text/markdown', 'text/plain')),
  content     text NOT NULL,
  create_time timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  PRIMARY KEY (customer_id, agent_id, id),
  FOREIGN KEY (customer_id, agent_id) REFERENCES agents (customer_id, id) ON DELETE CASCADE
);

CREATE TABLE agent_versions (
  customer_id    text NOT NULL,
  agent_id       text NOT NULL,
  version        integer NOT NULL CHECK (version >= 1),
  name           text NOT NULL,
  instructions   text NOT NULL,
  model          text NOT NULL,
  model_settings jsonb NOT NULL,
  states         jsonb NOT NULL,
  document_ids   text[] NOT NULL DEFAULT '{}',
  create_time    timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  PRIMARY KEY (customer_id, agent_id, version),
  FOREIGN KEY (customer_id, agent_id) REFERENCES agents (customer_id, id) ON DELETE CASCADE
);

-- Agents created before this migration: their current form is version 1, released.
INSERT INTO agent_versions (customer_id, agent_id, version, name, instructions, model, model_settings, states, create_time)
SELECT customer_id, id, 1, name, instructions, model, model_settings, states, update_time FROM agents;

-- Passages of a document, searched with PostgreSQL full-text search ('english': stemming and stop
-- words); the heading path weighs more (A) than the passage (B). One index in the database, so
-- every process searches the same knowledge.
CREATE TABLE knowledge_chunks (
  customer_id text NOT NULL,
  agent_id    text NOT NULL,
  document_id text NOT NULL,
  position    integer NOT NULL,
  heading     text NOT NULL DEFAULT '',
  body        text NOT NULL,
  tsv         tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', heading), 'A') || setweight(to_tsvector('english', body), 'B')
  ) STORED,
  PRIMARY KEY (customer_id, agent_id, document_id, position),
  FOREIGN KEY (customer_id, agent_id, document_id) REFERENCES knowledge_documents (customer_id, agent_id, id) ON DELETE CASCADE
);
CREATE INDEX knowledge_chunks_tsv ON knowledge_chunks USING gin (tsv);

-- The version a conversation ran (Amigo's version_set_info): the set it was asked for and the
-- version that set resolved to when the conversation started.
ALTER TABLE conversations
  ADD COLUMN agent_version     integer,
  ADD COLUMN agent_version_set text;

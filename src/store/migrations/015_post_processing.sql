-- Post-conversation processing (core/post-processing/): which kinds of it are done for a
-- conversation, and the metrics `compute-metrics` found. Both go with the conversation. Keys start
-- with customer_id (the Citus distribution column).

CREATE TABLE post_processings (
  customer_id     text NOT NULL,
  conversation_id text NOT NULL,
  type            text NOT NULL CHECK (type IN ('generate-user-models', 'extract-memories', 'compute-metrics')),
  -- The job that completed it: a retried job that already committed writes nothing twice.
  job_id          text,
  complete_time   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, conversation_id, type),
  FOREIGN KEY (customer_id, conversation_id) REFERENCES conversations (customer_id, id) ON DELETE CASCADE
);

CREATE TABLE conversation_metrics (
  customer_id     text NOT NULL,
  conversation_id text NOT NULL,
  name            text NOT NULL,
  value           double precision NOT NULL,
  unit            text NOT NULL,
  -- The order the metrics were computed in, which is the order they are shown in.
  position        integer NOT NULL,
  PRIMARY KEY (customer_id, conversation_id, name),
  FOREIGN KEY (customer_id, conversation_id) REFERENCES conversations (customer_id, id) ON DELETE CASCADE
);

-- How an endpoint's deliveries are shaped and signed: 'standard' (Converra's events, Standard
-- Webhooks signing) or 'amigo' (Amigo's events and x-amigo-* signing). A delivery keeps the format
-- it was planned in, so a later change of the endpoint's format never signs a body of the other shape.
ALTER TABLE webhook_endpoints ADD COLUMN format text NOT NULL DEFAULT 'standard' CHECK (format IN ('standard', 'amigo'));
ALTER TABLE webhook_deliveries ADD COLUMN format text NOT NULL DEFAULT 'standard' CHECK (format IN ('standard', 'amigo'));

-- Insights: one current analysis per conversation (a regeneration replaces it), removed with
-- the conversation. The ingest surface's hasInsights filter is an EXISTS on the primary key.
CREATE TABLE analyses (
  customer_id      text NOT NULL,
  conversation_id  text NOT NULL,
  sentiment        text NOT NULL CHECK (sentiment IN ('positive', 'neutral', 'negative')),
  sentiment_score  double precision NOT NULL CHECK (sentiment_score BETWEEN -1 AND 1),
  task_completed   boolean NOT NULL,
  topics           text[] NOT NULL DEFAULT '{}',
  summary          text NOT NULL DEFAULT '',
  -- [{description, severity}]
  issues           jsonb NOT NULL DEFAULT '[]',
  analyzer         text NOT NULL,
  analyzer_version text NOT NULL,
  -- The job that wrote this row: a retried job that already committed writes nothing twice.
  job_id           text,
  create_time      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, conversation_id),
  FOREIGN KEY (customer_id, conversation_id) REFERENCES conversations (customer_id, id) ON DELETE CASCADE
);

-- Durable background work and the event dispatcher's position in the event log.

-- The transaction that wrote each event: the dispatcher reads events in commit-safe order,
-- (tx, gid), and only those of transactions older than every one still running, so an event
-- whose transaction commits late is never skipped (an identity column alone can be).
ALTER TABLE events ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_by_tx ON events (tx, gid);

CREATE TABLE event_cursors (
  name text PRIMARY KEY,
  tx   xid8 NOT NULL,
  gid  bigint NOT NULL
);
-- Start after the history that exists now: it happened before anyone could subscribe to it.
INSERT INTO event_cursors (name, tx, gid)
SELECT 'dispatcher', pg_current_xact_id(), coalesce(max(gid), 0) FROM events;

-- A work queue, not customer data: claimed across customers with FOR UPDATE SKIP LOCKED.
CREATE TABLE jobs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queue        text NOT NULL,
  customer_id  text NOT NULL,
  payload      jsonb NOT NULL DEFAULT '{}',
  -- Jobs sharing a key run one at a time, in id order (webhook deliveries per conversation).
  ordering_key text,
  -- At most one unfinished job per (queue, unique_key).
  unique_key   text,
  state        text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
  attempt      integer NOT NULL DEFAULT 0,
  run_at       timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  last_error   text,
  create_time  timestamptz NOT NULL DEFAULT now(),
  finish_time  timestamptz
);
CREATE INDEX jobs_runnable ON jobs (run_at, id) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_by_ordering_key ON jobs (ordering_key, id) WHERE state IN ('queued', 'running') AND ordering_key IS NOT NULL;
CREATE UNIQUE INDEX jobs_unique_open ON jobs (queue, unique_key) WHERE unique_key IS NOT NULL AND state IN ('queued', 'running');
CREATE INDEX jobs_finished ON jobs (finish_time) WHERE state IN ('done', 'failed');

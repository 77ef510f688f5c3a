-- Webhooks: endpoints a customer registers, one delivery per (endpoint, webhook event), and every
-- attempt of each delivery. Keys start with customer_id (the Citus distribution column).

CREATE TABLE webhook_endpoints (
  customer_id     text NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  id              text NOT NULL,
  url             text NOT NULL,
  -- The subscribed event types; empty means every type.
  events          text[] NOT NULL DEFAULT '{}',
  description     text NOT NULL DEFAULT '',
  -- Kept in plain form: signing each delivery needs it (HMAC), so it cannot be hashed.
  secret          text NOT NULL,
  enabled         boolean NOT NULL DEFAULT true,
  disabled_reason text NOT NULL DEFAULT '',
  -- Set by the first failed attempt after a success, cleared by the next success.
  failing_since   timestamptz,
  create_time     timestamptz NOT NULL DEFAULT now(),
  update_time     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, id)
);

CREATE TABLE webhook_deliveries (
  customer_id     text NOT NULL,
  id              text NOT NULL,
  endpoint_id     text NOT NULL,
  event_id        text NOT NULL,
  event_type      text NOT NULL,
  conversation_id text NOT NULL,
  -- The exact bytes sent and signed; text, not jsonb, so every retry sends the same bytes.
  body            text NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  create_time     timestamptz NOT NULL DEFAULT now(),
  delivered_time  timestamptz,
  -- Insertion order: deliveries made in one transaction share create_time.
  seq             bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (customer_id, id),
  -- Removing an endpoint drops its deliveries; a pending job then finds nothing to send.
  FOREIGN KEY (customer_id, endpoint_id) REFERENCES webhook_endpoints (customer_id, id) ON DELETE CASCADE
);
-- One delivery per event and endpoint: a reactor that runs twice inserts nothing the second time.
CREATE UNIQUE INDEX webhook_deliveries_by_event ON webhook_deliveries (customer_id, endpoint_id, event_id);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (customer_id, endpoint_id, seq DESC);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (customer_id, endpoint_id) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
  customer_id text NOT NULL,
  delivery_id text NOT NULL,
  attempt     integer NOT NULL,
  time        timestamptz NOT NULL DEFAULT now(),
  -- NULL when no HTTP response came back (timeout, refused connection, blocked address).
  status_code integer,
  error       text NOT NULL DEFAULT '',
  duration_ms integer NOT NULL,
  PRIMARY KEY (customer_id, delivery_id, attempt),
  FOREIGN KEY (customer_id, delivery_id) REFERENCES webhook_deliveries (customer_id, id) ON DELETE CASCADE
);

-- The agent surface (Amigo): the secret Parley signs its sign-in tokens with when PARLEY_JWT_SECRET
-- is unset (generated once, so every process and every restart verifies the same tokens), and the
-- end users that sign in (Amigo's users; the caller's id for them is `external_id`).

CREATE TABLE signing_secrets (
  name        text PRIMARY KEY,
  secret      text NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE end_users (
  customer_id text NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  id          text NOT NULL,
  external_id text NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, id),
  UNIQUE (customer_id, external_id)
);

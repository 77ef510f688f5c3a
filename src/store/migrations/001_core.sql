-- Parley core schema. Every key starts with customer_id (the Citus distribution column);
-- no query crosses customers. Enum columns hold the wire names of the conversations surface.

CREATE TABLE customers (
  id           text PRIMARY KEY,
  display_name text NOT NULL DEFAULT '',
  create_time  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE profiles (
  customer_id         text NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  id                  text NOT NULL,
  display_name        text NOT NULL DEFAULT '',
  supported_languages text[] NOT NULL DEFAULT '{}',
  default_language    text NOT NULL DEFAULT '',
  is_default          boolean NOT NULL DEFAULT false,
  create_time         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, id)
);
CREATE UNIQUE INDEX profiles_one_default ON profiles (customer_id) WHERE is_default;

CREATE TABLE api_keys (
  customer_id  text NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  id           text NOT NULL,
  secret_hash  text NOT NULL,
  profile_id   text,
  agent_id     text,
  scopes       text[] NOT NULL,
  display_name text NOT NULL DEFAULT '',
  create_time  timestamptz NOT NULL DEFAULT now(),
  revoke_time  timestamptz,
  PRIMARY KEY (customer_id, id),
  FOREIGN KEY (customer_id, profile_id) REFERENCES profiles (customer_id, id) ON DELETE CASCADE
);
-- Authentication finds a key by the id embedded in the secret, before the customer is known.
CREATE UNIQUE INDEX api_keys_id ON api_keys (id);

CREATE TABLE conversations (
  customer_id                 text NOT NULL,
  id                          text NOT NULL,
  profile_id                  text NOT NULL,
  name_id                     text NOT NULL,
  agent                       text NOT NULL DEFAULT '',
  participants                jsonb NOT NULL DEFAULT '[]',
  agent_info                  jsonb NOT NULL DEFAULT '{}',
  agent_user_name             text NOT NULL DEFAULT '',
  team                        text NOT NULL DEFAULT '',
  visitor                     jsonb NOT NULL DEFAULT '{}',
  conversation_correlation_id text NOT NULL DEFAULT '',
  skill                       text NOT NULL DEFAULT '',
  platform_info               jsonb NOT NULL DEFAULT '{}',
  platform_conversation_id    text,
  platform_account_id         text,
  start_time                  timestamptz NOT NULL,
  end_time                    timestamptz,
  audio_persistence_state     text NOT NULL DEFAULT 'NOT_PERSISTED',
  persisted_audio_uri         text NOT NULL DEFAULT '',
  audio_analysis              jsonb,
  persisted_audio_duration    double precision,
  legacy_chat_id              integer,
  state                       text NOT NULL DEFAULT 'ACTIVE',
  raise_hand_state            text NOT NULL DEFAULT 'RAISE_HAND_STATE_UNSPECIFIED',
  language_code               text NOT NULL DEFAULT '',
  channel                     text NOT NULL DEFAULT 'CHANNEL_UNSPECIFIED',
  source                      text NOT NULL DEFAULT 'SOURCE_UNSPECIFIED',
  metadata                    jsonb NOT NULL DEFAULT '{}',
  display_name                text NOT NULL DEFAULT '',
  sharing_state               text NOT NULL DEFAULT 'SHARING_STATE_UNSPECIFIED',
  policy_override             jsonb NOT NULL DEFAULT '{}',
  usecase                     text NOT NULL DEFAULT '',
  create_time                 timestamptz NOT NULL DEFAULT now(),
  update_time                 timestamptz NOT NULL DEFAULT now(),
  corruption_state            text NOT NULL DEFAULT 'NOT_CORRUPTED',
  virtual_agent               text NOT NULL DEFAULT '',
  ingested_by_job             text NOT NULL DEFAULT '',
  transfer_info               jsonb NOT NULL DEFAULT '{}',
  persistence_state           text NOT NULL DEFAULT 'PERSISTED',
  multi_language_mode         text NOT NULL DEFAULT 'MULTI_LANGUAGE_MODE_UNSPECIFIED',
  -- Kept in the append transaction so sampling and limits never count rows.
  message_count               integer NOT NULL DEFAULT 0,
  next_message_seq            integer NOT NULL DEFAULT 0,
  next_event_seq              integer NOT NULL DEFAULT 0,
  PRIMARY KEY (customer_id, id),
  UNIQUE (customer_id, profile_id, name_id),
  FOREIGN KEY (customer_id, profile_id) REFERENCES profiles (customer_id, id)
);
CREATE INDEX conversations_by_start ON conversations (customer_id, profile_id, start_time, id);
CREATE INDEX conversations_by_create ON conversations (customer_id, profile_id, create_time, id);
CREATE INDEX conversations_by_platform ON conversations (customer_id, profile_id, platform_conversation_id)
  WHERE platform_conversation_id IS NOT NULL;
CREATE INDEX conversations_by_legacy ON conversations (customer_id, profile_id, legacy_chat_id)
  WHERE legacy_chat_id IS NOT NULL;

CREATE TABLE messages (
  customer_id         text NOT NULL,
  conversation_id     text NOT NULL,
  seq                 integer NOT NULL,
  id                  text NOT NULL,
  legacy_message_id   text NOT NULL DEFAULT '',
  text                text NOT NULL DEFAULT '',
  text_html           text NOT NULL DEFAULT '',
  transcription_info  jsonb,
  agent               text NOT NULL DEFAULT '',
  speaker             text NOT NULL DEFAULT 'ROLE_UNSPECIFIED',
  speaker_info        jsonb,
  state               text NOT NULL DEFAULT 'FINAL',
  create_time         timestamptz NOT NULL DEFAULT now(),
  update_time         timestamptz NOT NULL DEFAULT now(),
  audio_start_offset  double precision,
  audio_end_offset    double precision,
  original_event_data jsonb,
  language            text NOT NULL DEFAULT '',
  -- Surface-specific extras (tool calls, token usage, model) that the conversations surface does not render.
  metadata            jsonb NOT NULL DEFAULT '{}',
  redactions          jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (customer_id, conversation_id, seq),
  FOREIGN KEY (customer_id, conversation_id) REFERENCES conversations (customer_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX messages_by_id ON messages (customer_id, conversation_id, id);

CREATE TABLE events (
  customer_id        text NOT NULL,
  conversation_id    text NOT NULL,
  seq                integer NOT NULL,
  -- Global order for consumers that follow every conversation (webhooks, live streams, jobs).
  gid                bigint GENERATED ALWAYS AS IDENTITY,
  type               text NOT NULL,
  actor              text NOT NULL,
  associated_message text NOT NULL DEFAULT '',
  payload            jsonb NOT NULL DEFAULT '{}',
  create_time        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, conversation_id, seq),
  FOREIGN KEY (customer_id, conversation_id) REFERENCES conversations (customer_id, id) ON DELETE CASCADE
);
CREATE INDEX events_by_type ON events (customer_id, conversation_id, type, seq);
CREATE UNIQUE INDEX events_by_gid ON events (gid);

CREATE TABLE tags (
  customer_id  text NOT NULL,
  profile_id   text NOT NULL,
  id           text NOT NULL,
  display_name text NOT NULL DEFAULT '',
  create_time  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, profile_id, id),
  FOREIGN KEY (customer_id, profile_id) REFERENCES profiles (customer_id, id) ON DELETE CASCADE
);

CREATE TABLE conversation_tags (
  customer_id     text NOT NULL,
  conversation_id text NOT NULL,
  profile_id      text NOT NULL,
  tag_id          text NOT NULL,
  actor           text NOT NULL,
  create_time     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, conversation_id, tag_id),
  FOREIGN KEY (customer_id, conversation_id) REFERENCES conversations (customer_id, id) ON DELETE CASCADE,
  FOREIGN KEY (customer_id, profile_id, tag_id) REFERENCES tags (customer_id, profile_id, id) ON DELETE CASCADE
);
CREATE INDEX conversation_tags_by_tag ON conversation_tags (customer_id, profile_id, tag_id, conversation_id);

-- A replayed create or append returns the first result; rows older than 24 h are ignored and purged.
CREATE TABLE idempotency_keys (
  customer_id  text NOT NULL,
  scope        text NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  response     jsonb,
  create_time  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, scope, key)
);

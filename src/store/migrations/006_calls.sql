-- Voice call sessions (the `voice` surface). One row per platform call; the call's conversation
-- holds everything the other surfaces read. Audio frames never touch these tables: the per-call
-- spool file is their source of truth, and the counters here are written at events, periodically
-- and at CALL_END.

CREATE TABLE calls (
  customer_id             text NOT NULL,
  conversation_id         text NOT NULL,
  profile_id              text NOT NULL,
  platform_call_id        text NOT NULL,
  platform_master_call_id text NOT NULL DEFAULT '',
  -- ACTIVE, ON_HOLD or ENDED: the fold of the call's events in platformTime order.
  state                   text NOT NULL DEFAULT 'ACTIVE',
  audio_streaming_mode    text NOT NULL DEFAULT 'AUDIO_STREAMING_MODE_UNSPECIFIED',
  -- Fixed by the first audio stream's streamingConfig; a later stream must match.
  channel_type            text NOT NULL DEFAULT 'CHANNEL_TYPE_UNSPECIFIED',
  encoding                text NOT NULL DEFAULT '',
  sample_rate_hertz       integer,
  -- [{index, role}]: WAV channel → participant role, in order of first audio.
  channels                jsonb NOT NULL DEFAULT '[]',
  -- The agent participant (user, else platformAgentId), for closeActiveCalls.
  agent_key               text NOT NULL DEFAULT '',
  events_processed        integer NOT NULL DEFAULT 0,
  last_event_type         text NOT NULL DEFAULT '',
  last_platform_time      timestamptz,
  -- role → seconds of audio received (not counting silence inserted for pauses).
  audio_seconds           jsonb NOT NULL DEFAULT '{}',
  audio_paused            boolean NOT NULL DEFAULT false,
  -- pauseDuration of an AUDIO_PAUSE, written as silence at the matching AUDIO_RESUME.
  pending_pause_seconds   double precision NOT NULL DEFAULT 0,
  audio_ended             boolean NOT NULL DEFAULT false,
  -- Blob-store key of the finished recording, set at CALL_END when it was stored.
  audio_key               text NOT NULL DEFAULT '',
  create_time             timestamptz NOT NULL DEFAULT now(),
  update_time             timestamptz NOT NULL DEFAULT now(),
  end_time                timestamptz,
  PRIMARY KEY (customer_id, conversation_id),
  UNIQUE (customer_id, profile_id, platform_call_id),
  FOREIGN KEY (customer_id, conversation_id) REFERENCES conversations (customer_id, id) ON DELETE CASCADE
);
CREATE INDEX calls_active_by_agent ON calls (customer_id, profile_id, agent_key) WHERE state <> 'ENDED';

-- Every session event a call received, once: a repeat (same sequenceId, or the same event content
-- at the same platformTime) hits a unique index and is not applied again. The call's state is the
-- fold of these rows in platformTime order, so a late event lands where it belongs.
CREATE TABLE call_events (
  customer_id     text NOT NULL,
  conversation_id text NOT NULL,
  ord             integer NOT NULL,
  event_type      text NOT NULL,
  -- The platform's time, or the receive time when the platform sent none.
  platform_time   timestamptz NOT NULL,
  sequence_id     text,
  -- sha256 of the event's content; only set when the platform sent a platformTime.
  content_key     text,
  participants    jsonb NOT NULL DEFAULT '[]',
  platform_master_call_id text NOT NULL DEFAULT '',
  payload         jsonb NOT NULL DEFAULT '{}',
  receive_time    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, conversation_id, ord),
  FOREIGN KEY (customer_id, conversation_id) REFERENCES calls (customer_id, conversation_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX call_events_by_sequence ON call_events (customer_id, conversation_id, sequence_id) WHERE sequence_id IS NOT NULL;
CREATE UNIQUE INDEX call_events_by_content ON call_events (customer_id, conversation_id, content_key) WHERE content_key IS NOT NULL;

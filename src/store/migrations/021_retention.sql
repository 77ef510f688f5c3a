-- Retention and erasure (core/retention/): how long a profile keeps its conversations, and the
-- indexes that find what to purge or erase without scanning a customer's conversations.

-- Days a conversation of the profile is kept after its retention clock starts (its end time when
-- closed, its last update while open); NULL keeps conversations until they are deleted.
-- A conversation's policyOverride.retentionDays (1 or more) replaces the profile's.
ALTER TABLE profiles ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 1 AND 36500);

-- The purge reads each profile's conversations oldest clock first, and stops at the cutoff.
CREATE INDEX conversations_by_retention_clock ON conversations (customer_id, profile_id, (coalesce(end_time, update_time)), id);
-- The few conversations with their own retention, read apart (their cutoffs differ row by row).
CREATE INDEX conversations_with_own_retention ON conversations (customer_id, (coalesce(end_time, update_time)), id)
  WHERE policy_override ? 'retentionDays';

-- Erasure finds a person's conversations by end_user_id (conversations_by_end_user) and, for those
-- older than end_user_id, by the visitor's externalUserId; and the votes the person cast.
CREATE INDEX conversations_by_visitor_user ON conversations (customer_id, (visitor->>'externalUserId'))
  WHERE visitor ? 'externalUserId';
CREATE INDEX message_feedback_by_user ON message_feedback (customer_id, user_id);
-- A vote's voter id is stored as given, in whichever spelling the surface took (the support
-- surface's UUID form of a Parley id, the 24 hex, or the caller's id for the person): the end user
-- it names is kept beside it when the vote is written, so an erasure finds every vote of theirs.
ALTER TABLE message_feedback ADD COLUMN voter_end_user_id text;
-- The votes so far: the UUID form is undone here once (api/support/ids.ts holds the rule).
UPDATE message_feedback f SET voter_end_user_id = e.id FROM end_users e
 WHERE e.customer_id = f.customer_id
   AND (e.external_id = f.user_id
        OR e.id = regexp_replace(lower(f.user_id), '^([0-9a-f]{8})-([0-9a-f]{4})-8([0-9a-f]{3})-8([0-9a-f]{3})-([0-9a-f]{6})000000$', '\1\2\3\4\5'));
CREATE INDEX message_feedback_by_voter ON message_feedback (customer_id, voter_end_user_id) WHERE voter_end_user_id IS NOT NULL;
CREATE INDEX agent_feedback_by_user ON agent_feedback (customer_id, user_id);
-- A removed conversation's webhook deliveries (their bodies hold its content) go with it.
CREATE INDEX webhook_deliveries_by_conversation ON webhook_deliveries (customer_id, conversation_id);

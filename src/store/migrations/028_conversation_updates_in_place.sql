-- No index holds update_time, so an append's update of its conversation (its counters and its update
-- time, on every append) is a HOT update: the new row version stays on its page and none of the
-- table's indexes is written. With one index holding it, every append wrote an entry into each of
-- the 13 (bench/RESULTS.md, issue 12).

-- Retention (store/retention.ts) looks its candidates up by when their clock can have started at
-- the earliest: the end time of a closed conversation (its clock), the creation of an open one
-- (whose clock, its last update, is no earlier), and rechecks the clock on each.
DROP INDEX conversations_by_retention_clock;
DROP INDEX conversations_with_own_retention;
CREATE INDEX conversations_by_retention_start ON conversations (customer_id, profile_id, (coalesce(end_time, create_time)), id);
CREATE INDEX conversations_with_own_retention_by_start ON conversations (customer_id, (coalesce(end_time, create_time)), id)
  WHERE policy_override ? 'retentionDays';

-- The support desk's list by update time reads the agent's conversations through
-- conversations_by_agent_create and sorts them: it reads them all anyway, for the page's total.
DROP INDEX conversations_by_agent_update;

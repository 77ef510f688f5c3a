-- Removing a webhook endpoint must not race a delivery attempt: once the removal returns, nothing
-- more may be sent to that endpoint. An attempt claims its delivery before sending (setting
-- sending_until, the time by which the attempt is over even if its process dies) under a share lock
-- on the endpoint; a removal first marks the endpoint removed (which waits for those locks), then
-- waits until no claimed attempt is still in flight, and only then deletes the endpoint.
ALTER TABLE webhook_endpoints ADD COLUMN removed_time timestamptz;
ALTER TABLE webhook_deliveries ADD COLUMN sending_until timestamptz;

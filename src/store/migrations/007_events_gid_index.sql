-- events.gid is an identity column: unique by construction, and no query looks an event up by gid
-- alone (the dispatcher follows events_by_tx). Its unique index only cost every append one more
-- index insert.
DROP INDEX events_by_gid;

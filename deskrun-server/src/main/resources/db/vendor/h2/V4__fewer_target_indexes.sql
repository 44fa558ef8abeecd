-- Every index of targets costs an entry per RunCommand target and, for those that hold status, two
-- more per state change. The sweeper's look for overdue runs reads the few Running and Stopping
-- targets through targets_by_status instead of an index of its own. The index on stop_time serves
-- only the wake-up re-check of servers that share a PostgreSQL database.
DROP INDEX targets_by_deadline;
DROP INDEX targets_by_stop_time;

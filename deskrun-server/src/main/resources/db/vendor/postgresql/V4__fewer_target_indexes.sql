-- Every index of targets costs an entry per RunCommand target and, for those that hold status, two
-- more per state change. The sweeper's look for overdue runs reads the few Running and Stopping
-- targets through targets_by_status instead of an index of its own.
DROP INDEX targets_by_deadline;

-- Vacation periods: closed days, end_date inclusive, written replace-all.

-- name: vacation_periods_all
SELECT id, start_date, end_date, title FROM vacation_periods ORDER BY id;

-- name: vacation_lock
SELECT pg_advisory_xact_lock(hashtext('mawid:vacation_periods'));

-- name: vacation_periods_delete_all
DELETE FROM vacation_periods;

-- name: vacation_periods_insert
INSERT INTO vacation_periods (start_date, end_date, title)
SELECT * FROM unnest($1::date[], $2::date[], $3::text[]);

-- name: vacation_lock_shared
-- Taken by booking transactions: they wait for a vacation update in flight (which holds the
-- exclusive lock) but never for each other. A separate statement from the check (resources_day_closed),
-- so the check's snapshot is taken after the lock is granted.
SELECT pg_advisory_xact_lock_shared(hashtext('mawid:vacation_periods'));

-- Scheduled jobs: leader election, per-occurrence claims, reminders, history pruning.

-- name: leader_try_lock
-- Session-level: held until unlocked or until the holding connection ends (a dead leader's
-- connection closing releases it, so another process takes over).
SELECT pg_try_advisory_lock($1::bigint);

-- name: leader_unlock
SELECT pg_advisory_unlock($1::bigint);

-- name: leader_heartbeat
SELECT pg_backend_pid();

-- name: leader_holder_pid
-- The backend pid holding the leader lock in this database, if any (for `jobs list`).
SELECT pid FROM pg_locks
WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND ((classid::bigint << 32) | objid::bigint) = $1::bigint
LIMIT 1;

-- name: job_run_claim
-- Returns a row only to the one caller that gets this (job, occurrence).
INSERT INTO job_runs (job, occurrence, manual, node)
VALUES ($1, $2, $3, $4)
ON CONFLICT (job, occurrence) DO NOTHING
RETURNING id;

-- name: job_run_finish
UPDATE job_runs SET outcome = $2, detail = $3, finished_at = now() WHERE id = $1;

-- name: job_runs_latest
SELECT DISTINCT ON (job) job, occurrence, manual, node, outcome, detail, started_at, finished_at
FROM job_runs
ORDER BY job, started_at DESC, id DESC;

-- name: job_runs_abandon
-- A run whose process died never finishes; mark it so the history does not show it running forever.
UPDATE job_runs
SET outcome = 'error', detail = 'abandoned: the process running it stopped', finished_at = now()
WHERE outcome = 'running' AND started_at < $1;

-- name: job_runs_prune
DELETE FROM job_runs WHERE started_at < $1 AND outcome <> 'running';

-- name: reminders_due
-- Active reservations of one local date, with the customer's block flag (blocked customers are skipped), and
-- the resource's Arabic name once the clinic has several resources (NULL with one: the reminder names none).
SELECT r.id, r.wa_id, r.slot_date, r.slot_time, r.type, r.status, c.is_blocked,
       CASE WHEN (SELECT count(*) FROM resources) > 1 THEN s.name_ar END AS resource_name
FROM reservations r
JOIN customers c ON c.wa_id = r.wa_id
LEFT JOIN resources s ON s.id = r.resource_id
WHERE r.slot_date = $1 AND r.status = 'active'
ORDER BY r.slot_time, r.id;

-- name: reminder_claim
-- Claims the reminder of (reservation, date): a first claim inserts; only a 'failed' one is claimed again.
-- Concurrent claimers serialise on the row, and the loser sees the winner's status: no row returned.
INSERT INTO reminder_sends (reservation_id, slot_date, wa_id)
VALUES ($1, $2, $3)
ON CONFLICT (reservation_id, slot_date) DO UPDATE
    SET status = 'claimed', attempts = reminder_sends.attempts + 1, detail = NULL,
        claimed_at = now(), finished_at = NULL, wa_id = EXCLUDED.wa_id
    WHERE reminder_sends.status = 'failed'
RETURNING attempts;

-- name: reminder_finish
UPDATE reminder_sends SET status = $3, detail = $4, finished_at = now()
WHERE reservation_id = $1 AND slot_date = $2;

-- name: reminder_sends_prune
DELETE FROM reminder_sends WHERE slot_date < $1;

-- name: backup_target_table_count
-- Tables in the restore target's public schema: a restore goes only into an empty database unless --clean.
SELECT count(*) FROM pg_tables WHERE schemaname = 'public';

-- name: backup_reset_public_schema
-- `bin/mawid restore --clean`: the reference's restore script reset the schema the same way.
DROP SCHEMA public CASCADE; CREATE SCHEMA public;

-- name: status_callback_data_prune
-- Echoed callback data only settles sends in doubt for OUTBOUND_IN_DOUBT_GRACE seconds; old rows are history.
DELETE FROM whatsapp_status_callback_data WHERE received_at < $1;

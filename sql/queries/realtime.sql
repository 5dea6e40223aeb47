-- The realtime event log (migration 0300) and the reads of the WebSocket commands.

-- name: realtime_append_event
-- Sequence an event unless the de-duplication window suppresses it (spec 40 §7.2, fixed):
-- suppressed only when the latest accepted event of the same reservation key is at most
-- one second old, has an equal or higher priority and left the reservation in the same
-- state. $3..$5 are NULL for non-reservation events. When $6 is true the event is also
-- stored in the notification history ($7 = envelope time, $8 = data). Returns no row when
-- suppressed (then nothing is written). Callers hold the realtime publish lock, so the
-- check and the insert cannot interleave with another publisher.
WITH appended AS (
    INSERT INTO realtime_events (event_type, envelope, dedup_key, dedup_state, dedup_priority)
    SELECT $1, $2, $3, $4, $5
    WHERE $3::text IS NULL OR NOT EXISTS (
        SELECT 1
        FROM (SELECT dedup_state, dedup_priority, created_at
              FROM realtime_events
              WHERE dedup_key = $3
              ORDER BY seq DESC
              LIMIT 1) latest
        WHERE latest.created_at >= clock_timestamp() - interval '1 second'
          AND latest.dedup_priority >= $5
          AND latest.dedup_state = $4
    )
    RETURNING seq
), noted AS (
    INSERT INTO notification_events (event_type, ts, data)
    SELECT $1, $7, $8 FROM appended WHERE $6::boolean
)
SELECT seq FROM appended;

-- name: realtime_prune_events
-- Keep the newest $1 events (the replay window).
DELETE FROM realtime_events WHERE seq <= $2::bigint - $1::bigint;

-- name: realtime_events_since
-- Events after a client's last sequence number, oldest first, at most $2.
SELECT seq, envelope FROM realtime_events WHERE seq > $1 ORDER BY seq LIMIT $2;

-- name: realtime_oldest_seq
SELECT min(seq) AS oldest, max(seq) AS newest FROM realtime_events;

-- name: realtime_vacation_periods
-- Snapshot and WS vacation broadcast: table order (spec 40 §8.1).
SELECT start_date, end_date, title FROM vacation_periods ORDER BY id;

-- name: realtime_customer_document
SELECT document FROM customers WHERE wa_id = $1;

-- name: realtime_publish_lock
-- Session lock serialising sequencing and bus publication across every process, so the
-- order events reach the bus (and so every client) is the order of their sequence numbers.
SELECT pg_advisory_lock(1835103337);

-- name: realtime_publish_unlock
SELECT pg_advisory_unlock(1835103337);

-- name: realtime_customer_blocked
SELECT is_blocked FROM customers WHERE wa_id = $1;

-- name: realtime_events_between
-- Events a process missed on the bus: strictly between two sequence numbers, oldest first.
SELECT seq, envelope FROM realtime_events WHERE seq > $1 AND seq < $2 ORDER BY seq;

-- name: realtime_relaxed_commit
-- The event log's commit need not wait for the WAL flush: the lock is held until the commit
-- returns, so a synchronous flush (milliseconds) would serialise every process's publishing
-- behind the disk. A database crash can lose the last fraction of a second of the replay log
-- and notification history; clients that miss those get a resync instead of a replay.
SET LOCAL synchronous_commit TO off;

-- name: realtime_notify_many
-- The event bus between the processes of one server without Redis (runtime/bus_postgres.py): each payload of
-- $2 on channel $1, in array order; delivered when this statement's transaction commits.
SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload;

-- name: realtime_origin
-- Which event log this is: the cluster's system identifier and the database. Replicas of one deployment share
-- it; another deployment publishing on the same Redis channel does not (runtime/bus.py drops its events).
SELECT (SELECT system_identifier FROM pg_control_system())::text || '/' || current_database();

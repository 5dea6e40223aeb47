-- Persisted broadcast events (the dashboard's notification history).

-- name: insert_notification_event
INSERT INTO notification_events (event_type, ts, data)
VALUES ($1, $2, $3)
RETURNING id;

-- name: prune_notification_events
-- Keep the newest $1 rows by id.
DELETE FROM notification_events
WHERE id < (SELECT min(id) FROM (SELECT id FROM notification_events ORDER BY id DESC LIMIT $1) newest);

-- name: recent_notification_events_json
-- The notification history (GET /notifications, the WebSocket's get_notifications) as one JSON array: the
-- route passes it on without decoding each stored payload and encoding it again (two thirds of its time in
-- Python). Timestamps as the envelope writes them (UTC, seconds, "Z"). $1: how many, newest first.
SELECT coalesce(json_agg(json_build_object(
           'id', n.id, 'type', n.event_type,
           'timestamp', to_char(n.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'data', n.data)
       ORDER BY n.id DESC), '[]')::text
FROM (SELECT id, event_type, ts, data FROM notification_events ORDER BY id DESC LIMIT $1) AS n;

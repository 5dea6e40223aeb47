-- Persisted broadcast events (the dashboard's notification history).

-- name: insert_notification_event
INSERT INTO notification_events (event_type, ts, data)
VALUES ($1, $2, $3)
RETURNING id;

-- name: prune_notification_events
-- Keep the newest $1 rows by id.
DELETE FROM notification_events
WHERE id < (SELECT min(id) FROM (SELECT id FROM notification_events ORDER BY id DESC LIMIT $1) newest);

-- name: recent_notification_events
SELECT id, event_type, ts, data
FROM notification_events
ORDER BY id DESC
LIMIT $1;

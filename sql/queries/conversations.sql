-- Conversation history: writes by the conversation actor, reads by the conversation routes.

-- name: conversation_insert_message
INSERT INTO conversation (wa_id, role, message, local_date, local_time)
VALUES ($1, $2, $3, $4, $5)
RETURNING id;

-- name: conversation_delete_all
WITH gone AS (DELETE FROM conversation WHERE wa_id = $1 RETURNING 1)
SELECT count(*) AS deleted FROM gone;

-- name: conversation_history_ascending
-- Full history oldest first; NULL dates/times last (PostgreSQL's ascending default), id keeps ties stable.
SELECT role, message, local_date, local_time
FROM conversation
WHERE wa_id = $1
ORDER BY local_date, local_time, id;

-- name: conversation_history_newest
-- The newest $2 messages, newest first (the reference's limit>0 order; NULL dates first).
SELECT role, message, local_date, local_time
FROM conversation
WHERE wa_id = $1
ORDER BY local_date DESC, local_time DESC, id DESC
LIMIT $2;

-- name: conversation_calendar_events
-- Last message per customer among rows dated within the optional bounds, newest customer first.
-- A bound excludes NULL-dated rows; with no bounds they are kept and sort first (DESC puts NULLs first).
SELECT wa_id, role, message, local_date, local_time
FROM (
    SELECT DISTINCT ON (wa_id) wa_id, role, message, local_date, local_time, id
    FROM conversation
    WHERE ($1::date IS NULL OR local_date >= $1::date)
      AND ($2::date IS NULL OR local_date <= $2::date)
    ORDER BY wa_id, local_date DESC, local_time DESC, id DESC
) last_per_customer
ORDER BY local_date DESC, local_time DESC, id DESC;

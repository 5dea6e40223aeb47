-- Conversation history: writes by the conversation actor, reads by the conversation routes.

-- name: conversation_insert_message
INSERT INTO conversation (wa_id, role, message, local_date, local_time)
VALUES ($1, $2, $3, $4, $5)
RETURNING id;

-- name: conversation_delete_all
WITH gone AS (DELETE FROM conversation WHERE wa_id = $1 RETURNING 1)
SELECT count(*) AS deleted FROM gone;

-- name: conversation_history_ascending_json
-- Full history oldest first as one JSON array of the route's items (NULL when there is none); NULL dates/times
-- last (PostgreSQL's ascending default), id keeps ties stable. Assembled here: building and encoding each
-- message in Python was a third of GET /conversations/{wa_id}'s time.
SELECT json_agg(message_item_json(role, message, local_date, local_time) ORDER BY local_date, local_time, id)::text
FROM conversation
WHERE wa_id = $1;

-- name: conversation_history_newest_json
-- The newest $2 messages, newest first (the reference's limit>0 order; NULL dates first), as the one above.
SELECT json_agg(message_item_json(c.role, c.message, c.local_date, c.local_time)
                ORDER BY c.local_date DESC, c.local_time DESC, c.id DESC)::text
FROM (SELECT id, role, message, local_date, local_time
      FROM conversation
      WHERE wa_id = $1
      ORDER BY local_date DESC, local_time DESC, id DESC
      LIMIT $2) AS c;

-- name: conversation_calendar_events
-- Last message per customer among rows dated within the optional bounds, newest customer first.
-- A bound excludes NULL-dated rows; with no bounds they are kept and sort first (DESC puts NULLs first).
SELECT wa_id, role, message, local_date, local_time, id
FROM (
    SELECT DISTINCT ON (wa_id) wa_id, role, message, local_date, local_time, id
    FROM conversation
    WHERE ($1::date IS NULL OR local_date >= $1::date)
      AND ($2::date IS NULL OR local_date <= $2::date)
    ORDER BY wa_id, local_date DESC, local_time DESC, id DESC
) last_per_customer
ORDER BY local_date DESC, local_time DESC, id DESC;

-- name: conversation_calendar_events_json_wrapper
-- GET /conversations/calendar/events' data assembled here from conversation_calendar_events (in place of the
-- braces): {wa_id: [its last message as /conversations items]}, in that statement's order. Building and encoding
-- each customer's item in Python was most of the route's CPU.
SELECT coalesce(json_object_agg(e.wa_id, json_build_array(message_item_json(e.role, e.message, e.local_date,
                                                                                   e.local_time))
                                ORDER BY e.local_date DESC, e.local_time DESC, e.id DESC),
                json_build_object())::text
FROM ({}) AS e;

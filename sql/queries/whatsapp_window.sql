-- The 24-hour customer service window: when the customer last wrote to us.

-- name: whatsapp_window_last_inbound
-- The newer of the customer's last stored message (business-zone local time, $2 the zone) and the
-- last inbound message processed (which also counts media the conversation does not keep).
SELECT GREATEST(
    (SELECT (local_date + local_time) AT TIME ZONE $2
     FROM conversation
     WHERE wa_id = $1 AND role = 'user' AND local_date IS NOT NULL
     ORDER BY local_date DESC, local_time DESC
     LIMIT 1),
    (SELECT received_at FROM whatsapp_last_inbound WHERE wa_id = $1));

-- Answers to the reminder's quick-reply buttons (Confirm / Reschedule / Cancel).

-- name: reminder_reply_reservation
-- The customer's own reservation the reminder was about (another customer's id finds nothing).
SELECT id, wa_id, slot_date, slot_time, type, status, confirmed_at, resource_id
FROM reservations
WHERE id = $1 AND wa_id = $2;

-- name: reservation_confirm
-- Runs in the day actor's transaction; the first confirmation's time is kept.
UPDATE reservations SET confirmed_at = COALESCE(confirmed_at, now())
WHERE id = $1 AND slot_date = $2 AND status = 'active'
RETURNING id, wa_id, slot_date, slot_time, confirmed_at;

-- name: reminder_response_record
-- The latest answer to the reminder of this reservation's current date wins.
UPDATE reminder_sends SET response = $3, responded_at = now()
WHERE reservation_id = $1 AND slot_date = $2 AND status = 'sent';

-- name: reminder_response_counts
-- Sent reminders for appointments dated in [$1, $2], by the patient's answer (NULL: no reply).
SELECT count(*) FILTER (WHERE response = 'confirmed') AS confirmed,
       count(*) FILTER (WHERE response = 'cancelled') AS cancelled,
       count(*) FILTER (WHERE response = 'rescheduled') AS rescheduled,
       count(*) FILTER (WHERE response IS NULL) AS no_reply,
       count(*) AS sent
FROM reminder_sends
WHERE status = 'sent' AND slot_date BETWEEN $1 AND $2;

-- name: reminder_confirmations
-- Each active booking dated in [$1, $2] with its confirmation state and its reminder, if one was sent.
SELECT r.id, r.wa_id, r.slot_date, r.slot_time, r.confirmed_at, s.status AS reminder, s.response, s.responded_at
FROM reservations r
LEFT JOIN reminder_sends s ON s.reservation_id = r.id AND s.slot_date = r.slot_date
WHERE r.slot_date BETWEEN $1 AND $2 AND r.status = 'active'
ORDER BY r.slot_date, r.slot_time, r.id;

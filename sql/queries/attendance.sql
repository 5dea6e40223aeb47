-- Attendance (migration 0810): whether the patient came to a booking, recorded by staff.

-- name: attendance_booking
-- The booking whose attendance is being recorded: where it is (its day actor) and whether it may be marked.
SELECT id, wa_id, slot_date, slot_time, status, resource_id FROM reservations WHERE id = $1;

-- name: attendance_record
-- Record attendance $3 (NULL clears it) of active booking $1 while it is still on day $2 of resource $4
-- (checked under that (resource, day)'s lock, so a concurrent move or cancel is seen).
UPDATE reservations
   SET attendance = $3, attendance_at = CASE WHEN $3::text IS NULL THEN NULL ELSE now() END, updated_at = now()
 WHERE id = $1 AND slot_date = $2 AND resource_id = $4 AND status = 'active'
RETURNING id, wa_id, slot_date, slot_time, resource_id, attendance, attendance_at;

-- name: attendance_in_range
-- Active bookings of days [$1, $2] with attendance recorded (the /app calendar's marks).
SELECT id, wa_id, slot_date, slot_time, resource_id, attendance, attendance_at
  FROM reservations
 WHERE slot_date BETWEEN $1 AND $2 AND status = 'active' AND attendance IS NOT NULL
 ORDER BY slot_date, slot_time, id;

-- Resources (doctors, rooms…): the roster every reservation operation reads, and the admins' writes.

-- name: resources_roster
-- Every resource with its own vacations, in display order (position, id).
SELECT r.id, r.name_ar, r.name_en, r.active, r.position, r.is_default, r.reservation_types, r.working_days,
       r.start_time, r.end_time, r.day_specific_hours, r.slot_duration_minutes, r.capacity,
       coalesce((SELECT json_agg(json_build_object('start', v.start_date, 'end', v.end_date, 'title', v.title)
                                 ORDER BY v.start_date, v.id)
                   FROM resource_vacations v WHERE v.resource_id = r.id), '[]'::json) AS vacations
  FROM resources r
 ORDER BY r.position, r.id;

-- name: resources_insert
INSERT INTO resources (name_ar, name_en, active, position, reservation_types, working_days, start_time, end_time,
                       day_specific_hours, slot_duration_minutes, capacity)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
RETURNING id;

-- name: resources_update
UPDATE resources
   SET name_ar = $2, name_en = $3, active = $4, position = $5, reservation_types = $6, working_days = $7,
       start_time = $8, end_time = $9, day_specific_hours = $10, slot_duration_minutes = $11, capacity = $12,
       updated_at = now()
 WHERE id = $1
RETURNING id;

-- name: resources_vacations_clear
DELETE FROM resource_vacations WHERE resource_id = $1;

-- name: resources_vacations_insert
INSERT INTO resource_vacations (resource_id, start_date, end_date, title)
SELECT $1, * FROM unnest($2::date[], $3::date[], $4::text[]);

-- name: resources_day_closed
-- Inside a booking transaction (after vacation_lock_shared): the clinic's vacation, the resource's own
-- vacation, or a resource switched off since the request was checked.
SELECT EXISTS (SELECT 1 FROM vacation_periods WHERE $1::date BETWEEN start_date AND end_date) AS clinic,
       EXISTS (SELECT 1 FROM resource_vacations WHERE resource_id = $2 AND $1::date BETWEEN start_date AND end_date)
       OR EXISTS (SELECT 1 FROM resources WHERE id = $2 AND NOT active) AS resource;

-- name: resources_insert_default
INSERT INTO resources (id, name_ar, name_en, is_default) VALUES ($1, $2, $3, true) ON CONFLICT DO NOTHING;

-- name: resources_analytics_counts
-- Bookings per resource with a slot in [$1, $2]: active and cancelled; of the active ones, those staff marked
-- attended or no-show (0810).
SELECT resource_id, count(*) FILTER (WHERE status = 'active') AS bookings,
       count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
       count(*) FILTER (WHERE status = 'active' AND attendance = 'attended') AS attended,
       count(*) FILTER (WHERE status = 'active' AND attendance = 'no_show') AS no_shows
  FROM reservations
 WHERE slot_date BETWEEN $1 AND $2
 GROUP BY resource_id;

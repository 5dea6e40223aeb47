-- Reservations: the per-day actor's writes and the reads of the reservation operations.
-- Wire formats: slot_date -> "YYYY-MM-DD", slot_time -> "HH:MM".

-- name: reservation_lock_day
-- Serialises every write to one (resource, calendar day) across processes ($1 namespace + resource, $2 day
-- ordinal).
SELECT pg_advisory_xact_lock($1::int, $2::int);

-- name: reservation_slot_counts
-- Active bookings of resource $5 in a slot (all types, and of type $3), not counting reservation $4. A place
-- held for a waitlisted patient (an open, unexpired offer, migration 0120) counts as booked in the total of
-- the resource it was freed on (0811).
SELECT count(*) + (SELECT count(*) FROM waitlist_offers o
                    WHERE o.slot_date = $1 AND o.slot_time = $2 AND o.status = 'open' AND o.expires_at > now()
                      AND o.resource_id = $5)
                                         AS total,
       count(*) FILTER (WHERE type = $3) AS same_type
  FROM reservations
 WHERE slot_date = $1 AND slot_time = $2 AND status = 'active' AND id <> coalesce($4::int, -1)
   AND resource_id = $5;

-- name: reservation_day_counts
-- Places taken per slot of day $1 on resource $2: active bookings, and the places held on it for a
-- waitlisted patient (an open, unexpired offer, as reservation_slot_counts counts them), so a held place
-- is never listed.
SELECT slot_time, count(*) AS booked
  FROM (SELECT slot_time FROM reservations WHERE slot_date = $1 AND status = 'active' AND resource_id = $2
        UNION ALL
        SELECT slot_time FROM waitlist_offers
         WHERE slot_date = $1 AND status = 'open' AND expires_at > now() AND resource_id = $2) taken
 GROUP BY slot_time;

-- name: reservation_day_counts_by_resource
-- As reservation_day_counts, for each of the resources $2 (holds count on the resource they were freed on).
SELECT resource_id, slot_time, count(*) AS booked
  FROM (SELECT resource_id, slot_time FROM reservations
         WHERE slot_date = $1 AND status = 'active' AND resource_id = ANY($2::int[])
        UNION ALL
        SELECT resource_id, slot_time FROM waitlist_offers
         WHERE slot_date = $1 AND status = 'open' AND expires_at > now() AND resource_id = ANY($2::int[])) taken
 GROUP BY resource_id, slot_time;

-- name: reservation_by_id
SELECT r.id, r.wa_id, r.slot_date, r.slot_time, r.type, r.status, r.resource_id, c.customer_name
  FROM reservations r LEFT JOIN customers c ON c.wa_id = r.wa_id
 WHERE r.id = $1;

-- name: reservation_active_of_customer_since
-- Active bookings of a customer from day $2 on (callers keep those whose slot has not ended).
SELECT r.id, r.wa_id, r.slot_date, r.slot_time, r.type, r.status, r.resource_id, c.customer_name
  FROM reservations r JOIN customers c ON c.wa_id = r.wa_id
 WHERE r.wa_id = $1 AND r.status = 'active' AND r.slot_date >= $2
 ORDER BY r.slot_date, r.slot_time, r.id;

-- name: reservation_active_of_customer
SELECT r.id, r.wa_id, r.slot_date, r.slot_time, r.type, r.status, r.resource_id, c.customer_name
  FROM reservations r JOIN customers c ON c.wa_id = r.wa_id
 WHERE r.wa_id = $1 AND r.status = 'active'
 ORDER BY r.slot_date, r.slot_time, r.id;

-- name: reservation_active_of_customer_on
SELECT r.id, r.wa_id, r.slot_date, r.slot_time, r.type, r.status, r.resource_id, c.customer_name
  FROM reservations r JOIN customers c ON c.wa_id = r.wa_id
 WHERE r.wa_id = $1 AND r.slot_date = $2 AND r.status = 'active'
 ORDER BY r.slot_time, r.id;

-- name: reservation_cancelled_in_slot
SELECT id FROM reservations
 WHERE wa_id = $1 AND slot_date = $2 AND slot_time = $3 AND status = 'cancelled' AND resource_id = $4
 ORDER BY id
 LIMIT 1
   FOR UPDATE;

-- name: reservation_insert
-- A booking of the default resource (resource_id's column default).
INSERT INTO reservations (wa_id, slot_date, slot_time, type, status)
VALUES ($1, $2, $3, $4, 'active')
RETURNING id;

-- name: reservation_insert_for_resource
INSERT INTO reservations (wa_id, slot_date, slot_time, type, status, resource_id)
VALUES ($1, $2, $3, $4, 'active', $5)
RETURNING id;

-- name: reservation_reactivate
UPDATE reservations
   SET status = 'active', cancelled_at = NULL, type = coalesce($2, type), updated_at = now()
 WHERE id = $1 AND status = 'cancelled'
RETURNING id;

-- name: reservation_move
-- A booking moved to another date or time is no longer confirmed: the patient confirmed the old time. Its
-- recorded attendance (0810) was for the old date, time and resource: it is cleared too.
UPDATE reservations
   SET slot_date = $2, slot_time = $3, type = $4, resource_id = $5, updated_at = now(),
       confirmed_at = CASE WHEN slot_date = $2 AND slot_time = $3 THEN confirmed_at END,
       attendance = CASE WHEN slot_date = $2 AND slot_time = $3 AND resource_id = $5 THEN attendance END,
       attendance_at = CASE WHEN slot_date = $2 AND slot_time = $3 AND resource_id = $5 THEN attendance_at END
 WHERE id = $1
RETURNING id;

-- name: reservation_cancel_ids
UPDATE reservations
   SET status = 'cancelled', cancelled_at = now(), updated_at = now(), attendance = NULL, attendance_at = NULL
 WHERE id = ANY($1::int[]) AND status = 'active'
RETURNING id, wa_id, slot_date, slot_time, resource_id;

-- name: reservation_customer_ensure
-- Create the customer, or rename it when the stored name differs.
INSERT INTO customers (wa_id, customer_name) VALUES ($1, $2)
ON CONFLICT (wa_id) DO UPDATE
   SET customer_name = EXCLUDED.customer_name, updated_at = now()
 WHERE customers.customer_name IS DISTINCT FROM EXCLUDED.customer_name;

-- name: reservation_customer_rename
UPDATE customers SET customer_name = $2, updated_at = now() WHERE wa_id = $1 RETURNING wa_id;

-- name: reservation_listing
-- GET /reservations: optional bounds $1/$2, cancelled rows when $3; wire strings rendered here.
-- has_document (spec 05 Q10) is evaluated once per documented customer (a hash join), not per row.
SELECT r.id, r.wa_id, to_char(r.slot_date, 'YYYY-MM-DD') AS date, to_char(r.slot_time, 'HH24:MI') AS time_slot,
       r.type, r.status = 'cancelled' AS cancelled, d.wa_id IS NOT NULL AS has_document, r.resource_id
  FROM reservations r
  LEFT JOIN (
        SELECT c.wa_id
          FROM customers c
         WHERE jsonb_typeof(c.document) = 'object'
           AND EXISTS (
                 SELECT 1
                   FROM jsonb_object_keys(
                          CASE
                            WHEN c.document ->> 'type' = 'tldraw'
                             AND jsonb_typeof(c.document -> 'snapshot' -> 'document') = 'object'
                              THEN c.document -> 'snapshot' -> 'document'
                            WHEN jsonb_typeof(c.document -> 'document') = 'object'
                              THEN c.document -> 'document'
                            ELSE '{}'::jsonb
                          END) AS k(key)
                  WHERE k.key !~ '^(instance|camera|pointer|presence)')
       ) d ON d.wa_id = r.wa_id
 WHERE ($1::date IS NULL OR r.slot_date >= $1)
   AND ($2::date IS NULL OR r.slot_date <= $2)
   AND ($3::boolean OR r.status = 'active')
 ORDER BY r.wa_id, r.slot_date, r.slot_time;

-- name: reservation_listing_json_wrapper
-- GET /reservations' data assembled here from reservation_listing (in place of the braces), as one JSON object:
-- {wa_id: [{id, date, time_slot, type, cancelled, has_document[, resource_id]}, …]}, customers and their entries
-- in the listing's order. $4 adds resource_id (the clinic has several resources); $5 keeps one resource's
-- (NULL: all). Building and encoding a 90-day calendar's entries in Python was most of the route's CPU.
SELECT coalesce(json_object_agg(entries.wa_id, entries.items ORDER BY entries.wa_id), json_build_object())::text
  FROM (SELECT listing.wa_id,
               json_agg(CASE WHEN $4::boolean
                             THEN json_build_object('id', listing.id, 'date', listing.date,
                                                    'time_slot', listing.time_slot, 'type', listing.type,
                                                    'cancelled', listing.cancelled,
                                                    'has_document', listing.has_document,
                                                    'resource_id', listing.resource_id)
                             ELSE json_build_object('id', listing.id, 'date', listing.date,
                                                    'time_slot', listing.time_slot, 'type', listing.type,
                                                    'cancelled', listing.cancelled,
                                                    'has_document', listing.has_document)
                        END ORDER BY listing.date, listing.time_slot, listing.id) AS items
          FROM ({}) AS listing
         WHERE $5::integer IS NULL OR listing.resource_id = $5::integer
         GROUP BY listing.wa_id) AS entries;

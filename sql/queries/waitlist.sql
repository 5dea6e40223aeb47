-- The waitlist (migration 0120): entries per day, offers of freed places, holds.

-- name: waitlist_join
-- A patient waits for a day (and optionally one slot) for a visit of type $5, with resource $6 (NULL: any);
-- joining twice keeps the first entry.
WITH inserted AS (
    INSERT INTO waitlist_entries (wa_id, slot_date, slot_time, source, reservation_type, resource_id)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (wa_id, slot_date) WHERE status = 'waiting' DO NOTHING
    RETURNING id, true AS created
)
SELECT id, created FROM inserted
UNION ALL
SELECT id, false FROM waitlist_entries WHERE wa_id = $1 AND slot_date = $2 AND status = 'waiting'
LIMIT 1;

-- name: waitlist_offer_next
-- Offer freed place $1 (a cancelled booking at $2 $3 of resource $5) to the first patient waiting for it,
-- held for $4 seconds: one waiting for that resource or any (0811) whose visit type it takes, not one with
-- an open offer, not one already offered this place, not one booked that day, not a blocked one. A
-- concurrent offer of the same place (or to the same entry) loses the unique index race and inserts nothing.
INSERT INTO waitlist_offers (entry_id, wa_id, slot_date, slot_time, freed_reservation_id, expires_at, resource_id)
SELECT e.id, e.wa_id, $2, $3, $1, now() + make_interval(secs => $4), $5
  FROM waitlist_entries e
  JOIN customers c ON c.wa_id = e.wa_id AND NOT c.is_blocked
  LEFT JOIN resources res ON res.id = $5
 WHERE e.slot_date = $2 AND e.status = 'waiting' AND (e.slot_time IS NULL OR e.slot_time = $3)
   AND (e.resource_id IS NULL OR e.resource_id = $5)
   AND (res.reservation_types IS NULL OR e.reservation_type = ANY(res.reservation_types))
   AND NOT EXISTS (SELECT 1 FROM waitlist_offers o
                    WHERE o.entry_id = e.id AND (o.status = 'open' OR o.freed_reservation_id = $1))
   AND NOT EXISTS (SELECT 1 FROM reservations r
                    WHERE r.wa_id = e.wa_id AND r.slot_date = $2 AND r.status = 'active')
   AND NOT EXISTS (SELECT 1 FROM waitlist_offers o WHERE o.freed_reservation_id = $1 AND o.status = 'open')
 ORDER BY e.created_at, e.id
 LIMIT 1
ON CONFLICT DO NOTHING
RETURNING id, wa_id, slot_date, slot_time, expires_at, resource_id;

-- name: waitlist_offers_unsent
-- Open offers not yet sent (the process that made one may have stopped before sending it).
SELECT id, wa_id, slot_date, slot_time, expires_at
  FROM waitlist_offers
 WHERE status = 'open' AND sent_at IS NULL AND expires_at > now()
 ORDER BY id
 LIMIT 50;

-- name: waitlist_offer_claim_send
-- One sender per offer: the row lock is held by the sender's transaction until it marks it sent.
SELECT id FROM waitlist_offers WHERE id = $1 AND status = 'open' AND sent_at IS NULL FOR UPDATE SKIP LOCKED;

-- name: waitlist_offer_mark_sent
UPDATE waitlist_offers SET sent_at = now() WHERE id = $1;

-- name: waitlist_offers_past_hold
-- Open offers whose hold has run out; each is expired by its (resource, day)'s actor (waitlist_offer_expire).
SELECT id, slot_date, resource_id FROM waitlist_offers
 WHERE status = 'open' AND expires_at <= now() ORDER BY expires_at LIMIT 50;

-- name: waitlist_offer_expire
UPDATE waitlist_offers SET status = 'expired', decided_at = now()
 WHERE id = $1 AND status = 'open' AND expires_at <= now()
RETURNING id, freed_reservation_id, slot_date, slot_time, resource_id;

-- name: waitlist_offer_decline
UPDATE waitlist_offers SET status = 'declined', decided_at = now()
 WHERE id = $1 AND wa_id = $2 AND status = 'open'
RETURNING id, freed_reservation_id, slot_date, slot_time, resource_id;

-- name: waitlist_offer_get
SELECT o.id, o.entry_id, o.wa_id, o.slot_date, o.slot_time, o.status, o.expires_at, o.expires_at > now() AS live,
       o.freed_reservation_id, e.reservation_type, o.resource_id
  FROM waitlist_offers o JOIN waitlist_entries e ON e.id = o.entry_id
 WHERE o.id = $1 AND o.wa_id = $2;

-- name: waitlist_offer_lock
SELECT id, entry_id, wa_id, slot_date, slot_time, status, expires_at > now() AS live, resource_id
  FROM waitlist_offers WHERE id = $1 FOR UPDATE;

-- name: waitlist_offer_accept
UPDATE waitlist_offers SET status = 'accepted', decided_at = now(), booked_reservation_id = $2 WHERE id = $1;

-- name: waitlist_offer_withdraw
UPDATE waitlist_offers SET status = 'withdrawn', decided_at = now() WHERE id = $1 AND status = 'open';

-- name: waitlist_entry_booked
UPDATE waitlist_entries SET status = 'booked', updated_at = now() WHERE id = $1;

-- name: waitlist_entry_get
-- An entry, and the resource of its open offer if any (whose (resource, day) actor removes it); else its own.
SELECT e.id, e.wa_id, e.slot_date, e.slot_time, e.status,
       coalesce((SELECT o.resource_id FROM waitlist_offers o WHERE o.entry_id = e.id AND o.status = 'open'),
                e.resource_id, 1) AS offer_resource_id
  FROM waitlist_entries e WHERE e.id = $1;

-- name: waitlist_entry_remove
-- Staff take a waiting entry off the list (NULL: it was not waiting).
UPDATE waitlist_entries SET status = 'removed', updated_at = now() WHERE id = $1 AND status = 'waiting'
RETURNING id;

-- name: waitlist_entry_withdraw_offers
-- The removed entry's open offer, if any, is withdrawn (its place is then offered on).
UPDATE waitlist_offers SET status = 'withdrawn', decided_at = now()
 WHERE entry_id = $1 AND status = 'open'
RETURNING id, freed_reservation_id, slot_date, slot_time, resource_id;

-- name: waitlist_list
-- Staff view: entries of days [$1, $2] (every status), each with its latest offer.
SELECT e.id, e.wa_id, c.customer_name, e.slot_date, e.slot_time, e.status, e.source, e.created_at, e.reservation_type,
       e.resource_id, o.resource_id AS offer_resource_id, o.id AS offer_id, o.slot_time AS offer_time, o.status AS offer_status, o.expires_at AS offer_expires_at,
       o.sent_at AS offer_sent_at
  FROM waitlist_entries e
  JOIN customers c ON c.wa_id = e.wa_id
  LEFT JOIN LATERAL (SELECT * FROM waitlist_offers o WHERE o.entry_id = e.id ORDER BY o.id DESC LIMIT 1) o ON true
 WHERE e.slot_date BETWEEN $1 AND $2
 ORDER BY e.slot_date, e.created_at, e.id;

-- name: waitlist_offer_for_send
SELECT id, wa_id, slot_date, slot_time, expires_at, resource_id FROM waitlist_offers WHERE id = $1;

-- name: waitlist_local_now
-- Now in the business zone ($1), as the conversation stores it.
SELECT (now() AT TIME ZONE $1)::date AS day, date_trunc('second', now() AT TIME ZONE $1)::time(0) AS clock;

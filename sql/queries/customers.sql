-- Customers: writes by the conversation actor, reads by the customer routes.

-- name: customer_ensure
INSERT INTO customers (wa_id, customer_name)
VALUES ($1, $2)
ON CONFLICT (wa_id) DO NOTHING;

-- name: customer_lock
SELECT wa_id, customer_name, age, age_recorded_at, document, is_blocked, is_favorite
FROM customers
WHERE wa_id = $1
FOR UPDATE;

-- name: customer_get
SELECT wa_id, customer_name, age, age_recorded_at, document, is_blocked, is_favorite
FROM customers
WHERE wa_id = $1;

-- name: customer_insert_profile
INSERT INTO customers (wa_id, customer_name, age, age_recorded_at, document)
VALUES ($1, $2, $3, $4, $5);

-- name: customer_update_profile
UPDATE customers
SET customer_name = $2, age = $3, age_recorded_at = $4, document = $5, updated_at = now()
WHERE wa_id = $1;

-- name: customer_set_favorite
UPDATE customers SET is_favorite = $2, updated_at = now() WHERE wa_id = $1 RETURNING wa_id;

-- name: customer_set_blocked
UPDATE customers SET is_blocked = $2, updated_at = now() WHERE wa_id = $1 RETURNING wa_id;

-- name: customer_delete_reservations
DELETE FROM reservations WHERE wa_id = $1;

-- name: customer_delete_row
DELETE FROM customers WHERE wa_id = $1;

-- name: customer_reservations_snapshot
SELECT id, slot_date, slot_time, type, status
FROM reservations
WHERE wa_id = $1
ORDER BY slot_date, slot_time, id;

-- name: customer_rename_wa_id
-- The target does not exist: one UPDATE; messages and reservations follow through ON UPDATE CASCADE.
UPDATE customers
SET wa_id = $2, customer_name = $3, updated_at = now()
WHERE wa_id = $1;

-- name: customer_move_reservations
WITH moved AS (UPDATE reservations SET wa_id = $2 WHERE wa_id = $1 RETURNING 1)
SELECT count(*) AS moved FROM moved;

-- name: customer_move_conversation
WITH moved AS (UPDATE conversation SET wa_id = $2 WHERE wa_id = $1 RETURNING 1)
SELECT count(*) AS moved FROM moved;

-- name: customer_count_children
SELECT (SELECT count(*) FROM reservations WHERE wa_id = $1) AS reservations,
       (SELECT count(*) FROM conversation WHERE wa_id = $1) AS messages;

-- name: customer_merge_into
-- The target exists: it takes the old customer's name (or the override) and keeps its own
-- age/document/flags unless it has none (quirk 9: nothing is lost, nothing overwritten with nulls).
UPDATE customers AS target
SET customer_name = $2,
    age = coalesce(old.age, target.age),
    age_recorded_at = CASE WHEN old.age IS NOT NULL THEN old.age_recorded_at ELSE target.age_recorded_at END,
    document = coalesce(target.document, old.document),
    is_blocked = target.is_blocked OR old.is_blocked,
    is_favorite = target.is_favorite OR old.is_favorite,
    updated_at = now()
FROM customers AS old
WHERE target.wa_id = $1 AND old.wa_id = $3;

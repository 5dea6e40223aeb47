-- Outbound WhatsApp messages, delivery statuses, last inbound ids, assistant replies.

-- name: whatsapp_outbound_insert
-- Returns the row; with an idempotency key already used, returns the existing row
-- and created = false, with attempted_ago: seconds since a send of it was left in
-- doubt (NULL when none is, migration 0401) and the error of its last attempt.
WITH inserted AS (
    INSERT INTO whatsapp_outbound (wa_id, kind, payload, idempotency_key, delivery)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id, delivery, wamid, true AS created
)
SELECT id, delivery, wamid, created, NULL::float8 AS attempted_ago, NULL::text AS error FROM inserted
UNION ALL
SELECT id, delivery, wamid, false, extract(epoch FROM now() - attempted_at)::float8, error
FROM whatsapp_outbound
WHERE idempotency_key = $4 AND NOT EXISTS (SELECT 1 FROM inserted);

-- name: whatsapp_outbound_attempt
-- Committed before the request to Graph: from here until a definite answer the send is in doubt.
UPDATE whatsapp_outbound SET attempted_at = now(), updated_at = now() WHERE id = $1;

-- name: whatsapp_outbound_mark
-- $6 true: no definite answer (timeout, lost connection), the send stays in doubt from now;
-- otherwise a refusal clears the attempt (nothing was sent) and `sent` keeps it as history.
UPDATE whatsapp_outbound
SET delivery = $2, wamid = coalesce($3, wamid), http_status = $4, error = $5, updated_at = now(),
    attempted_at = CASE WHEN $6::boolean THEN now() WHEN $2 = 'sent' THEN attempted_at END
WHERE id = $1;

-- name: whatsapp_outbound_by_key_prefix
-- The reply parts recorded for one inbound queue row, in order.
SELECT id, wa_id, kind, payload, idempotency_key, delivery, wamid
FROM whatsapp_outbound
-- the prefix as a range of the byte-order operators, which idx_whatsapp_outbound_key_pattern (0404)
-- serves in any plan; LIKE $1 || '%' with a parameter never becomes an index range
WHERE idempotency_key ~>=~ $1::text AND idempotency_key ~<~ ($1::text || chr(1114111))
ORDER BY idempotency_key;

-- name: whatsapp_outbound_recent
SELECT id, wa_id, kind, payload, idempotency_key, delivery, wamid, http_status, error, created_at
FROM whatsapp_outbound
WHERE ($1::text IS NULL OR wa_id = $1) AND id > $2
ORDER BY id
LIMIT $3;

-- name: whatsapp_status_record
-- Keep the highest-ranked status per message; out-of-order callbacks never downgrade.
INSERT INTO whatsapp_message_status AS s (wamid, recipient_id, status, status_rank, status_ts, errors)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (wamid) DO UPDATE
SET status = excluded.status, status_rank = excluded.status_rank, status_ts = excluded.status_ts,
    errors = coalesce(excluded.errors, s.errors), updated_at = now()
WHERE excluded.status_rank > s.status_rank;

-- name: whatsapp_status_callback_record
-- The first status callback carrying a `biz_opaque_callback_data` string (migration 0401).
INSERT INTO whatsapp_status_callback_data (callback_data, wamid, status, recipient_id)
VALUES ($1, $2, $3, $4)
ON CONFLICT (callback_data) DO NOTHING;

-- name: whatsapp_status_callback_wamid
SELECT wamid FROM whatsapp_status_callback_data WHERE callback_data = $1;

-- name: whatsapp_status_get
SELECT wamid, recipient_id, status, status_rank, status_ts, errors FROM whatsapp_message_status WHERE wamid = $1;

-- name: whatsapp_last_inbound_set
INSERT INTO whatsapp_last_inbound (wa_id, message_id) VALUES ($1, $2)
ON CONFLICT (wa_id) DO UPDATE SET message_id = excluded.message_id, received_at = now();

-- name: whatsapp_last_inbound_get
SELECT message_id FROM whatsapp_last_inbound WHERE wa_id = $1;

-- name: whatsapp_customer_is_blocked
SELECT coalesce((SELECT is_blocked FROM customers WHERE wa_id = $1), false);

-- name: whatsapp_ensure_customer
INSERT INTO customers (wa_id, customer_name) VALUES ($1, $2) ON CONFLICT (wa_id) DO NOTHING;

-- name: whatsapp_customer_name
SELECT customer_name FROM customers WHERE wa_id = $1;

-- name: whatsapp_conversation_insert
INSERT INTO conversation (wa_id, role, message, local_date, local_time)
VALUES ($1, $2, $3, $4, $5)
RETURNING id;

-- name: whatsapp_conversation_has_message
-- Whether this exact customer message (text, local date and time) is already stored.
SELECT EXISTS (
    SELECT 1 FROM conversation
    WHERE wa_id = $1 AND role = $2 AND message = $3 AND local_date = $4 AND local_time = $5);

-- name: assistant_history
-- The newest $2 conversational rows (tool rows excluded before the limit), oldest first.
SELECT role, message, local_date, local_time FROM (
    SELECT id, role, message, local_date, local_time
    FROM conversation
    WHERE wa_id = $1 AND role <> 'tool' AND message IS NOT NULL AND message <> ''
    ORDER BY local_date DESC NULLS LAST, local_time DESC NULLS LAST, id DESC
    LIMIT $2
) recent
ORDER BY local_date NULLS FIRST, local_time NULLS FIRST, id;

-- name: assistant_state_get
SELECT state FROM assistant_state WHERE wa_id = $1;

-- name: assistant_state_put
INSERT INTO assistant_state (wa_id, state) VALUES ($1, $2)
ON CONFLICT (wa_id) DO UPDATE SET state = excluded.state, updated_at = now();

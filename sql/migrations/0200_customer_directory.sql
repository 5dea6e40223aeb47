-- 0200_customer_directory: what customer search and the phone directory need to stay index-served.
--
-- 1. customer_is_registered(name, wa_id): the "real name" test of spec 30 §2.1 with quirk 17 fixed
--    (separators are stripped from the name, not the wa_id). Inlinable SQL, so expression indexes match.
-- 2. A trigram index on the separator-free wa_id: the "digits substring" search rule (LIKE '%…%').
-- 3. customers.last_user_message_at: the business-zone local time of the customer's latest `user`
--    message, kept by statement-level triggers on conversation (any writer: actors, COPY, importers).
--    /phone/recent, search ordering and the directory read it instead of aggregating history.
-- 4. An index in the directory's order (real names first by lower(name), then by wa_id).

CREATE OR REPLACE FUNCTION customer_is_registered(name text, wa_id text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT coalesce(name <> '' AND name <> wa_id AND translate(name, ' -+', '') <> wa_id, false)
    $$;

CREATE INDEX idx_customers_wa_id_digits_trgm
    ON customers USING gin (translate(wa_id, ' -+', '') gin_trgm_ops);

ALTER TABLE customers ADD COLUMN last_user_message_at timestamp;

UPDATE customers AS c
SET last_user_message_at = m.last_at
FROM (
    SELECT wa_id, max(local_date + local_time) AS last_at
    FROM conversation
    WHERE role = 'user' AND local_date IS NOT NULL
    GROUP BY wa_id
) AS m
WHERE m.wa_id = c.wa_id;

CREATE INDEX idx_customers_last_user_message
    ON customers (last_user_message_at DESC NULLS LAST, wa_id);

CREATE INDEX idx_customers_directory_order
    ON customers ((NOT customer_is_registered(customer_name, wa_id)),
                  (CASE WHEN customer_is_registered(customer_name, wa_id) THEN lower(customer_name) END),
                  wa_id);

-- Inserted user messages can only move the latest time forward.
CREATE FUNCTION customers_last_user_message_after_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customers AS c
    SET last_user_message_at = n.last_at
    FROM (
        SELECT wa_id, max(local_date + local_time) AS last_at
        FROM inserted
        WHERE role = 'user' AND local_date IS NOT NULL
        GROUP BY wa_id
    ) AS n
    WHERE c.wa_id = n.wa_id
      AND (c.last_user_message_at IS NULL OR c.last_user_message_at < n.last_at);
    RETURN NULL;
END
$$;

-- Deleted or changed rows: recompute for every customer they touched (few per statement).
CREATE FUNCTION customers_last_user_message_recompute(touched text[]) RETURNS void
    LANGUAGE sql AS $$
    UPDATE customers AS c
    SET last_user_message_at = (
        SELECT max(m.local_date + m.local_time)
        FROM conversation AS m
        WHERE m.wa_id = c.wa_id AND m.role = 'user' AND m.local_date IS NOT NULL
    )
    WHERE c.wa_id = ANY (touched);
$$;

CREATE FUNCTION customers_last_user_message_after_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM customers_last_user_message_recompute(
        ARRAY(SELECT DISTINCT wa_id FROM deleted WHERE role = 'user'));
    RETURN NULL;
END
$$;

CREATE FUNCTION customers_last_user_message_after_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM customers_last_user_message_recompute(
        ARRAY(SELECT wa_id FROM before_rows UNION SELECT wa_id FROM after_rows));
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_conversation_last_user_message_insert
    AFTER INSERT ON conversation REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION customers_last_user_message_after_insert();
CREATE TRIGGER trg_conversation_last_user_message_delete
    AFTER DELETE ON conversation REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION customers_last_user_message_after_delete();
CREATE TRIGGER trg_conversation_last_user_message_update
    AFTER UPDATE ON conversation REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION customers_last_user_message_after_update();

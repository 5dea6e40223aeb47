-- 0250_conversation_reply_delays: the dashboard's response times (spec 30 §5) without a window function over
-- the whole date window at read time.
--
-- The reference pairs, per customer and in (date + time, id) order, every assistant message with the message
-- just before it in the window; a pair counts when that message is not the assistant's and time has passed.
-- conversation_reply_delays keeps each such pair as it stands in the customer's whole history, with the date of
-- the earlier message: a pair belongs to a window exactly when both dates are inside it (the earlier message
-- is never later than the reply), so /stats filters `reply_date BETWEEN from AND to AND prompt_date >= from`.
--
-- conversation_chain_tails holds each customer's latest dated message: an inserted message that comes after
-- it (the usual case, and every COPY of time-ordered history) is paired without reading conversation. Any
-- other change (a back-dated insert, an update of wa_id/role/date/time, a delete) recomputes the touched
-- customers' pairs from conversation. Every path first locks the touched customers' tail rows (in wa_id
-- order), so concurrent writers for one customer take turns and each sees the one before it (each statement
-- of a plpgsql function reads a fresh snapshot under READ COMMITTED). Row locks, not advisory locks: a
-- seeding COPY touches a million customers in one transaction, which would overflow the lock table.

CREATE TABLE conversation_reply_delays (
    message_id  bigint  PRIMARY KEY,  -- the assistant reply
    wa_id       text    NOT NULL,
    reply_date  date    NOT NULL,
    prompt_date date    NOT NULL,
    seconds     integer NOT NULL CHECK (seconds > 0)
);
CREATE INDEX idx_conversation_reply_delays_window
    ON conversation_reply_delays (reply_date) INCLUDE (prompt_date, seconds);
CREATE INDEX idx_conversation_reply_delays_wa_id ON conversation_reply_delays (wa_id);

CREATE TABLE conversation_chain_tails (
    wa_id text PRIMARY KEY,
    at    timestamp,  -- NULL: the customer has no dated message
    id    bigint,
    role  text        -- lower(trim(role)), as the pairing compares it
);

-- Lock (creating where missing) the tail rows of these customers, in wa_id order.
CREATE FUNCTION conversation_chain_lock(touched text[]) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO conversation_chain_tails (wa_id)
    SELECT DISTINCT w FROM unnest(touched) AS w ORDER BY 1
    ON CONFLICT (wa_id) DO NOTHING;
    PERFORM 1 FROM conversation_chain_tails WHERE wa_id = ANY (touched) ORDER BY wa_id FOR UPDATE;
END
$$;

-- Recompute the pairs and the tails of these customers from conversation (index-served per customer).
CREATE FUNCTION conversation_chain_recompute(touched text[]) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM conversation_reply_delays WHERE wa_id = ANY (touched);
    INSERT INTO conversation_reply_delays (message_id, wa_id, reply_date, prompt_date, seconds)
    SELECT id, wa_id, at::date, previous_at::date, extract(epoch FROM at - previous_at)::integer
    FROM (
        SELECT id, wa_id, role, at, lag(role) OVER turn AS previous_role, lag(at) OVER turn AS previous_at
        FROM (
            SELECT id, wa_id, lower(trim(role)) AS role, local_date + local_time AS at
            FROM conversation
            WHERE wa_id = ANY (touched) AND local_date IS NOT NULL
        ) AS m
        WINDOW turn AS (PARTITION BY wa_id ORDER BY at, id)
    ) AS pairs
    WHERE wa_id <> '' AND role = 'assistant' AND previous_role <> 'assistant' AND at > previous_at;

    UPDATE conversation_chain_tails AS t
    SET at = last.at, id = last.id, role = last.role
    FROM unnest(touched) AS w(wa_id)
    LEFT JOIN LATERAL (
        SELECT local_date + local_time AS at, id, lower(trim(role)) AS role
        FROM conversation AS c
        WHERE c.wa_id = w.wa_id AND c.local_date IS NOT NULL
        ORDER BY c.local_date DESC, c.local_time DESC, c.id DESC
        LIMIT 1
    ) AS last ON true
    WHERE t.wa_id = w.wa_id;
END
$$;

CREATE FUNCTION conversation_chain_after_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    touched text[];
    backdated text[];
BEGIN
    touched := ARRAY(SELECT DISTINCT wa_id FROM inserted WHERE local_date IS NOT NULL);
    IF cardinality(touched) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM conversation_chain_lock(touched);

    -- customers whose new messages do not all come after their latest one: recompute those
    backdated := ARRAY(
        SELECT f.wa_id
        FROM (SELECT DISTINCT ON (wa_id) wa_id, local_date + local_time AS at, id
              FROM inserted WHERE local_date IS NOT NULL
              ORDER BY wa_id, local_date, local_time, id) AS f
        JOIN conversation_chain_tails AS t USING (wa_id)
        WHERE t.at IS NOT NULL AND (f.at, f.id) <= (t.at, t.id));
    IF cardinality(backdated) > 0 THEN
        PERFORM conversation_chain_recompute(backdated);
    END IF;

    -- the rest: pair the new messages after the stored tail
    INSERT INTO conversation_reply_delays (message_id, wa_id, reply_date, prompt_date, seconds)
    SELECT id, wa_id, at::date, previous_at::date, extract(epoch FROM at - previous_at)::integer
    FROM (
        SELECT id, wa_id, is_new, role, at, lag(role) OVER turn AS previous_role, lag(at) OVER turn AS previous_at
        FROM (
            SELECT id, wa_id, true AS is_new, lower(trim(role)) AS role, local_date + local_time AS at
            FROM inserted
            WHERE local_date IS NOT NULL AND wa_id <> ALL (backdated)
            UNION ALL
            SELECT id, wa_id, false, role, at
            FROM conversation_chain_tails
            WHERE wa_id = ANY (touched) AND wa_id <> ALL (backdated) AND at IS NOT NULL
        ) AS m
        WINDOW turn AS (PARTITION BY wa_id ORDER BY at, id)
    ) AS pairs
    WHERE is_new AND wa_id <> '' AND role = 'assistant' AND previous_role <> 'assistant' AND at > previous_at;

    UPDATE conversation_chain_tails AS t
    SET at = l.at, id = l.id, role = l.role
    FROM (SELECT DISTINCT ON (wa_id) wa_id, local_date + local_time AS at, id, lower(trim(role)) AS role
          FROM inserted
          WHERE local_date IS NOT NULL AND wa_id <> ALL (backdated)
          ORDER BY wa_id, local_date DESC, local_time DESC, id DESC) AS l
    WHERE t.wa_id = l.wa_id;
    RETURN NULL;
END
$$;

CREATE FUNCTION conversation_chain_after_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    touched text[];
BEGIN
    -- only changes of what the pairing reads matter (not e.g. an edited message text)
    touched := ARRAY(
        SELECT DISTINCT w
        FROM before_rows AS b
        FULL JOIN after_rows AS a ON a.id = b.id
        CROSS JOIN LATERAL (VALUES (b.wa_id), (a.wa_id)) AS v(w)
        WHERE w IS NOT NULL
          AND (a.id IS NULL OR b.id IS NULL
               OR (a.wa_id, a.role, a.local_date, a.local_time) IS DISTINCT FROM
                  (b.wa_id, b.role, b.local_date, b.local_time)));
    IF cardinality(touched) > 0 THEN
        PERFORM conversation_chain_lock(touched);
        PERFORM conversation_chain_recompute(touched);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION conversation_chain_after_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    touched text[];
BEGIN
    touched := ARRAY(SELECT DISTINCT wa_id FROM deleted WHERE local_date IS NOT NULL);
    IF cardinality(touched) > 0 THEN
        PERFORM conversation_chain_lock(touched);
        PERFORM conversation_chain_recompute(touched);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION conversation_chain_after_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    -- DELETE, not TRUNCATE: a TRUNCATE listing these tables too would find them in use
    DELETE FROM conversation_reply_delays;
    DELETE FROM conversation_chain_tails;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_conversation_chain_insert
    AFTER INSERT ON conversation REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION conversation_chain_after_insert();
CREATE TRIGGER trg_conversation_chain_update
    AFTER UPDATE ON conversation REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION conversation_chain_after_update();
CREATE TRIGGER trg_conversation_chain_delete
    AFTER DELETE ON conversation REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION conversation_chain_after_delete();
CREATE TRIGGER trg_conversation_chain_truncate
    AFTER TRUNCATE ON conversation
    FOR EACH STATEMENT EXECUTE FUNCTION conversation_chain_after_truncate();

-- Backfill from the existing history (one pass; new writes are covered by the triggers from here on).
INSERT INTO conversation_reply_delays (message_id, wa_id, reply_date, prompt_date, seconds)
SELECT id, wa_id, at::date, previous_at::date, extract(epoch FROM at - previous_at)::integer
FROM (
    SELECT id, wa_id, role, at, lag(role) OVER turn AS previous_role, lag(at) OVER turn AS previous_at
    FROM (
        SELECT id, wa_id, lower(trim(role)) AS role, local_date + local_time AS at
        FROM conversation
        WHERE local_date IS NOT NULL
    ) AS m
    WINDOW turn AS (PARTITION BY wa_id ORDER BY at, id)
) AS pairs
WHERE wa_id <> '' AND role = 'assistant' AND previous_role <> 'assistant' AND at > previous_at;

INSERT INTO conversation_chain_tails (wa_id, at, id, role)
SELECT DISTINCT ON (wa_id) wa_id, local_date + local_time, id, lower(trim(role))
FROM conversation
WHERE local_date IS NOT NULL
ORDER BY wa_id, local_date DESC, local_time DESC, id DESC;

-- 0252_reservation_rollups: /stats' reservation blocks and response times (spec 30 §5) read small rollups
-- instead of every reservation or reply pair of the window.
--
-- 1. reservation_group_counts: reservations per (slot_date, slot_time, type, status), as pure deltas
--    (+inserted, -deleted, -old +new on update) applied with INSERT … ON CONFLICT DO UPDATE SET n = n + delta.
--    Increments commute, so concurrent writers need no other coordination; an update whose net change of a
--    group is 0 (e.g. a customer rename) writes nothing. Rows are written in key order within a statement, so
--    two statements never lock them in opposite orders (every reservation write is one statement, under the
--    per-day advisory locks). A count that falls to 0 keeps its row (readers skip n = 0): deleting it could
--    race an insert's increment.
-- 2. customer_reservation_dates: per customer, the date of the first reservation (any status) and of the
--    latest active one. "First reservation in the window" is first_date BETWEEN from AND to (a customer with a
--    reservation in the window whose earliest one is not before it); "active customers" is
--    last_active_date >= today. An insert can only move them outwards: least()/greatest() upserts, which
--    commute. A delete, or an update of wa_id/slot_date/status, recomputes the touched customers from
--    reservations (index probes) after locking their rows (created where missing, in wa_id order): concurrent
--    writers for one customer take turns, and each statement of a plpgsql function reads a fresh snapshot
--    under READ COMMITTED, so the recompute sees every change committed before it got the lock, and an upsert
--    that waited for the lock applies least()/greatest() to the recomputed row. A customer without
--    reservations keeps a row of NULLs (counted by neither query).
-- 3. conversation_reply_delay_counts: a histogram of conversation_reply_delays (0250) per
--    (reply_date, prompt_date, seconds), maintained like (1) by statement triggers on that table. The mean,
--    the exact median (percentile_cont's interpolation, replayed in SQL) and the maximum of a window are read
--    off it. Unlike (1), its rows are shared by every customer, and 0250 rewrites a customer's pairs in two
--    statements (delete, then insert) when it recomputes them: two such rewrites could lock the same rows in
--    opposite orders. Every statement that removes pairs therefore first takes one transaction-level advisory
--    lock, so rewrites take turns; appends (one statement, rows in key order) never take it.
-- 4. stats_modifications (a date window of slots, grouped by the business-zone date of updated_at) keeps its
--    query: a partial covering index holds just the modified reservations, with updated_at, so the query reads
--    those index entries only, exactly as before for any time zone.
--
-- stats_rollups_rebuild() recomputes every table that triggers on conversation, reservations and
-- conversation_reply_delays maintain (0200, 0250, 0251, these, and 0253's invalidation stamps), for bulk
-- loaders that disable those triggers while they COPY (bin/mawid seed-demo, import).

CREATE TABLE reservation_group_counts (
    slot_date date     NOT NULL,
    slot_time time(0)  NOT NULL,
    type      smallint NOT NULL,
    status    text     NOT NULL,
    n         integer  NOT NULL,  -- no CHECK (n >= 0): an upsert checks its proposed row, a negative delta
    PRIMARY KEY (slot_date, slot_time, type, status)
);

CREATE TABLE customer_reservation_dates (
    wa_id            text PRIMARY KEY,
    first_date       date,  -- earliest slot_date, any status
    last_active_date date   -- latest slot_date of an active reservation
);
CREATE INDEX idx_customer_reservation_dates_first ON customer_reservation_dates (first_date);
CREATE INDEX idx_customer_reservation_dates_last_active ON customer_reservation_dates (last_active_date);

CREATE TABLE conversation_reply_delay_counts (
    reply_date  date    NOT NULL,
    prompt_date date    NOT NULL,
    seconds     integer NOT NULL,
    n           integer NOT NULL,
    PRIMARY KEY (reply_date, prompt_date, seconds)
);

CREATE INDEX idx_reservations_modified
    ON reservations (slot_date) INCLUDE (updated_at) WHERE updated_at <> created_at;

-- Lock (creating where missing) these customers' rows in wa_id order, then recompute them from reservations.
CREATE FUNCTION customer_reservation_dates_recompute(touched text[]) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_reservation_dates (wa_id)
    SELECT DISTINCT w FROM unnest(touched) AS w ORDER BY 1
    ON CONFLICT (wa_id) DO NOTHING;
    PERFORM 1 FROM customer_reservation_dates WHERE wa_id = ANY (touched) ORDER BY wa_id FOR UPDATE;

    UPDATE customer_reservation_dates AS d
    SET first_date = x.first_date, last_active_date = x.last_active_date
    FROM (
        SELECT w.wa_id,
               (SELECT min(r.slot_date) FROM reservations AS r WHERE r.wa_id = w.wa_id) AS first_date,
               (SELECT max(r.slot_date) FROM reservations AS r
                WHERE r.wa_id = w.wa_id AND r.status = 'active') AS last_active_date
        FROM (SELECT DISTINCT wa_id FROM unnest(touched) AS u(wa_id)) AS w
    ) AS x
    WHERE d.wa_id = x.wa_id
      AND (d.first_date, d.last_active_date) IS DISTINCT FROM (x.first_date, x.last_active_date);
END
$$;

CREATE FUNCTION reservation_rollups_after_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reservation_group_counts AS g (slot_date, slot_time, type, status, n)
    SELECT slot_date, slot_time, type, status, count(*)
    FROM inserted
    GROUP BY slot_date, slot_time, type, status
    ORDER BY slot_date, slot_time, type, status
    ON CONFLICT (slot_date, slot_time, type, status) DO UPDATE SET n = g.n + excluded.n;

    INSERT INTO customer_reservation_dates AS d (wa_id, first_date, last_active_date)
    SELECT wa_id, min(slot_date), max(slot_date) FILTER (WHERE status = 'active')
    FROM inserted
    GROUP BY wa_id
    ORDER BY wa_id
    ON CONFLICT (wa_id) DO UPDATE
        SET first_date = least(d.first_date, excluded.first_date),
            last_active_date = greatest(d.last_active_date, excluded.last_active_date)
        WHERE (d.first_date, d.last_active_date) IS DISTINCT FROM
              (least(d.first_date, excluded.first_date), greatest(d.last_active_date, excluded.last_active_date));
    RETURN NULL;
END
$$;

CREATE FUNCTION reservation_rollups_after_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    touched text[];
BEGIN
    INSERT INTO reservation_group_counts AS g (slot_date, slot_time, type, status, n)
    SELECT slot_date, slot_time, type, status, -count(*)
    FROM deleted
    GROUP BY slot_date, slot_time, type, status
    ORDER BY slot_date, slot_time, type, status
    ON CONFLICT (slot_date, slot_time, type, status) DO UPDATE SET n = g.n + excluded.n;

    touched := ARRAY(SELECT DISTINCT wa_id FROM deleted);
    IF cardinality(touched) > 0 THEN
        PERFORM customer_reservation_dates_recompute(touched);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION reservation_rollups_after_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    touched text[];
BEGIN
    INSERT INTO reservation_group_counts AS g (slot_date, slot_time, type, status, n)
    SELECT slot_date, slot_time, type, status, sum(n)
    FROM (SELECT slot_date, slot_time, type, status, 1 AS n FROM after_rows
          UNION ALL
          SELECT slot_date, slot_time, type, status, -1 FROM before_rows) AS change
    GROUP BY slot_date, slot_time, type, status
    HAVING sum(n) <> 0
    ORDER BY slot_date, slot_time, type, status
    ON CONFLICT (slot_date, slot_time, type, status) DO UPDATE SET n = g.n + excluded.n;

    -- only changes of what the dates read matter (not e.g. a moved slot_time)
    touched := ARRAY(
        SELECT DISTINCT w
        FROM before_rows AS b
        FULL JOIN after_rows AS a ON a.id = b.id
        CROSS JOIN LATERAL (VALUES (b.wa_id), (a.wa_id)) AS v(w)
        WHERE w IS NOT NULL
          AND (a.id IS NULL OR b.id IS NULL
               OR (a.wa_id, a.slot_date, a.status) IS DISTINCT FROM (b.wa_id, b.slot_date, b.status)));
    IF cardinality(touched) > 0 THEN
        PERFORM customer_reservation_dates_recompute(touched);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION reservation_rollups_after_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    -- DELETE, not TRUNCATE: a TRUNCATE listing these tables too would find them in use
    DELETE FROM reservation_group_counts;
    DELETE FROM customer_reservation_dates;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_reservation_rollups_insert
    AFTER INSERT ON reservations REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION reservation_rollups_after_insert();
CREATE TRIGGER trg_reservation_rollups_update
    AFTER UPDATE ON reservations REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reservation_rollups_after_update();
CREATE TRIGGER trg_reservation_rollups_delete
    AFTER DELETE ON reservations REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION reservation_rollups_after_delete();
CREATE TRIGGER trg_reservation_rollups_truncate
    AFTER TRUNCATE ON reservations
    FOR EACH STATEMENT EXECUTE FUNCTION reservation_rollups_after_truncate();

CREATE FUNCTION reply_delay_counts_after_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO conversation_reply_delay_counts AS h (reply_date, prompt_date, seconds, n)
    SELECT reply_date, prompt_date, seconds, count(*)
    FROM inserted
    GROUP BY reply_date, prompt_date, seconds
    ORDER BY reply_date, prompt_date, seconds
    ON CONFLICT (reply_date, prompt_date, seconds) DO UPDATE SET n = h.n + excluded.n;
    RETURN NULL;
END
$$;

CREATE FUNCTION reply_delay_counts_after_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM deleted) THEN
        PERFORM pg_advisory_xact_lock(hashtext('mawid:conversation_reply_delay_counts'));
        INSERT INTO conversation_reply_delay_counts AS h (reply_date, prompt_date, seconds, n)
        SELECT reply_date, prompt_date, seconds, -count(*)
        FROM deleted
        GROUP BY reply_date, prompt_date, seconds
        ORDER BY reply_date, prompt_date, seconds
        ON CONFLICT (reply_date, prompt_date, seconds) DO UPDATE SET n = h.n + excluded.n;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION reply_delay_counts_after_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM before_rows) THEN
        PERFORM pg_advisory_xact_lock(hashtext('mawid:conversation_reply_delay_counts'));
        INSERT INTO conversation_reply_delay_counts AS h (reply_date, prompt_date, seconds, n)
        SELECT reply_date, prompt_date, seconds, sum(n)
        FROM (SELECT reply_date, prompt_date, seconds, 1 AS n FROM after_rows
              UNION ALL
              SELECT reply_date, prompt_date, seconds, -1 FROM before_rows) AS change
        GROUP BY reply_date, prompt_date, seconds
        HAVING sum(n) <> 0
        ORDER BY reply_date, prompt_date, seconds
        ON CONFLICT (reply_date, prompt_date, seconds) DO UPDATE SET n = h.n + excluded.n;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION reply_delay_counts_after_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM conversation_reply_delay_counts;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_reply_delay_counts_insert
    AFTER INSERT ON conversation_reply_delays REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION reply_delay_counts_after_insert();
CREATE TRIGGER trg_reply_delay_counts_update
    AFTER UPDATE ON conversation_reply_delays REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reply_delay_counts_after_update();
CREATE TRIGGER trg_reply_delay_counts_delete
    AFTER DELETE ON conversation_reply_delays REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION reply_delay_counts_after_delete();
CREATE TRIGGER trg_reply_delay_counts_truncate
    AFTER TRUNCATE ON conversation_reply_delays
    FOR EACH STATEMENT EXECUTE FUNCTION reply_delay_counts_after_truncate();

-- Recompute this migration's rollups from their base tables (whatever state their triggers are in).
CREATE FUNCTION reservation_rollups_rebuild() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE reservation_group_counts, customer_reservation_dates, conversation_reply_delay_counts;

    INSERT INTO reservation_group_counts (slot_date, slot_time, type, status, n)
    SELECT slot_date, slot_time, type, status, count(*)
    FROM reservations
    GROUP BY slot_date, slot_time, type, status;

    INSERT INTO customer_reservation_dates (wa_id, first_date, last_active_date)
    SELECT wa_id, min(slot_date), max(slot_date) FILTER (WHERE status = 'active')
    FROM reservations
    GROUP BY wa_id;

    INSERT INTO conversation_reply_delay_counts (reply_date, prompt_date, seconds, n)
    SELECT reply_date, prompt_date, seconds, count(*)
    FROM conversation_reply_delays
    GROUP BY reply_date, prompt_date, seconds;
END
$$;

-- Recompute everything the triggers on conversation, reservations and conversation_reply_delays maintain:
-- customers.last_user_message_at (0200), the reply pairs and chain tails (0250), the per-customer-day
-- message counts (0251) and this migration's rollups, and invalidate every day of /stats' message cache
-- (0253: a new epoch, as its TRUNCATE trigger does, since the loaded days were not stamped). For bulk loaders
-- that disable those triggers (ALTER TABLE … DISABLE TRIGGER USER) while they COPY, then call this once
-- before committing. Writers of conversation and reservations wait until the caller's transaction ends.
-- A migration that adds a trigger on these tables adds its part here (CREATE OR REPLACE).
CREATE FUNCTION stats_rollups_rebuild() RETURNS void
    LANGUAGE plpgsql
    SET work_mem = '256MB'
    AS $$
DECLARE
    derived regclass[] := ARRAY['conversation_reply_delays', 'conversation_chain_tails',
                                'conversation_customer_days', 'reservation_group_counts',
                                'customer_reservation_dates', 'conversation_reply_delay_counts'];
    recreate text[];
    ddl text;
BEGIN
    LOCK TABLE conversation, reservations IN SHARE MODE;

    UPDATE customers AS c
    SET last_user_message_at = m.last_at
    FROM (
        SELECT u.wa_id, m.last_at
        FROM customers AS u
        LEFT JOIN (SELECT wa_id, max(local_date + local_time) AS last_at
                   FROM conversation
                   WHERE role = 'user' AND local_date IS NOT NULL
                   GROUP BY wa_id) AS m USING (wa_id)
    ) AS m
    WHERE c.wa_id = m.wa_id AND c.last_user_message_at IS DISTINCT FROM m.last_at;

    -- the derived tables' secondary indexes are built once, after their rows (keys stay)
    recreate := ARRAY(
        SELECT pg_get_indexdef(i.indexrelid)
        FROM pg_index AS i
        WHERE i.indrelid = ANY (derived)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint AS k WHERE k.conindid = i.indexrelid));
    FOR ddl IN
        SELECT format('DROP INDEX %s', i.indexrelid::regclass)
        FROM pg_index AS i
        WHERE i.indrelid = ANY (derived)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint AS k WHERE k.conindid = i.indexrelid)
    LOOP
        EXECUTE ddl;
    END LOOP;
    TRUNCATE conversation_reply_delays, conversation_chain_tails, conversation_customer_days;

    -- One pass over each customer's history in (date + time, id) order gives the pairs (0250's rule), the
    -- tails (each customer's last message) and the per-day counts. Partitioned under "C": the same
    -- partitions (equality is bytewise either way), sorted without the database's collation.
    WITH m AS MATERIALIZED (
        SELECT id, wa_id, role, at, lag(role) OVER turn AS previous_role, lag(at) OVER turn AS previous_at,
               lead(id) OVER turn IS NULL AS is_last
        FROM (
            SELECT id, wa_id COLLATE "C" AS wa_id, lower(trim(role)) AS role, local_date + local_time AS at
            FROM conversation
            WHERE local_date IS NOT NULL
        ) AS dated
        WINDOW turn AS (PARTITION BY wa_id ORDER BY at, id)
    ), pairs AS (
        INSERT INTO conversation_reply_delays (message_id, wa_id, reply_date, prompt_date, seconds)
        SELECT id, wa_id, at::date, previous_at::date, extract(epoch FROM at - previous_at)::integer
        FROM m
        WHERE wa_id <> '' AND role = 'assistant' AND previous_role <> 'assistant' AND at > previous_at
    ), days AS (
        INSERT INTO conversation_customer_days (wa_id, local_date, n)
        SELECT wa_id, at::date, count(*)
        FROM m
        GROUP BY wa_id, at::date
    )
    INSERT INTO conversation_chain_tails (wa_id, at, id, role)
    SELECT wa_id, at, id, role FROM m WHERE is_last;

    -- after the pairs, so the histogram is right whether or not their triggers ran
    PERFORM reservation_rollups_rebuild();

    FOREACH ddl IN ARRAY recreate LOOP
        EXECUTE ddl;
    END LOOP;

    INSERT INTO stats_message_day_changes AS c (local_date, version)
    VALUES ('-infinity', nextval('stats_message_day_versions'))
    ON CONFLICT (local_date) DO UPDATE SET version = excluded.version;
END
$$;

-- Backfill from the existing rows (one pass; new writes are covered by the triggers from here on).
SELECT reservation_rollups_rebuild();

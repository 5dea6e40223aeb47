-- 0251_conversation_customer_days: messages per customer and business-zone day, for /stats' per-customer
-- activity (spec 30 §5). A window's per-customer message counts and latest message date are sums and maxima
-- over its days, so /stats aggregates these rows (a few per customer) instead of every message of the window.
--
-- Kept by statement-level triggers on conversation as pure deltas (+inserted, -deleted, -old +new on update),
-- applied with INSERT … ON CONFLICT DO UPDATE SET n = n + delta: increments commute, so concurrent writers need
-- no other coordination. Rows are written in (wa_id, local_date) order so two statements never lock them in
-- opposite orders. A count that falls to 0 keeps its row (readers skip n = 0): deleting it could race an
-- insert's increment.

CREATE TABLE conversation_customer_days (
    wa_id      text    NOT NULL,
    local_date date    NOT NULL,
    n          integer NOT NULL,  -- no CHECK (n >= 0): an upsert checks its proposed row, a negative delta
    PRIMARY KEY (wa_id, local_date)
);
CREATE INDEX idx_conversation_customer_days_window
    ON conversation_customer_days (local_date) INCLUDE (wa_id, n);

CREATE FUNCTION conversation_customer_days_apply(deltas jsonb) RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO conversation_customer_days AS d (wa_id, local_date, n)
    SELECT x.wa_id, x.local_date, x.n
    FROM jsonb_to_recordset(deltas) AS x(wa_id text, local_date date, n integer)
    WHERE x.n <> 0
    ORDER BY x.wa_id, x.local_date
    ON CONFLICT (wa_id, local_date) DO UPDATE SET n = d.n + excluded.n;
$$;

CREATE FUNCTION conversation_customer_days_after_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO conversation_customer_days AS d (wa_id, local_date, n)
    SELECT wa_id, local_date, count(*)
    FROM inserted
    WHERE local_date IS NOT NULL
    GROUP BY wa_id, local_date
    ORDER BY wa_id, local_date
    ON CONFLICT (wa_id, local_date) DO UPDATE SET n = d.n + excluded.n;
    RETURN NULL;
END
$$;

CREATE FUNCTION conversation_customer_days_after_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM conversation_customer_days_apply(coalesce((
        SELECT jsonb_agg(jsonb_build_object('wa_id', wa_id, 'local_date', local_date, 'n', -n))
        FROM (SELECT wa_id, local_date, count(*) AS n
              FROM deleted WHERE local_date IS NOT NULL
              GROUP BY wa_id, local_date) AS gone), '[]'));
    RETURN NULL;
END
$$;

CREATE FUNCTION conversation_customer_days_after_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM conversation_customer_days_apply(coalesce((
        SELECT jsonb_agg(jsonb_build_object('wa_id', wa_id, 'local_date', local_date, 'n', n))
        FROM (
            SELECT wa_id, local_date, sum(n) AS n
            FROM (SELECT wa_id, local_date, 1 AS n FROM after_rows WHERE local_date IS NOT NULL
                  UNION ALL
                  SELECT wa_id, local_date, -1 FROM before_rows WHERE local_date IS NOT NULL) AS change
            GROUP BY wa_id, local_date
        ) AS net), '[]'));
    RETURN NULL;
END
$$;

CREATE FUNCTION conversation_customer_days_after_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM conversation_customer_days;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_conversation_days_insert
    AFTER INSERT ON conversation REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION conversation_customer_days_after_insert();
CREATE TRIGGER trg_conversation_days_update
    AFTER UPDATE ON conversation REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION conversation_customer_days_after_update();
CREATE TRIGGER trg_conversation_days_delete
    AFTER DELETE ON conversation REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION conversation_customer_days_after_delete();
CREATE TRIGGER trg_conversation_days_truncate
    AFTER TRUNCATE ON conversation
    FOR EACH STATEMENT EXECUTE FUNCTION conversation_customer_days_after_truncate();

INSERT INTO conversation_customer_days (wa_id, local_date, n)
SELECT wa_id, local_date, count(*)
FROM conversation
WHERE local_date IS NOT NULL
GROUP BY wa_id, local_date;

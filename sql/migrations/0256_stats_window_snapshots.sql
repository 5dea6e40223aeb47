-- 0256_stats_window_snapshots: the settled part of /stats' current window, per customer, kept for reuse.
--
-- The current window ends today, so 0255 cannot cache its per-customer aggregate, and at a million customers
-- that aggregate (hashing every customer-day and booking of the window) is /stats' critical path. Its settled
-- days (all but the last few, which 0253/0255 stamp when they change) are snapshotted once per customer; a
-- request then aggregates only the live days and folds their customers into the snapshot's summary. A
-- snapshot is used only while its token (the stamps of its days and the epoch, hashed as 0255 does) still
-- matches, so a change to any of its days retires it.

-- The token of the days start..end: their change stamps (0253/0255) and the epoch, hashed.
CREATE FUNCTION stats_window_token(start_date date, end_date date) RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT md5(coalesce(string_agg(local_date::text || ':' || version, ',' ORDER BY local_date), ''))
    FROM stats_message_day_changes
    WHERE local_date BETWEEN start_date AND end_date OR local_date = '-infinity'
$$;

-- Per-customer activity of the days start..end: message count (0251's per-day counts), bookings (reservations
-- by slot date, any status) and the latest such day. One hash aggregate over both sources; a plain SQL
-- function, so the planner inlines it into each caller (stats_customers, snapshots, the live days).
CREATE FUNCTION stats_customer_activity(start_date date, end_date date)
    RETURNS TABLE (wa_id text, messages bigint, bookings bigint, last_activity date)
    LANGUAGE sql STABLE AS $$
    SELECT wa_id, sum(messages), sum(bookings), max(day)
    FROM (
        SELECT d.wa_id, d.n AS messages, 0 AS bookings, d.local_date AS day
        FROM conversation_customer_days AS d
        WHERE d.local_date BETWEEN start_date AND end_date AND d.n > 0 AND d.wa_id <> ''
        UNION ALL
        SELECT r.wa_id, 0, 1, r.slot_date
        FROM reservations AS r
        WHERE r.slot_date BETWEEN start_date AND end_date AND r.wa_id <> ''
    ) AS days
    GROUP BY wa_id
$$;

CREATE TABLE stats_window_snapshots (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    start_date        date        NOT NULL,
    end_date          date        NOT NULL,  -- settled when built, so it stays settled
    token             text        NOT NULL,
    -- the summary of the rows below, as stats_customers returns it (converted and both histograms)
    converted         bigint      NOT NULL DEFAULT 0,
    message_histogram jsonb       NOT NULL DEFAULT '[]',
    booking_histogram jsonb       NOT NULL DEFAULT '[]',
    built_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (start_date, end_date, token)
);

-- One row per customer active in the snapshot's days: the sums stats_customers keeps per customer.
CREATE TABLE stats_window_customers (
    snapshot_id   bigint NOT NULL REFERENCES stats_window_snapshots ON DELETE CASCADE,
    wa_id         text   NOT NULL,
    messages      bigint NOT NULL,
    bookings      bigint NOT NULL,
    last_activity date   NOT NULL,
    PRIMARY KEY (snapshot_id, wa_id)
);

-- The snapshot's most active customers in the dashboard's order, for the top list.
CREATE INDEX idx_stats_window_customers_top
    ON stats_window_customers (snapshot_id, messages DESC, bookings DESC, wa_id);

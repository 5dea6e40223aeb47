-- The settled part of /stats' current window, snapshotted per customer (migration 0256,
-- actors/customers/window_snapshots.py).

-- name: stats_snapshot_find
-- The newest snapshot of the days $1..(at most $2, the newest settled day) whose days have not changed since.
SELECT id, end_date
FROM stats_window_snapshots
WHERE start_date = $1 AND end_date <= $2 AND token = stats_window_token(start_date, end_date)
ORDER BY end_date DESC, id DESC
LIMIT 1;

-- name: stats_snapshot_build
-- Snapshot the settled days $1..$2: the per-customer activity and its summary, under the days' token (read in
-- the same snapshot as the activity, so the token never claims newer data than the rows hold).
WITH activity AS MATERIALIZED (
    SELECT * FROM stats_customer_activity($1, $2)
), snapshot AS (
    INSERT INTO stats_window_snapshots (start_date, end_date, token, converted, message_histogram, booking_histogram)
    SELECT $1, $2, stats_window_token($1, $2),
           (SELECT count(*) FROM activity WHERE messages > 0 AND bookings > 0),
           (SELECT coalesce(jsonb_agg(jsonb_build_array(n, customers) ORDER BY n), '[]')
            FROM (SELECT messages AS n, count(*) AS customers FROM activity WHERE messages > 0 GROUP BY 1) AS h),
           (SELECT coalesce(jsonb_agg(jsonb_build_array(n, customers) ORDER BY n), '[]')
            FROM (SELECT bookings AS n, count(*) AS customers FROM activity WHERE bookings > 0 GROUP BY 1) AS h)
    ON CONFLICT (start_date, end_date, token) DO NOTHING
    RETURNING id
)
INSERT INTO stats_window_customers (snapshot_id, wa_id, messages, bookings, last_activity)
SELECT s.id, a.wa_id, a.messages, a.bookings, a.last_activity
FROM snapshot AS s CROSS JOIN activity AS a;

-- name: stats_snapshot_retire
-- Snapshots of the days from $1 that end before $2 (a newer one replaces them) or whose days changed, and all
-- but the $3 newest: each holds a row per active customer, and any window start may ask for one.
DELETE FROM stats_window_snapshots
WHERE (start_date = $1 AND (end_date < $2 OR token <> stats_window_token(start_date, end_date)))
   OR id NOT IN (SELECT id FROM stats_window_snapshots ORDER BY built_at DESC, id DESC LIMIT $3);

-- name: stats_snapshot_prune
DELETE FROM stats_window_snapshots WHERE built_at < now() - make_interval(days => $1);

-- name: stats_snapshot_try_lock
-- One builder at a time across processes (a build hashes a whole window); the others skip: the snapshot is an
-- optimisation, and the next request asks again.
SELECT pg_try_advisory_lock(hashtextextended('mawid:stats_snapshot_build', 0));

-- name: stats_snapshot_unlock
SELECT pg_advisory_unlock(hashtextextended('mawid:stats_snapshot_build', 0));

-- name: stats_customers_delta
-- stats_customers over a window whose days up to a snapshot's end are snapshot $1: only the live days $2..$3
-- are aggregated. Their customers' window sums are the snapshot's plus theirs, so the summary changes by
-- those customers only: each leaves the histogram bucket (and the converted count) the snapshot put them in
-- and enters the one of their new sums. Everyone else keeps the snapshot's sums, so the top $4 is the top of
-- the live days' customers and of the snapshot's other customers, read off its index.
WITH snapshot AS (
    SELECT converted, message_histogram, booking_histogram FROM stats_window_snapshots WHERE id = $1
), live AS MATERIALIZED (
    SELECT * FROM stats_customer_activity($2, $3)
), changed AS MATERIALIZED (
    SELECT l.wa_id,
           l.messages + coalesce(s.messages, 0) AS messages,
           l.bookings + coalesce(s.bookings, 0) AS bookings,
           greatest(l.last_activity, s.last_activity) AS last_activity,
           coalesce(s.messages, 0) AS settled_messages,
           coalesce(s.bookings, 0) AS settled_bookings
    FROM live AS l
    LEFT JOIN stats_window_customers AS s ON s.snapshot_id = $1 AND s.wa_id = l.wa_id
), contenders AS (
    SELECT wa_id, messages, bookings, last_activity FROM changed
    UNION ALL
    -- the snapshot's leaders without live activity, walked in order off its index, each checked by two index
    -- probes: the walk stops after $4 of them
    (SELECT s.wa_id, s.messages, s.bookings, s.last_activity
     FROM stats_window_customers AS s
     WHERE s.snapshot_id = $1
       AND NOT EXISTS (SELECT FROM conversation_customer_days AS d
                       WHERE d.wa_id = s.wa_id AND d.local_date BETWEEN $2 AND $3 AND d.n > 0)
       AND NOT EXISTS (SELECT FROM reservations AS r WHERE r.wa_id = s.wa_id AND r.slot_date BETWEEN $2 AND $3)
     ORDER BY s.messages DESC, s.bookings DESC, s.wa_id
     LIMIT $4)
), histograms AS (
    -- both histograms at once: the snapshot's buckets, plus one for each live customer's new sums and minus
    -- one for the sums the snapshot had for them
    SELECT kind, json_agg(json_build_array(n, customers) ORDER BY n) AS pairs
    FROM (SELECT kind, n, sum(customers)::bigint AS customers
          FROM (SELECT 'messages' AS kind, (e ->> 0)::bigint AS n, (e ->> 1)::bigint AS customers
                FROM snapshot CROSS JOIN jsonb_array_elements(message_histogram) AS e
                UNION ALL
                SELECT 'bookings', (e ->> 0)::bigint, (e ->> 1)::bigint
                FROM snapshot CROSS JOIN jsonb_array_elements(booking_histogram) AS e
                UNION ALL
                SELECT c.kind, c.n, c.customers
                FROM changed CROSS JOIN LATERAL (VALUES ('messages', messages, 1), ('messages', settled_messages, -1),
                                                        ('bookings', bookings, 1), ('bookings', settled_bookings, -1)
                                                ) AS c(kind, n, customers)
                WHERE c.n > 0) AS change
          GROUP BY kind, n
          HAVING sum(customers) <> 0) AS bucket
    GROUP BY kind
)
SELECT
    (SELECT converted FROM snapshot)
        + (SELECT count(*) FILTER (WHERE messages > 0 AND bookings > 0)
                  - count(*) FILTER (WHERE settled_messages > 0 AND settled_bookings > 0)
           FROM changed) AS converted,
    coalesce((SELECT pairs FROM histograms WHERE kind = 'messages'), '[]') AS message_histogram,
    coalesce((SELECT pairs FROM histograms WHERE kind = 'bookings'), '[]') AS booking_histogram,
    (SELECT coalesce(json_agg(top ORDER BY top.message_count DESC, top.reservation_count DESC, top.wa_id), '[]')
     FROM (
        SELECT wa_id, messages AS message_count, bookings AS reservation_count, last_activity
        FROM contenders
        ORDER BY messages DESC, bookings DESC, wa_id
        LIMIT $4
     ) AS top) AS top_customers;

-- The analytics dashboard (/stats, spec 30 §5). Every query aggregates in PostgreSQL over one date
-- window ($1..$2, inclusive, business-zone dates) so the process never loads a window's rows.

-- name: stats_reservation_groups
-- Reservations in the window by appointment slot, type and status, in (date, slot) order: the counts kept by
-- reservations' triggers (migration 0252; type is NOT NULL there, so no coalesce is needed).
SELECT slot_date, slot_time, type, status, n::bigint AS n
FROM reservation_group_counts
WHERE slot_date BETWEEN $1 AND $2 AND n <> 0
ORDER BY slot_date, slot_time, type, status;

-- name: stats_modifications
-- Reservations of the window changed after creation, by the business-zone date of the change (quirk 23).
-- Reads idx_reservations_modified (0252): the modified reservations only, with their updated_at.
SELECT (updated_at AT TIME ZONE $3)::date AS day, count(*) AS n
FROM reservations
WHERE slot_date BETWEEN $1 AND $2 AND updated_at <> created_at
GROUP BY 1;

-- name: stats_customers
-- Per-customer activity of the window: conversation/reservation overlap, repeat bookings, histograms of
-- per-customer message and booking counts (medians and segments are read off them), and the 50 most
-- active customers (ties by wa_id).
-- The per-customer sums are stats_customer_activity's (migration 0256): one hash aggregate over the window's
-- customer-day message counts and bookings, the dominant cost at a million customers. A current window
-- reuses a snapshot of its settled days instead (stats_customers_delta).
WITH activity AS MATERIALIZED (
    SELECT * FROM stats_customer_activity($1, $2)
)
SELECT
    (SELECT count(*) FROM activity WHERE messages > 0 AND bookings > 0) AS converted,
    (SELECT coalesce(json_agg(json_build_array(n, customers) ORDER BY n), '[]')
     FROM (SELECT messages AS n, count(*) AS customers FROM activity WHERE messages > 0 GROUP BY 1) AS h
    ) AS message_histogram,
    (SELECT coalesce(json_agg(json_build_array(n, customers) ORDER BY n), '[]')
     FROM (SELECT bookings AS n, count(*) AS customers FROM activity WHERE bookings > 0 GROUP BY 1) AS h
    ) AS booking_histogram,
    (SELECT coalesce(json_agg(top ORDER BY top.message_count DESC, top.reservation_count DESC, top.wa_id), '[]')
     FROM (
        SELECT wa_id, messages AS message_count, bookings AS reservation_count, last_activity
        FROM activity
        ORDER BY messages DESC, bookings DESC, wa_id
        LIMIT $3
     ) AS top) AS top_customers;

-- name: stats_first_reservations
-- Customers whose first-ever reservation (any status) falls in the window (those with a reservation in the
-- window and none before it): per-customer first dates kept by reservations' triggers (migration 0252).
SELECT count(*) FROM customer_reservation_dates WHERE first_date BETWEEN $1 AND $2;

-- name: stats_active_customers
-- Customers with an active reservation on or after $1: per-customer latest active dates (migration 0252).
SELECT count(*) FROM customer_reservation_dates WHERE last_active_date >= $1;

-- name: stats_response_times
-- Minutes from a customer's last non-assistant message to the assistant message that follows it, both in the
-- window (pairs kept by conversation's triggers, migration 0250), read off their histogram per
-- (reply date, prompt date, seconds) (migration 0252). The mean, the median and the maximum equal
-- avg / percentile_cont(0.5) / max over the pairs' minutes (seconds::float8 / 60): the median is the value at
-- 0-based position (N - 1) / 2 of the sorted minutes, or when N is even percentile_cont's interpolation
-- lo + 0.5 * (hi - lo) between the values at N / 2 - 1 and N / 2, in the same float8 arithmetic.
WITH counts AS MATERIALIZED (
    SELECT seconds, sum(n) AS n
    FROM conversation_reply_delay_counts  -- a key's count is the sum of its shards (migration 0254)
    WHERE reply_date BETWEEN $1 AND $2 AND prompt_date >= $1
    GROUP BY seconds
    HAVING sum(n) <> 0
), totals AS (
    SELECT sum(n)::bigint AS pairs, sum(seconds * n) AS seconds, max(seconds) AS longest FROM counts
), middle AS (
    SELECT min(c.seconds) FILTER (WHERE c.upto > (t.pairs - 1) / 2) AS lo,
           min(c.seconds) FILTER (WHERE c.upto > t.pairs / 2) AS hi
    FROM (SELECT seconds, sum(n) OVER (ORDER BY seconds) AS upto FROM counts) AS c
    CROSS JOIN totals AS t
)
SELECT (t.seconds::numeric / t.pairs / 60)::float8 AS mean,
       CASE WHEN t.pairs % 2 = 1 THEN m.lo::float8 / 60
            ELSE m.lo::float8 / 60 + 0.5::float8 * (m.hi::float8 / 60 - m.lo::float8 / 60) END AS median,
       t.longest::float8 / 60 AS longest
FROM totals AS t CROSS JOIN middle AS m;

-- name: stats_read_tuning
-- For one dashboard aggregate: custom plans, no JIT (compile time exceeds the run time), memory to hash
-- the window's customers, and hashing rather than sorting wa_ids: merge joins and the parallel plans (whose
-- workers' partial groups are merged by a sort) sort wa_ids under a linguistic collation, which is slow and
-- buys nothing here; /stats already runs its aggregates side by side, one per core.
SELECT set_config('plan_cache_mode', 'force_custom_plan', true),
       set_config('jit', 'off', true),
       set_config('work_mem', '128MB', true),
       set_config('enable_mergejoin', 'off', true),
       set_config('max_parallel_workers_per_gather', '0', true);

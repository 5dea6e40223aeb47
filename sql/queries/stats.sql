-- The analytics dashboard (/stats, spec 30 §5). Every query aggregates in PostgreSQL over one date
-- window ($1..$2, inclusive, business-zone dates) so the process never loads a window's rows.

-- name: stats_reservation_groups
-- Reservations in the window by appointment slot, type and status, in (date, slot) order.
SELECT slot_date, slot_time, coalesce(type, 0) AS type, status, count(*) AS n
FROM reservations
WHERE slot_date BETWEEN $1 AND $2
GROUP BY slot_date, slot_time, type, status
ORDER BY slot_date, slot_time;

-- name: stats_modifications
-- Reservations of the window changed after creation, by the business-zone date of the change (quirk 23).
SELECT (updated_at AT TIME ZONE $3)::date AS day, count(*) AS n
FROM reservations
WHERE slot_date BETWEEN $1 AND $2 AND updated_at <> created_at
GROUP BY 1;

-- name: stats_customers
-- Per-customer activity of the window: conversation/reservation overlap, repeat bookings, histograms of
-- per-customer message and booking counts (medians and segments are read off them), and the 50 most
-- active customers (ties by wa_id).
-- Messages come from the per-customer-day counts (migration 0251): the latest activity is reported as a
-- date, and the day of a customer's latest message is the latest of their days with messages.
WITH messages AS MATERIALIZED (
    SELECT wa_id, sum(n) AS n, max(local_date) AS last_day
    FROM conversation_customer_days
    WHERE local_date BETWEEN $1 AND $2 AND n > 0 AND wa_id <> ''
    GROUP BY wa_id
), bookings AS MATERIALIZED (
    SELECT wa_id, count(*) AS n, max(slot_date + slot_time) AS last_at
    FROM reservations
    WHERE slot_date BETWEEN $1 AND $2 AND wa_id <> ''
    GROUP BY wa_id
)
SELECT
    (SELECT count(*) FROM messages JOIN bookings USING (wa_id)) AS converted,
    (SELECT coalesce(json_agg(json_build_array(n, customers) ORDER BY n), '[]')
     FROM (SELECT n, count(*) AS customers FROM messages GROUP BY n) AS h) AS message_histogram,
    (SELECT coalesce(json_agg(json_build_array(n, customers) ORDER BY n), '[]')
     FROM (SELECT n, count(*) AS customers FROM bookings GROUP BY n) AS h) AS booking_histogram,
    (SELECT coalesce(json_agg(top ORDER BY top.message_count DESC, top.reservation_count DESC, top.wa_id), '[]')
     FROM (
        SELECT wa_id, coalesce(m.n, 0) AS message_count, coalesce(b.n, 0) AS reservation_count,
               greatest(m.last_day, b.last_at::date) AS last_activity
        FROM messages AS m FULL JOIN bookings AS b USING (wa_id)
        ORDER BY message_count DESC, reservation_count DESC, wa_id
        LIMIT $3
     ) AS top) AS top_customers;

-- name: stats_first_reservations
-- Customers whose first-ever reservation (any status) falls in the window: for each of the window's
-- customers, the earliest reservation is one probe of idx_reservations_wa_id_slot_date.
SELECT count(*)
FROM (SELECT DISTINCT wa_id FROM reservations WHERE slot_date BETWEEN $1 AND $2) AS w
WHERE (SELECT min(e.slot_date) FROM reservations AS e WHERE e.wa_id = w.wa_id) >= $1;

-- name: stats_active_customers
SELECT count(DISTINCT wa_id) FROM reservations WHERE status = 'active' AND slot_date >= $1;

-- name: stats_message_hours
-- Messages of the window per (date, hour), in time order (read from the covering index alone).
SELECT local_date, extract(hour FROM local_time)::int AS hour, count(*) AS n
FROM conversation
WHERE local_date BETWEEN $1 AND $2
GROUP BY local_date, hour
ORDER BY local_date, hour;

-- name: stats_message_texts
-- Distinct (role, text) pairs of the window with their counts, in order of first appearance.
SELECT role, message, count(*) AS n, char_length(message) AS chars
FROM (
    SELECT coalesce(nullif(lower(trim(role)), ''), 'user') AS role, coalesce(message, '') AS message,
           local_date, local_time, id
    FROM conversation
    WHERE local_date BETWEEN $1 AND $2
) AS m
GROUP BY role, message
ORDER BY min(local_date + local_time), min(id);

-- name: stats_response_times
-- Minutes from a customer's last non-assistant message to the assistant message that follows it, both in the
-- window: the pairs are kept by conversation's triggers (migration 0250), so this reads one index range.
SELECT avg(minutes)::float8 AS mean, percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) AS median,
       max(minutes)::float8 AS longest
FROM (
    SELECT seconds::float8 / 60 AS minutes
    FROM conversation_reply_delays
    WHERE reply_date BETWEEN $1 AND $2 AND prompt_date >= $1
) AS pairs;

-- name: stats_read_tuning
-- For one dashboard aggregate: custom plans, no JIT (compile time exceeds the run time), memory to hash
-- the window's customers, and hash rather than merge joins (merge joins sort wa_ids under a linguistic
-- collation, which is slow and buys nothing here).
SELECT set_config('plan_cache_mode', 'force_custom_plan', true),
       set_config('jit', 'off', true),
       set_config('work_mem', '128MB', true),
       set_config('enable_mergejoin', 'off', true);

-- /stats' per-day message cache (migration 0253, actors/customers/message_days.py).

-- name: stats_days_state
-- Every day of the window ($1..$2) with its cache stamp (NULL: not cached), the day's and the epoch's change
-- stamps (0: never changed), and whether it is old enough to cache.
SELECT d::date AS local_date, s.day_version, s.epoch,
       coalesce(c.version, 0) AS changed, coalesce(e.version, 0) AS current_epoch,
       d::date < (now() AT TIME ZONE 'UTC')::date - 2 AS cacheable
FROM generate_series($1::date, $2::date, interval '1 day') AS d
LEFT JOIN stats_message_days AS s ON s.local_date = d::date
LEFT JOIN stats_message_day_changes AS c ON c.local_date = d::date
LEFT JOIN stats_message_day_changes AS e ON e.local_date = '-infinity'
ORDER BY 1;

-- name: stats_days_texts
-- The distinct (role, text) pairs of these days with their counts, per day in order of first appearance:
SELECT local_date, role, message, count(*) AS n, char_length(message) AS chars
FROM (
    SELECT coalesce(nullif(lower(trim(role)), ''), 'user') AS role, coalesce(message, '') AS message,
           local_date, local_time, id
    FROM conversation
    WHERE local_date = ANY ($1::date[])
) AS m
GROUP BY local_date, role, message
-- by the (time, id) of each pair's first message (ids stay below 2^40)
ORDER BY local_date, min(extract(epoch FROM local_time)::bigint * 1099511627776 + id);

-- name: stats_days_hours
SELECT local_date, extract(hour FROM local_time)::int AS hour, count(*) AS n
FROM conversation
WHERE local_date = ANY ($1::date[])
GROUP BY local_date, hour;

-- name: stats_days_cached
SELECT local_date, messages, tokens, chars, hours
FROM stats_message_days
WHERE local_date = ANY ($1::date[]);

-- name: stats_days_top_words
-- The 50 most frequent words of cached days ($1) and of freshly computed ones ($2..$6, as arrays), for
-- everyone (roles other than tool) and for user and assistant; ties in order of first appearance.
WITH words AS (
    SELECT local_date, role, word, n, first_seen
    FROM stats_message_day_words
    WHERE local_date = ANY ($1::date[])
    UNION ALL
    SELECT * FROM unnest($2::date[], $3::text[], $4::text[], $5::int[], $6::int[])
), ranked AS (
    SELECT scope, word, sum(n) AS n,
           min((local_date - date '2000-01-01')::bigint * 2147483648 + first_seen) AS first_seen
    FROM words
    CROSS JOIN LATERAL (VALUES (''), (role)) AS s(scope)  -- '' is everyone: no role is empty (it reads as user)
    WHERE role <> 'tool' AND scope IN ('', 'user', 'assistant')
    GROUP BY scope, word
)
SELECT scope, word, n
FROM (SELECT *, row_number() OVER (PARTITION BY scope ORDER BY n DESC, first_seen) AS place FROM ranked) AS r
WHERE place <= $7
ORDER BY scope, place;

-- name: stats_days_store_day
INSERT INTO stats_message_days AS s (local_date, day_version, epoch, messages, tokens, chars, hours)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (local_date) DO UPDATE
SET day_version = excluded.day_version, epoch = excluded.epoch, messages = excluded.messages,
    tokens = excluded.tokens, chars = excluded.chars, hours = excluded.hours;

-- name: stats_days_clear_words
DELETE FROM stats_message_day_words WHERE local_date = ANY ($1::date[]);

-- name: stats_days_store_words
INSERT INTO stats_message_day_words (local_date, role, word, n, first_seen)
SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::int[], $5::int[]);

-- name: stats_window_cached
-- The token of a window ($2..$3: its days' change stamps and the epoch, hashed, migration 0256) and the result
-- cached for query key $1 under that token (NULL when there is none or it was computed under another token).
SELECT t.token, c.result
FROM (SELECT stats_window_token($2, $3) AS token) AS t
LEFT JOIN stats_window_cache AS c ON c.key = $1 AND c.start_date = $2 AND c.end_date = $3 AND c.token = t.token;

-- name: stats_window_store
INSERT INTO stats_window_cache AS c (key, start_date, end_date, token, result)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (key, start_date, end_date) DO UPDATE
SET token = excluded.token, result = excluded.result, stored_at = now();

-- name: stats_window_prune
DELETE FROM stats_window_cache WHERE stored_at < now() - make_interval(days => $1);

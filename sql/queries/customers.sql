-- Customers: writes by the conversation actor, reads by the customer routes.

-- name: customer_ensure
INSERT INTO customers (wa_id, customer_name)
VALUES ($1, $2)
ON CONFLICT (wa_id) DO NOTHING;

-- name: customer_lock
SELECT wa_id, customer_name, age, age_recorded_at, document, is_blocked, is_favorite
FROM customers
WHERE wa_id = $1
FOR UPDATE;

-- name: customer_get
SELECT wa_id, customer_name, age, age_recorded_at, document, is_blocked, is_favorite
FROM customers
WHERE wa_id = $1;

-- name: customer_insert_profile
INSERT INTO customers (wa_id, customer_name, age, age_recorded_at, document)
VALUES ($1, $2, $3, $4, $5);

-- name: customer_update_profile
UPDATE customers
SET customer_name = $2, age = $3, age_recorded_at = $4, document = $5, updated_at = now()
WHERE wa_id = $1;

-- name: customer_set_favorite
UPDATE customers SET is_favorite = $2, updated_at = now() WHERE wa_id = $1 RETURNING wa_id;

-- name: customer_set_blocked
UPDATE customers SET is_blocked = $2, updated_at = now() WHERE wa_id = $1 RETURNING wa_id;

-- name: customer_delete_reservations
DELETE FROM reservations WHERE wa_id = $1;

-- name: customer_delete_row
DELETE FROM customers WHERE wa_id = $1;

-- name: customer_reservations_snapshot
SELECT id, slot_date, slot_time, type, status
FROM reservations
WHERE wa_id = $1
ORDER BY slot_date, slot_time, id;

-- name: customer_rename_wa_id
-- The target does not exist: one UPDATE; messages and reservations follow through ON UPDATE CASCADE.
UPDATE customers
SET wa_id = $2, customer_name = $3, updated_at = now()
WHERE wa_id = $1;

-- name: customer_move_reservations
WITH moved AS (UPDATE reservations SET wa_id = $2 WHERE wa_id = $1 RETURNING 1)
SELECT count(*) AS moved FROM moved;

-- name: customer_move_conversation
WITH moved AS (UPDATE conversation SET wa_id = $2 WHERE wa_id = $1 RETURNING 1)
SELECT count(*) AS moved FROM moved;

-- name: customer_count_children
SELECT (SELECT count(*) FROM reservations WHERE wa_id = $1) AS reservations,
       (SELECT count(*) FROM conversation WHERE wa_id = $1) AS messages;

-- name: customer_merge_into
-- The target exists: it takes the old customer's name (or the override) and keeps its own
-- age/document/flags unless it has none (quirk 9: nothing is lost, nothing overwritten with nulls).
UPDATE customers AS target
SET customer_name = $2,
    age = coalesce(old.age, target.age),
    age_recorded_at = CASE WHEN old.age IS NOT NULL THEN old.age_recorded_at ELSE target.age_recorded_at END,
    document = coalesce(target.document, old.document),
    is_blocked = target.is_blocked OR old.is_blocked,
    is_favorite = target.is_favorite OR old.is_favorite,
    updated_at = now()
FROM customers AS old
WHERE target.wa_id = $1 AND old.wa_id = $3;

-- name: customer_names
SELECT wa_id, customer_name, is_blocked, is_favorite
FROM customers
ORDER BY wa_id;

-- name: customer_stats_messages
-- Message count and the first/last message by (date, time) with PostgreSQL's NULL placement
-- (NULL dates sort last ascending, first descending), as the reference reports them.
SELECT (SELECT count(*) FROM conversation WHERE wa_id = $1) AS message_count,
       first.local_date AS first_date, first.local_time AS first_time, first.id AS first_id,
       last.local_date AS last_date, last.local_time AS last_time, last.id AS last_id
FROM (SELECT 1) one
LEFT JOIN LATERAL (
    SELECT local_date, local_time, id FROM conversation WHERE wa_id = $1
    ORDER BY local_date, local_time, id LIMIT 1
) first ON true
LEFT JOIN LATERAL (
    SELECT local_date, local_time, id FROM conversation WHERE wa_id = $1
    ORDER BY local_date DESC, local_time DESC, id DESC LIMIT 1
) last ON true;

-- name: customer_stats_reservations
SELECT id, slot_date, slot_time, type, status
FROM reservations
WHERE wa_id = $1
ORDER BY slot_date, slot_time, id;

-- name: phone_search_directory_size
-- How many customers there are, counted up to $1: enough to tell a small directory from a large one, cheap on both.
SELECT count(*) FROM (SELECT FROM customers LIMIT $1) AS c;

-- name: phone_search_lowest_level_is_cheap
-- Whether the trigram index can serve the lowest threshold ($2) for this number query ($1) without touching
-- most numbers: true when fewer than $2 of the query's trigrams are common ones (in at least $3 of the wa_ids
-- in pg_stats' sample, like a country code's), so a number needs some rarer ones to be a candidate. NULL
-- without statistics. Only decides which thresholds are tried, never what is found.
WITH sample AS MATERIALIZED (
    SELECT show_trgm(v) AS trigrams
    FROM pg_stats AS s, unnest(s.histogram_bounds::text::text[]) AS v
    WHERE s.schemaname = current_schema() AND s.tablename = 'customers' AND s.attname = 'wa_id'
), shares AS (
    SELECT q.t, (SELECT avg((q.t = ANY (trigrams))::int) FROM sample) AS share
    FROM unnest(show_trgm($1)) AS q(t)
)
SELECT CASE WHEN EXISTS (SELECT FROM sample)
            THEN count(*) FILTER (WHERE share >= $3::float8) < $2::float8 * count(*) END
FROM shares;

-- name: phone_search_wa_id_sample
-- About $1 wa_ids drawn at random (not more than twice that however stale pg_class' row count), and how many of
-- the directory's rows each stands for: which trigrams of a number query are rare, and how many rows a lookup
-- would visit (actors/customers/trigram_sample.py). Only decides how candidates are looked up, never what is found.
WITH sampling AS (
    SELECT least(100, 100 * $1::float8 / greatest(reltuples, 1)) AS percent FROM pg_class
    WHERE oid = 'customers'::regclass
)
SELECT array(SELECT wa_id FROM customers TABLESAMPLE BERNOULLI ((SELECT percent FROM sampling))
             LIMIT 2 * $1::int) AS wa_ids,
       100 / (SELECT percent FROM sampling) AS scale;

-- name: phone_search
-- $1 name query, $2 phone query (the digits when the query has any: quirk 11), $3 the escaped
-- '%digits%' LIKE pattern or NULL (quirk 10), $4 limit, $5 minimum similarity (also the trigram operators'
-- threshold, set by the statement itself), $6 wa_ids found at a stricter level, $7 whether to look for the
-- substring rule's rows (the strictest level; below it, they are among $6), $8/$9 NULL or pairs of LIKE patterns
-- replacing the similarity operator on wa_id (actors/customers/search.py pair_patterns), $10 whether the
-- directory is small (the statement is then planned once, for any query), $11 NULL for the whole search, or the
-- part of it run alone: 'names' (the names and the even-numbered pairs of $8/$9: no other number branch) or
-- 'numbers' (every other branch and pair: no name is scored). A large directory's number search runs both parts
-- at once. $12 NULL, or the fewest characters a wa_id found by its number (operator or substring rule) needs:
-- when no wa_id is that long (0831's index), neither scans.
-- Names are matched and scored once per distinct name (customer_search_names, 0257); each matching name
-- brings its newest $4 customers: the others tie with them on the name score and lose the tie-break, and if
-- their number scores higher than their name, the number rules find them. The substring branch only needs
-- its newest $4 rows: all of them score exactly 0.9 unless another branch (which finds them too) scores them
-- higher. A stricter level that did not fill the page returned every candidate scoring >= 0.9, these rows
-- included. A candidate whose name scores below $5 is there for its number, which then decides its score.
WITH thresholds AS MATERIALIZED (
    -- the trigram operators' thresholds for this statement only (reset when its transaction ends); every scan
    -- using an operator is gated on this row, so it is set before any of them runs
    SELECT set_config('pg_trgm.similarity_threshold', $5::real::text, true) AS similarity,
           set_config('pg_trgm.word_similarity_threshold', $5::real::text, true) AS word_similarity
), numbers_reachable AS MATERIALIZED (
    -- max() reads the end of 0831's index whatever the statistics (an EXISTS was planned as a walk of every
    -- customer until the expression's statistics were gathered)
    SELECT $12::int IS NULL OR (SELECT max(length(wa_id)) FROM customers) >= $12::int AS reachable
), names AS MATERIALIZED (
    -- separate index scans, not one OR: the planner prices several trigram index scans above one full scan.
    -- A name that normalising leaves unchanged (0820) is found through the raw index, and for a query that
    -- normalising leaves unchanged too its two scores are the same number: one word_similarity call, not two.
    -- A query without a trigram (punctuation only: '+', '%') scores 0 against anything, and the trigram index
    -- would be read whole for it (over a second at 1M customers): each operator is gated on its query's trigrams.
    SELECT m.name,
           CASE WHEN m.name = m.normalized AND $1 = normalize_arabic($1) THEN word_similarity($1, m.name)
                ELSE greatest(word_similarity($1, m.name), word_similarity(normalize_arabic($1), m.normalized))
           END AS score
    FROM (SELECT n.name, n.normalized FROM customer_search_names AS n
          WHERE EXISTS (SELECT FROM thresholds) AND $11::text IS DISTINCT FROM 'numbers'
            AND cardinality(show_trgm($1)) > 0 AND $1 <% n.name
          UNION
          SELECT n.name, n.normalized FROM customer_search_names AS n
          WHERE EXISTS (SELECT FROM thresholds) AND $11::text IS DISTINCT FROM 'numbers'
            AND cardinality(show_trgm(normalize_arabic($1))) > 0 AND normalize_arabic($1) <% n.normalized
            AND n.normalized <> n.name
          UNION
          SELECT n.name, n.normalized FROM customer_search_names AS n
          WHERE EXISTS (SELECT FROM thresholds) AND $11::text IS DISTINCT FROM 'numbers'
            AND $1 <> normalize_arabic($1) AND n.normalized = n.name
            AND cardinality(show_trgm(normalize_arabic($1))) > 0 AND normalize_arabic($1) <% n.name) AS m
), candidates AS (
    SELECT c.wa_id, c.customer_name, c.last_user_message_at, c.is_favorite, c.is_blocked
    FROM names AS n
    CROSS JOIN LATERAL (
        SELECT wa_id, customer_name, last_user_message_at, is_favorite, is_blocked
        FROM customers
        WHERE customer_name = n.name
        ORDER BY last_user_message_at DESC NULLS LAST, wa_id
        LIMIT $4
    ) AS c
    UNION
    SELECT wa_id, customer_name, last_user_message_at, is_favorite, is_blocked
    FROM customers
    WHERE EXISTS (SELECT FROM thresholds) AND $8::text[] IS NULL AND (SELECT reachable FROM numbers_reachable)
      AND cardinality(show_trgm($2)) > 0 AND wa_id % $2
    UNION
    -- instead of the operator, for a number query on a large directory ($8/$9: pairs of LIKE patterns, 0821):
    -- every digits-only wa_id scoring >= $5 by similarity matches both patterns of some pair, the others are few;
    -- a pair's match scoring less by its number is only a candidate for its name (the names branch has it then)
    SELECT c.wa_id, c.customer_name, c.last_user_message_at, c.is_favorite, c.is_blocked
    FROM unnest($8::text[], $9::text[]) WITH ORDINALITY AS p(one_pattern, other_pattern, n)
    CROSS JOIN LATERAL (
        SELECT wa_id, customer_name, last_user_message_at, is_favorite, is_blocked
        FROM customers
        WHERE wa_id LIKE p.one_pattern AND wa_id LIKE p.other_pattern
          AND (similarity(wa_id, $2) >= $5 OR translate(wa_id, ' -+', '') LIKE $3::text)
    ) AS c
    WHERE $11::text IS NULL OR ($11::text = 'names') = (p.n % 2 = 0)
    UNION
    SELECT wa_id, customer_name, last_user_message_at, is_favorite, is_blocked
    FROM customers
    WHERE $8::text[] IS NOT NULL AND $11::text IS DISTINCT FROM 'names'
      AND (wa_id !~ '^[0-9]+$' OR cardinality(show_trgm(wa_id)) <= 8)
    UNION
    SELECT wa_id, customer_name, last_user_message_at, is_favorite, is_blocked
    FROM customers WHERE wa_id = ANY ($6::text[])
    UNION
    (SELECT wa_id, customer_name, last_user_message_at, is_favorite, is_blocked
     FROM customers
     WHERE $7::boolean AND NOT $10::boolean AND $3::text IS NOT NULL AND (SELECT reachable FROM numbers_reachable)
       AND translate(wa_id, ' -+', '') LIKE $3::text
     ORDER BY last_user_message_at DESC NULLS LAST, wa_id
     LIMIT $4)
    UNION
    -- the same rows for a small directory ($10), planned once for any query (read_pools.SEARCH_SMALL): ordered by
    -- an equal key no index holds, so the plan is the trigram bitmap scan and a sort, never a walk of every
    -- customer in message order (best above only when the digits are in most numbers, which custom plans see)
    (SELECT wa_id, customer_name, last_user_message_at, is_favorite, is_blocked
     FROM customers
     WHERE $7::boolean AND $10::boolean AND $3::text IS NOT NULL AND (SELECT reachable FROM numbers_reachable)
       AND translate(wa_id, ' -+', '') LIKE $3::text
     ORDER BY last_user_message_at IS NULL, last_user_message_at DESC, wa_id
     LIMIT $4)
), scored AS MATERIALIZED (
    -- a name scoring 1 (the most any score can be) needs nothing else: common names tie at 1 by thousands
    SELECT c.*,
           CASE WHEN n.score >= 1 THEN 1 ELSE greatest(
               n.score,
               similarity(c.wa_id, $2),
               CASE WHEN $3::text IS NOT NULL AND translate(c.wa_id, ' -+', '') LIKE $3::text THEN 0.9 ELSE 0 END
           ) END::real AS similarity
    FROM candidates AS c
    LEFT JOIN names AS n ON n.name = c.customer_name
)
SELECT s.*, (SELECT max(r.updated_at) FROM reservations AS r WHERE r.wa_id = s.wa_id) AS last_reservation_at
FROM scored AS s
WHERE s.similarity >= $5
ORDER BY s.similarity DESC, s.last_user_message_at DESC NULLS LAST, s.wa_id
LIMIT $4;

-- name: phone_search_items_wrapper
-- phone_search's page (in place of the braces) as one JSON array of /phone/* items, best first (NULL when none):
-- a small directory's one statement (handlers/customers/phone_search.py find_items).
SELECT json_agg(contact_item_json(p.wa_id, p.customer_name, p.last_user_message_at, p.last_reservation_at,
                                  p.similarity, p.is_favorite, p.is_blocked)
                ORDER BY p.similarity DESC, p.last_user_message_at DESC NULLS LAST, p.wa_id)::text
FROM ({}) AS p;

-- name: phone_recent_json
-- The $1 customers who wrote last, newest first, as one JSON array of /phone/* items (NULL when none).
SELECT json_agg(contact_item_json(c.wa_id, c.customer_name, c.last_user_message_at, c.last_reservation_at, 1,
                                  c.is_favorite, c.is_blocked)
                ORDER BY c.last_user_message_at DESC NULLS LAST, c.wa_id)::text
FROM (SELECT c.wa_id, c.customer_name, c.last_user_message_at, c.is_favorite, c.is_blocked,
             (SELECT max(r.updated_at) FROM reservations AS r WHERE r.wa_id = c.wa_id) AS last_reservation_at
      FROM customers AS c
      WHERE c.last_user_message_at IS NOT NULL
      ORDER BY c.last_user_message_at DESC NULLS LAST, c.wa_id
      LIMIT $1) AS c;

-- The directory (/phone/all) is assembled from these pieces: only the active filters are added, so each
-- one can become a join or an index condition (an "$n IS NULL OR …" form would block that). `{}` marks
-- where the next parameter number goes; values are always bound parameters.

-- name: phone_directory_select
SELECT c.wa_id, c.customer_name, c.last_user_message_at, c.is_favorite, c.is_blocked, 1.0::real AS similarity
FROM customers AS c
WHERE true

-- name: phone_directory_page_wrapper
-- The page's last reservation times are looked up for the page's rows only, not for the skipped ones.
SELECT c.*, (SELECT max(r.updated_at) FROM reservations AS r WHERE r.wa_id = c.wa_id) AS last_reservation_at
FROM ({}) AS c

-- name: phone_directory_page_json
-- The page statement (page_wrapper around the page, without its final ORDER BY) as one JSON array of /phone/*
-- items in the page's order (phone_directory_order, placed inside json_agg), NULL when the page is empty.
SELECT json_agg(contact_item_json(c.wa_id, c.customer_name, c.last_user_message_at, c.last_reservation_at,
                                  c.similarity, c.is_favorite, c.is_blocked)
                {order})::text
FROM ({page}) AS c

-- name: phone_directory_count_select
SELECT count(*) FROM customers AS c WHERE true

-- name: phone_directory_exclude
AND c.wa_id <> ALL ({}::text[])

-- name: phone_directory_registered
-- Written as the directory index's first column so the index can skip to the group.
AND (NOT customer_is_registered(c.customer_name, c.wa_id)) IS FALSE

-- name: phone_directory_unknown
AND (NOT customer_is_registered(c.customer_name, c.wa_id)) IS TRUE

-- name: phone_directory_blocked
AND c.is_blocked

-- name: phone_directory_messages_between
AND c.wa_id IN (
    SELECT m.wa_id FROM conversation AS m
    WHERE m.role = 'user'
      AND m.local_date BETWEEN {0}::timestamp::date AND {1}::timestamp::date
      AND m.local_date + m.local_time BETWEEN {0}::timestamp AND {1}::timestamp)

-- name: phone_directory_reservations_between
AND c.wa_id IN (
    SELECT r.wa_id FROM reservations AS r
    WHERE r.slot_date BETWEEN {0}::timestamp::date AND {1}::timestamp::date
      AND r.slot_date + r.slot_time BETWEEN {0}::timestamp AND {1}::timestamp)

-- name: phone_directory_prefix
AND c.wa_id LIKE {}::text || '%'

-- name: phone_directory_order
-- Real names first by lower(name), then the rest by wa_id; wa_id breaks ties (quirk 12). Matches the
-- expression index idx_customers_directory_order.
ORDER BY NOT customer_is_registered(c.customer_name, c.wa_id),
         CASE WHEN customer_is_registered(c.customer_name, c.wa_id) THEN lower(c.customer_name) END,
         c.wa_id

-- name: phone_status_counts
SELECT count(*) FILTER (WHERE customer_is_registered(customer_name, wa_id)) AS registered,
       count(*) FILTER (WHERE NOT customer_is_registered(customer_name, wa_id)) AS unknown,
       count(*) FILTER (WHERE is_blocked) AS blocked
FROM customers;

-- name: phone_prefix_counts
-- Digit-only wa_ids grouped by their first three digits and length: calling codes are prefix-free and at
-- most three digits, so this is enough to count single-region countries without parsing every number.
SELECT left(wa_id, 3) AS prefix, length(wa_id) AS digits, count(*) AS customers
FROM customers
WHERE wa_id ~ '^[0-9]+$'
GROUP BY 1, 2;

-- name: phone_wa_ids_with_prefix
SELECT wa_id FROM customers WHERE wa_id LIKE $1::text || '%' AND wa_id ~ '^[0-9]+$';

-- name: phone_irregular_wa_ids
SELECT wa_id FROM customers WHERE wa_id !~ '^[0-9]+$';

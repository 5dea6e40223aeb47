-- 0830_contact_item_json: the /phone/* result item (actors/customers/wire.py contact_item) built by PostgreSQL.
--
-- /phone/recent, /phone/all and a small directory's /phone/search send their page as one JSON array assembled by
-- the statement itself: building and encoding each item in Python was a third of those routes' time. Both
-- functions are plain SQL, inlined into the statements that call them (STABLE, like to_char and
-- json_build_object inside).

-- A timestamp as Python's isoformat() writes it: seconds always, microseconds only when there are any.
CREATE FUNCTION naive_iso(value timestamp) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(value, 'YYYY-MM-DD"T"HH24:MI:SS')
           || CASE WHEN date_trunc('second', value) = value THEN '' ELSE to_char(value, '.US') END
$$;

-- One item, keys in contact_item's order. `last_reservation_at` goes out as naive UTC; a similarity of exactly 1
-- as 1.0 (what Python writes for the float), any other as PostgreSQL's shortest float4 text (float4_value's).
CREATE FUNCTION contact_item_json(wa_id text, customer_name text, last_user_message_at timestamp,
                                  last_reservation_at timestamptz, similarity real, is_favorite boolean,
                                  is_blocked boolean) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object(
        'wa_id', wa_id,
        'customer_name', customer_name,
        'last_message_at', naive_iso(last_user_message_at),
        'last_reservation_at', naive_iso(last_reservation_at AT TIME ZONE 'UTC'),
        'similarity', CASE WHEN similarity = 1 THEN '1.0'::json ELSE to_json(similarity) END,
        'is_favorite', coalesce(is_favorite, false),
        'is_blocked', coalesce(is_blocked, false))
$$;

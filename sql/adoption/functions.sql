-- Conversion functions for adopting a reference database (bin/mawid adopt).
-- They live in the scratch schema mawid_adopt, created at the start of the adoption
-- transaction and dropped at its end (a dry run rolls it back), so nothing stays behind.
-- Each returns NULL for a value it cannot convert instead of raising: a bulk
-- INSERT ... SELECT can then never fail half-way, and the inspection lists those rows.
-- The patterns are the ones of actors/adoption/rules.py; the tests check both agree.
-- Scalar SQL functions without FROM are inlined by the planner (fast on millions of rows).

CREATE SCHEMA mawid_adopt;

-- which legacy form a clock string has (for the dry-run counts)
CREATE FUNCTION mawid_adopt.time_format(raw text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN raw IS NULL THEN 'null'
        WHEN raw ~ '^ *([01]?[0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9] *$' THEN 'HH:MM:SS'
        WHEN raw ~ '^ *([01]?[0-9]|2[0-3]):[0-5][0-9] *$' THEN 'HH:MM'
        WHEN raw ~ '^ *(0?[1-9]|1[0-2]):[0-5][0-9](:[0-5][0-9])? *[AaPp][Mm] *$' THEN '12-hour'
        ELSE 'unparseable'
    END
$$;

-- HH:MM:SS, HH:MM (seconds 00) or h:MM AM/PM (12 AM = 00, 12 PM = 12) -> time
CREATE FUNCTION mawid_adopt.clock_time(raw text) RETURNS time
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        -- fast paths for the forms nearly every row has (substr is much cheaper than regex captures)
        WHEN raw ~ '^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$' THEN
            make_time(substr(raw, 1, 2)::int, substr(raw, 4, 2)::int, substr(raw, 7, 2)::float8)
        WHEN raw ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' THEN
            make_time(substr(raw, 1, 2)::int, substr(raw, 4, 2)::int, 0)
        WHEN raw ~ '^ *([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])? *$' THEN
            make_time(substring(raw FROM '^ *([0-9]+):')::int,
                      substring(raw FROM ':([0-9][0-9])')::int,
                      coalesce(substring(raw FROM ':[0-9][0-9]:([0-9][0-9])'), '0')::float8)
        WHEN raw ~ '^ *(0?[1-9]|1[0-2]):[0-5][0-9](:[0-5][0-9])? *[AaPp][Mm] *$' THEN
            make_time(substring(raw FROM '^ *([0-9]+):')::int % 12
                          + CASE WHEN raw ~ '[Pp][Mm] *$' THEN 12 ELSE 0 END,
                      substring(raw FROM ':([0-9][0-9])')::int,
                      coalesce(substring(raw FROM ':[0-9][0-9]:([0-9][0-9])'), '0')::float8)
    END
$$;

-- YYYY-MM-DD -> date; impossible dates (2026-02-30) give NULL
CREATE FUNCTION mawid_adopt.local_date(raw text) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        -- fast path: a day every month has
        WHEN raw ~ '^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$' THEN
            make_date(substr(raw, 1, 4)::int, substr(raw, 6, 2)::int, substr(raw, 9, 2)::int)
        WHEN raw ~ '^ *[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]) *$' THEN
            CASE
                WHEN substring(raw FROM '-([0-9][0-9]) *$')::int <= 28
                  OR substring(raw FROM '-([0-9][0-9]) *$')::int <= extract(day FROM
                         make_date(substring(raw FROM '^ *([0-9]{4})')::int,
                                   substring(raw FROM '-([0-9][0-9])-')::int, 1)
                         + interval '1 month - 1 day')
                THEN make_date(substring(raw FROM '^ *([0-9]{4})')::int,
                               substring(raw FROM '-([0-9][0-9])-')::int,
                               substring(raw FROM '-([0-9][0-9]) *$')::int)
            END
    END
$$;

-- notification_events.ts_iso (YYYY-MM-DDTHH:MM:SS[.ffffff][Z]) -> UTC instant
CREATE FUNCTION mawid_adopt.utc_stamp(raw text) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN raw ~ '^ *[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|\+00:00)? *$'
        THEN (mawid_adopt.local_date(substring(raw FROM '^ *([0-9-]{10})T'))
              + make_interval(hours => substring(raw FROM 'T([0-9][0-9])')::int,
                              mins => substring(raw FROM 'T[0-9][0-9]:([0-9][0-9])')::int,
                              secs => substring(raw FROM 'T[0-9][0-9]:[0-9][0-9]:([0-9.]+)')::float8)
             ) AT TIME ZONE 'UTC'
    END
$$;

-- JSON stored as text -> jsonb; NULL when it does not parse
CREATE FUNCTION mawid_adopt.json_value(raw text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN raw::jsonb;
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END
$$;

-- Point a target identity past both its max id and the legacy sequence (ids are kept,
-- and an id the reference already handed out is never handed out again).
CREATE FUNCTION mawid_adopt.sync_identity(target text, legacy text, col text) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    target_seq text := pg_get_serial_sequence(target, col);
    legacy_seq text := CASE WHEN to_regclass(legacy) IS NOT NULL THEN pg_get_serial_sequence(legacy, col) END;
    high bigint;
    legacy_high bigint := 0;
BEGIN
    EXECUTE format('SELECT coalesce(max(%I), 0) FROM %s', col, target) INTO high;
    IF legacy_seq IS NOT NULL THEN
        EXECUTE format('SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %s', legacy_seq)
            INTO legacy_high;
    END IF;
    high := greatest(high, legacy_high);
    IF high < 1 THEN
        PERFORM setval(target_seq, 1, false);
    ELSE
        PERFORM setval(target_seq, high, true);
    END IF;
    RETURN high + 1;
END
$$;

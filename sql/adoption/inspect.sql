-- Inspection of a reference database before adoption (bin/mawid adopt, --dry-run).
-- Table names are unqualified: they resolve to the reference's tables in `public`.
-- Functions come from sql/adoption/functions.sql (schema mawid_adopt).

-- name: adoption_detect
SELECT
    to_regclass('public.schema_migrations') IS NOT NULL AS has_ledger,
    (SELECT count(*) FROM pg_tables WHERE schemaname = 'public') AS public_tables,
    EXISTS (SELECT 1 FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = 'reservations' AND column_name = 'time_slot') AS legacy_reservations,
    EXISTS (SELECT 1 FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = 'conversation' AND column_name = 'date'
              AND data_type IN ('character varying', 'text')) AS legacy_conversation,
    to_regclass('public.customers') IS NOT NULL AS has_customers,
    to_regnamespace('mawid_adopt') IS NOT NULL AS has_scratch_schema;

-- name: adoption_complete_legacy_shape
-- Old reference installs may predate some columns or tables (its start-up migration adds
-- them best-effort). Add what is missing, with the reference's own types and defaults, so
-- the conversion reads one shape. Existing tables are only touched when a column is missing.
DO $$
DECLARE
    item text[];
BEGIN
    CREATE TABLE IF NOT EXISTS public.vacation_periods (
        id serial PRIMARY KEY, start_date date NOT NULL, end_date date, duration_days integer, title text,
        created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);
    CREATE TABLE IF NOT EXISTS public.notification_events (
        id serial PRIMARY KEY, event_type varchar NOT NULL, ts_iso varchar NOT NULL, data text NOT NULL,
        created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);
    CREATE TABLE IF NOT EXISTS public.app_config (
        id serial PRIMARY KEY, config_data text NOT NULL,
        created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);
    CREATE TABLE IF NOT EXISTS public.users (
        id uuid PRIMARY KEY, email varchar(320) NOT NULL, hashed_password varchar(1024) NOT NULL,
        is_active boolean NOT NULL, is_superuser boolean NOT NULL, is_verified boolean NOT NULL);
    CREATE TABLE IF NOT EXISTS public.inbound_message_queue (
        id serial PRIMARY KEY, message_id varchar, wa_id varchar, payload text NOT NULL, status varchar NOT NULL,
        attempts integer NOT NULL, created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
        updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, locked_at timestamp);
    FOREACH item SLICE 1 IN ARRAY ARRAY[
        ['customers', 'age', 'integer'],
        ['customers', 'age_recorded_at', 'date'],
        ['customers', 'document', 'json'],
        ['customers', 'is_blocked', 'boolean NOT NULL DEFAULT false'],
        ['customers', 'is_favorite', 'boolean NOT NULL DEFAULT false'],
        ['reservations', 'cancelled_at', 'timestamp'],
        ['vacation_periods', 'end_date', 'date'],
        ['vacation_periods', 'duration_days', 'integer']
    ] LOOP
        IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                       WHERE table_schema = 'public' AND table_name = item[1] AND column_name = item[2]) THEN
            EXECUTE format('ALTER TABLE public.%I ADD COLUMN %I %s', item[1], item[2], item[3]);
        END IF;
    END LOOP;
END
$$;

-- name: adoption_counts_customers
SELECT c.conversion, c.n
FROM (SELECT count(*) AS total,
             count(document) AS documents,
             count(*) FILTER (WHERE age IS NOT NULL) AS ages,
             count(*) FILTER (WHERE age IS NULL AND age_recorded_at IS NOT NULL) AS orphan_dates
      FROM customers) s
CROSS JOIN LATERAL (VALUES
    ('rows', s.total),
    ('document json -> jsonb', s.documents),
    ('age kept with age_recorded_at', s.ages),
    ('age_recorded_at without an age dropped', s.orphan_dates)
) AS c(conversion, n);

-- name: adoption_counts_conversation
-- one pass: the form of each time is computed once per row (GROUP BY), then summed per label
SELECT c.conversion, c.n
FROM (SELECT coalesce(sum(n), 0)::bigint AS total,
             coalesce(sum(dates), 0)::bigint AS dates,
             coalesce(sum(n) FILTER (WHERE form = 'HH:MM:SS'), 0)::bigint AS hms,
             coalesce(sum(n) FILTER (WHERE form = 'HH:MM'), 0)::bigint AS hm,
             coalesce(sum(n) FILTER (WHERE form = '12-hour'), 0)::bigint AS h12,
             coalesce(sum(undated), 0)::bigint AS undated
      FROM (SELECT mawid_adopt.time_format(time) AS form, count(*) AS n, count(date) AS dates,
                   count(*) FILTER (WHERE date IS NULL AND time IS NULL) AS undated
            FROM conversation GROUP BY 1) AS forms) s
CROSS JOIN LATERAL (VALUES
    ('rows', s.total),
    ('date text YYYY-MM-DD -> date', s.dates),
    ('time HH:MM:SS -> time', s.hms),
    ('time HH:MM -> time (seconds 00)', s.hm),
    ('time h:MM AM/PM -> time (24-hour)', s.h12),
    ('date and time both NULL, kept NULL', s.undated)
) AS c(conversion, n);

-- name: adoption_counts_reservations
SELECT c.conversion, c.n
FROM (SELECT coalesce(sum(n), 0)::bigint AS total,
             coalesce(sum(n) FILTER (WHERE form IN ('HH:MM', 'HH:MM:SS')), 0)::bigint AS h24,
             coalesce(sum(n) FILTER (WHERE form = '12-hour'), 0)::bigint AS h12,
             coalesce(sum(backfilled), 0)::bigint AS backfilled,
             coalesce(sum(stale), 0)::bigint AS stale
      FROM (SELECT mawid_adopt.time_format(time_slot) AS form, count(*) AS n,
                   count(*) FILTER (WHERE status = 'cancelled' AND cancelled_at IS NULL) AS backfilled,
                   count(*) FILTER (WHERE status = 'active' AND cancelled_at IS NOT NULL) AS stale
            FROM reservations GROUP BY 1) AS forms) s
CROSS JOIN LATERAL (VALUES
    ('rows', s.total),
    ('date text YYYY-MM-DD -> date', s.total),
    ('time_slot 24-hour -> time', s.h24),
    ('time_slot 12-hour h:MM AM/PM -> time (24-hour)', s.h12),
    ('naive UTC timestamps -> timestamptz', s.total),
    ('cancelled without cancelled_at: set to updated_at', s.backfilled),
    ('active with a stale cancelled_at: cleared', s.stale)
) AS c(conversion, n);

-- name: adoption_counts_small_tables
SELECT 'vacation_periods' AS tbl, c.conversion, c.n
FROM (SELECT count(*) AS total,
             count(end_date) AS ends,
             count(*) FILTER (WHERE end_date IS NULL AND duration_days IS NOT NULL) AS durations,
             count(*) FILTER (WHERE end_date IS NULL AND duration_days IS NULL) AS one_day
      FROM vacation_periods) s
CROSS JOIN LATERAL (VALUES
    ('rows', s.total),
    ('end_date kept', s.ends),
    ('end_date = start_date + duration_days - 1 (legacy duration_days)', s.durations),
    ('end_date = start_date (no end, no duration: one day)', s.one_day)
) AS c(conversion, n)
UNION ALL
SELECT 'notification_events', c.conversion, c.n
FROM (SELECT count(*) AS total FROM notification_events) s
CROSS JOIN LATERAL (VALUES
    ('rows', s.total),
    ('ts_iso text -> ts timestamptz', s.total),
    ('data JSON text -> jsonb', s.total)
) AS c(conversion, n)
UNION ALL
SELECT 'inbound_message_queue', c.conversion, c.n
FROM (SELECT count(*) AS total FROM inbound_message_queue) s
CROSS JOIN LATERAL (VALUES
    ('rows', s.total),
    ('payload JSON text -> jsonb', s.total)
) AS c(conversion, n);

-- name: adoption_problems_customers
SELECT wa_id AS key, 'wa_id' AS col, wa_id AS value, 'empty wa_id' AS reason
FROM customers WHERE btrim(wa_id) = ''
UNION ALL
SELECT wa_id, 'age', age::text, 'age outside 0..120'
FROM customers WHERE age NOT BETWEEN 0 AND 120;

-- name: adoption_problems_conversation
-- one scan finds the rows with any problem; only those are then classified
SELECT c.id AS key, p.col, p.value, p.reason
FROM (SELECT id, date, time, role FROM conversation
      WHERE (date IS NOT NULL AND mawid_adopt.local_date(date) IS NULL)
         OR (time IS NOT NULL AND mawid_adopt.clock_time(time) IS NULL)
         OR ((date IS NULL) <> (time IS NULL))
         OR role IS NULL OR role = '') AS c
CROSS JOIN LATERAL (VALUES
    ('date', c.date, 'unparseable date', c.date IS NOT NULL AND mawid_adopt.local_date(c.date) IS NULL),
    ('time', c.time, 'unparseable time', c.time IS NOT NULL AND mawid_adopt.clock_time(c.time) IS NULL),
    ('time', NULL, 'date without time', c.date IS NOT NULL AND c.time IS NULL),
    ('date', NULL, 'time without date', c.date IS NULL AND c.time IS NOT NULL),
    ('role', c.role, 'missing role', c.role IS NULL OR c.role = '')
) AS p(col, value, reason, bad)
WHERE p.bad
UNION ALL
SELECT id, 'wa_id', wa_id, 'customer does not exist'
FROM conversation c
WHERE NOT EXISTS (SELECT 1 FROM customers WHERE customers.wa_id = c.wa_id);

-- name: adoption_problems_reservations
SELECT r.id AS key, p.col, p.value, p.reason
FROM (SELECT id, date, time_slot, type, status FROM reservations
      WHERE mawid_adopt.local_date(date) IS NULL
         OR mawid_adopt.clock_time(time_slot) IS NULL
         OR extract(second FROM mawid_adopt.clock_time(time_slot)) <> 0
         OR type IS NULL OR type NOT IN (0, 1)
         OR status IS NULL OR status NOT IN ('active', 'cancelled')) AS r
CROSS JOIN LATERAL (VALUES
    ('date', r.date, 'unparseable date', mawid_adopt.local_date(r.date) IS NULL),
    ('time_slot', r.time_slot, 'unparseable time', mawid_adopt.clock_time(r.time_slot) IS NULL),
    ('time_slot', r.time_slot, 'time_slot has seconds', extract(second FROM mawid_adopt.clock_time(r.time_slot)) <> 0),
    ('type', r.type::text, 'type is neither 0 nor 1', r.type IS NULL OR r.type NOT IN (0, 1)),
    ('status', r.status, 'status is neither active nor cancelled',
     r.status IS NULL OR r.status NOT IN ('active', 'cancelled'))
) AS p(col, value, reason, bad)
WHERE p.bad
UNION ALL
SELECT id, 'wa_id', wa_id, 'customer does not exist'
FROM reservations r
WHERE NOT EXISTS (SELECT 1 FROM customers WHERE customers.wa_id = r.wa_id);

-- name: adoption_problems_small_tables
SELECT 'vacation_periods' AS tbl, id::text AS key, 'end_date' AS col, end_date::text AS value,
       'end_date before start_date' AS reason
FROM vacation_periods WHERE end_date < start_date
UNION ALL
SELECT 'vacation_periods', id::text, 'duration_days', duration_days::text, 'duration_days below 1'
FROM vacation_periods WHERE end_date IS NULL AND duration_days < 1
UNION ALL
SELECT 'notification_events', id::text, 'ts_iso', ts_iso, 'unparseable ts_iso'
FROM notification_events WHERE mawid_adopt.utc_stamp(ts_iso) IS NULL
UNION ALL
SELECT 'notification_events', id::text, 'event_type', event_type, 'empty event_type'
FROM notification_events WHERE event_type = ''
UNION ALL
SELECT 'inbound_message_queue', id::text, 'payload', left(payload, 200), 'invalid JSON'
FROM inbound_message_queue WHERE mawid_adopt.json_value(payload) IS NULL
UNION ALL
SELECT 'inbound_message_queue', id::text, 'status', status, 'status is not pending/processing/done/failed'
FROM inbound_message_queue WHERE status NOT IN ('pending', 'processing', 'done', 'failed')
UNION ALL
SELECT 'inbound_message_queue', id::text, 'locked_at', NULL, 'processing without locked_at'
FROM inbound_message_queue WHERE status = 'processing' AND locked_at IS NULL
UNION ALL
SELECT 'inbound_message_queue', id::text, 'attempts', attempts::text, 'negative attempts'
FROM inbound_message_queue WHERE attempts < 0
UNION ALL
SELECT 'users', u.id::text, 'email', u.email, 'email duplicates another user (case-insensitive)'
FROM users u
WHERE EXISTS (SELECT 1 FROM users o WHERE lower(o.email) = lower(u.email) AND o.id <> u.id)
UNION ALL
-- a table of the clinic's own that points at a reference table would silently lose its
-- foreign key when the reference tables are replaced
SELECT c.conrelid::regclass::text, c.conname, 'foreign key', pg_get_constraintdef(c.oid),
       'references a table that adoption replaces; drop or move this constraint first'
FROM pg_constraint c
WHERE c.contype = 'f'
  AND c.confrelid::regclass::text = ANY (ARRAY['customers', 'conversation', 'reservations', 'vacation_periods',
                                              'notification_events', 'app_config', 'users', 'inbound_message_queue'])
  AND c.conrelid::regclass::text <> ALL (ARRAY['customers', 'conversation', 'reservations', 'vacation_periods',
                                               'notification_events', 'app_config', 'users', 'inbound_message_queue']);

-- name: adoption_newest_config
SELECT id, config_data, created_at, updated_at, (SELECT count(*) FROM app_config) AS total
FROM app_config ORDER BY id DESC LIMIT 1;

-- name: adoption_users
SELECT id, email, hashed_password, is_active, is_superuser, is_verified FROM users ORDER BY email;

-- name: adoption_lock_legacy_tables
-- Writers wait until the adoption ends (readers go on until the tables move).
LOCK TABLE customers, conversation, reservations, vacation_periods, notification_events,
           app_config, users, inbound_message_queue IN EXCLUSIVE MODE;

-- name: adoption_problems_notification_data
-- the fast check: one cast per row; raises if any row is not JSON at all (then the slow one runs)
SELECT id::text AS key, left(data, 200) AS value
FROM notification_events WHERE jsonb_typeof(data::jsonb) <> 'object';

-- name: adoption_problems_notification_data_slow
SELECT id::text AS key, left(data, 200) AS value
FROM notification_events WHERE jsonb_typeof(mawid_adopt.json_value(data)) IS DISTINCT FROM 'object';

-- The conversion of a reference database into Mawid's schema (bin/mawid adopt), run in
-- one transaction after the inspection found nothing it cannot convert. The reference's
-- tables are first moved into the scratch schema mawid_adopt (their indexes, constraints
-- and sequences move with them, so Mawid's names are free), Mawid's core migrations then
-- create the new tables in `public`, and these statements copy the rows across.
-- Chunked statements take $1 = last key copied, $2 = chunk size, and return
-- (moved, last) so the caller can show progress and continue.

-- name: adoption_move_legacy_tables
DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['customers', 'conversation', 'reservations', 'vacation_periods',
                                'notification_events', 'app_config', 'users', 'inbound_message_queue'] LOOP
        EXECUTE format('ALTER TABLE public.%I SET SCHEMA mawid_adopt', name);
    END LOOP;
    -- Mawid's migration recreates it (as an inlinable SQL function); the legacy
    -- expression index that used it goes with it.
    DROP FUNCTION IF EXISTS public.normalize_arabic(text) CASCADE;
END
$$;

-- name: adoption_copy_customers
WITH moved AS (
    INSERT INTO public.customers (wa_id, customer_name, age, age_recorded_at, document,
                                  is_blocked, is_favorite, created_at, updated_at)
    SELECT wa_id, customer_name, age,
           CASE WHEN age IS NOT NULL THEN age_recorded_at END,
           document::jsonb, coalesce(is_blocked, false), coalesce(is_favorite, false), now(), now()
    FROM mawid_adopt.customers
    WHERE wa_id > $1
    ORDER BY wa_id
    LIMIT $2
    RETURNING wa_id
)
SELECT count(*) AS moved, max(wa_id) AS last FROM moved;

-- name: adoption_copy_conversation
-- created_at (new in Mawid) is the message's own local date and time in the business zone ($3).
WITH moved AS (
    INSERT INTO public.conversation (id, wa_id, role, message, local_date, local_time, created_at)
    SELECT id, wa_id, role, message, d, t, coalesce((d + t) AT TIME ZONE $3::text, now())
    FROM (SELECT id, wa_id, role, message,
                 mawid_adopt.local_date(date) AS d, mawid_adopt.clock_time(time) AS t
          FROM mawid_adopt.conversation
          WHERE id > $1::bigint
          ORDER BY id
          LIMIT $2) AS legacy
    RETURNING id
)
SELECT count(*) AS moved, max(id) AS last FROM moved;

-- name: adoption_copy_reservations
WITH moved AS (
    INSERT INTO public.reservations (id, wa_id, slot_date, slot_time, type, status,
                                     cancelled_at, created_at, updated_at)
    SELECT id, wa_id, mawid_adopt.local_date(date), mawid_adopt.clock_time(time_slot), type, status,
           CASE WHEN status = 'cancelled' THEN coalesce(cancelled_at, updated_at) AT TIME ZONE 'UTC' END,
           created_at AT TIME ZONE 'UTC', updated_at AT TIME ZONE 'UTC'
    FROM mawid_adopt.reservations
    WHERE id > $1::bigint
    ORDER BY id
    LIMIT $2
    RETURNING id
)
SELECT count(*) AS moved, max(id) AS last FROM moved;

-- name: adoption_copy_notification_events
WITH moved AS (
    INSERT INTO public.notification_events (id, event_type, ts, data, created_at)
    -- a plain cast: the inspection proved every row parses, and writers are locked out since
    SELECT id, event_type, mawid_adopt.utc_stamp(ts_iso), data::jsonb,
           created_at AT TIME ZONE 'UTC'
    FROM mawid_adopt.notification_events
    WHERE id > $1::bigint
    ORDER BY id
    LIMIT $2
    RETURNING id
)
SELECT count(*) AS moved, max(id) AS last FROM moved;

-- name: adoption_copy_vacation_periods
INSERT INTO public.vacation_periods (id, start_date, end_date, title, created_at, updated_at)
SELECT id, start_date,
       coalesce(end_date, start_date + (coalesce(duration_days, 1) - 1)),
       title, created_at AT TIME ZONE 'UTC', updated_at AT TIME ZONE 'UTC'
FROM mawid_adopt.vacation_periods
ORDER BY id;

-- name: adoption_copy_inbound_message_queue
INSERT INTO public.inbound_message_queue (id, message_id, wa_id, payload, status, attempts,
                                          created_at, updated_at, locked_at)
SELECT id, message_id, wa_id, payload::jsonb, status, attempts,
       created_at AT TIME ZONE 'UTC', updated_at AT TIME ZONE 'UTC', locked_at AT TIME ZONE 'UTC'
FROM mawid_adopt.inbound_message_queue
ORDER BY id;

-- name: adoption_insert_config
INSERT INTO public.app_config (id, config, created_at, updated_at)
VALUES ($1, $2::jsonb, $3, $4);

-- name: adoption_insert_user
INSERT INTO public.users (id, email, hashed_password, is_active, is_superuser, is_verified, role)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: adoption_sync_identities
SELECT t.name, mawid_adopt.sync_identity('public.' || t.name, 'mawid_adopt.' || t.name, 'id') AS next_id
FROM unnest(ARRAY['conversation', 'reservations', 'vacation_periods', 'notification_events',
                  'app_config', 'inbound_message_queue']) AS t(name);

-- name: adoption_secondary_objects
-- Non-constraint indexes and foreign keys of the big tables: dropped during the bulk copy
-- and rebuilt once at the end (much faster than maintaining them row by row).
SELECT 'index' AS kind, i.indexrelid::regclass::text AS name, NULL::text AS tbl,
       pg_get_indexdef(i.indexrelid) AS ddl
FROM pg_index i
WHERE i.indrelid = ANY ($1::regclass[])
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
UNION ALL
SELECT 'foreign key', conname, conrelid::regclass::text, pg_get_constraintdef(oid)
FROM pg_constraint
WHERE contype = 'f' AND conrelid = ANY ($1::regclass[]);

-- name: adoption_drop_scratch
DROP SCHEMA mawid_adopt CASCADE;

-- name: adoption_record_comment
COMMENT ON TABLE schema_migrations IS 'Mawid migrations; core schema adopted from a reference database by bin/mawid adopt';

-- name: adoption_identity_positions
-- `import`: where the adopted scratch database's identities stand (NULL = never used)
SELECT t.name, s.last_value
FROM unnest(ARRAY['conversation', 'reservations', 'vacation_periods', 'notification_events',
                  'app_config', 'inbound_message_queue']) AS t(name)
JOIN pg_sequences s ON s.schemaname || '.' || s.sequencename = pg_get_serial_sequence('public.' || t.name, 'id');

-- name: adoption_set_identity
SELECT setval(pg_get_serial_sequence('public.' || $1::text, 'id'), $2::bigint);

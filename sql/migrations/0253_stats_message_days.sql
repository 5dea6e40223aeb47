-- 0253_stats_message_days: /stats' message blocks (hour heat map, word counts, lengths; spec 30 §5) from a
-- per-day cache instead of every message of the window.
--
-- Words are counted by the dashboard's tokenizer, which is Python (its \w and digit classes are Python's), so
-- the cache is filled by the reader (actors/customers/message_days.py), not by triggers: a day's summary is
-- computed once and reused until a change of that day's messages invalidates it.
--
-- Invalidation is versioned so that a summary computed from an old snapshot is never taken for current:
-- every statement that changes a past day's messages stamps that day in stats_message_day_changes with a
-- fresh value of a sequence (in the same transaction as the change); a cached day is valid only while its
-- day_version equals that stamp (0: never stamped). TRUNCATE cannot say which days it emptied, so it stamps
-- the epoch row (local_date = '-infinity') instead, and every cached day also records the epoch it saw.
--
-- Live days are neither stamped nor cached: stamping the current day would take a row lock per message
-- insert, serialising the busiest writes. Triggers stamp days before (UTC today - 1); the reader caches only
-- days before (UTC today - 2), so a write left unstamped because its day was live when it ran would have to
-- stay uncommitted for a day to be missed.

CREATE SEQUENCE stats_message_day_versions;

CREATE TABLE stats_message_day_changes (
    local_date date   PRIMARY KEY,
    version    bigint NOT NULL
);

CREATE TABLE stats_message_days (
    local_date  date      PRIMARY KEY,
    day_version bigint    NOT NULL,
    epoch       bigint    NOT NULL,
    messages    integer   NOT NULL,
    tokens      bigint    NOT NULL,  -- words of 3+ characters, every role (tool included)
    chars       bigint    NOT NULL,
    hours       integer[] NOT NULL   -- messages per hour of the day, 0..23
);

-- A day's word counts per role (tool messages excluded), with the day's order of first appearance.
CREATE TABLE stats_message_day_words (
    local_date date    NOT NULL REFERENCES stats_message_days ON DELETE CASCADE,
    role       text    NOT NULL,
    word       text    NOT NULL,
    n          integer NOT NULL,
    first_seen integer NOT NULL,
    PRIMARY KEY (local_date, role, word)
);

CREATE FUNCTION stats_message_days_stamp(days date[]) RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO stats_message_day_changes AS c (local_date, version)
    SELECT d, nextval('stats_message_day_versions')
    FROM (SELECT DISTINCT d FROM unnest(days) AS d
          WHERE d < (now() AT TIME ZONE 'UTC')::date - 1
          ORDER BY d) AS past
    ON CONFLICT (local_date) DO UPDATE SET version = excluded.version;
$$;

CREATE FUNCTION stats_message_days_after_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_message_days_stamp(ARRAY(SELECT DISTINCT local_date FROM inserted WHERE local_date IS NOT NULL));
    RETURN NULL;
END
$$;

CREATE FUNCTION stats_message_days_after_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_message_days_stamp(ARRAY(
        SELECT local_date FROM before_rows WHERE local_date IS NOT NULL
        UNION
        SELECT local_date FROM after_rows WHERE local_date IS NOT NULL));
    RETURN NULL;
END
$$;

CREATE FUNCTION stats_message_days_after_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_message_days_stamp(ARRAY(SELECT DISTINCT local_date FROM deleted WHERE local_date IS NOT NULL));
    RETURN NULL;
END
$$;

CREATE FUNCTION stats_message_days_after_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_message_day_changes AS c (local_date, version)
    VALUES ('-infinity', nextval('stats_message_day_versions'))
    ON CONFLICT (local_date) DO UPDATE SET version = excluded.version;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_stats_message_days_insert
    AFTER INSERT ON conversation REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION stats_message_days_after_insert();
CREATE TRIGGER trg_stats_message_days_update
    AFTER UPDATE ON conversation REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_message_days_after_update();
CREATE TRIGGER trg_stats_message_days_delete
    AFTER DELETE ON conversation REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION stats_message_days_after_delete();
CREATE TRIGGER trg_stats_message_days_truncate
    AFTER TRUNCATE ON conversation
    FOR EACH STATEMENT EXECUTE FUNCTION stats_message_days_after_truncate();

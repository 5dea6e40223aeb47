-- 0255_stats_window_cache: /stats' per-customer aggregate of a settled window, computed once.
--
-- The per-customer aggregate (stats_customers) needs every customer's sums over an arbitrary window, so no
-- per-day rollup answers it; at a million customers it is the costliest part of /stats, and every request
-- computes it twice (its window and the previous one, which is always in the past). A window whose days are
-- all settled is cached under a token: the stamps (0253's stats_message_day_changes) of its days and the
-- epoch, hashed. 0253 stamps a past day when its messages change; the triggers below stamp it when its
-- reservations change, so any change inside a settled window changes its token. Live days are never
-- stamped, so a window is cached only when it ends before UTC today - 2 (the reader checks).

CREATE TABLE stats_window_cache (
    key        text        NOT NULL,  -- the query and its other parameters
    start_date date        NOT NULL,
    end_date   date        NOT NULL,
    token      text        NOT NULL,
    result     jsonb       NOT NULL,
    stored_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key, start_date, end_date)
);

CREATE FUNCTION stats_days_reservations_after_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_message_days_stamp(ARRAY(SELECT DISTINCT slot_date FROM inserted));
    RETURN NULL;
END
$$;

CREATE FUNCTION stats_days_reservations_after_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_message_days_stamp(ARRAY(
        SELECT slot_date FROM before_rows UNION SELECT slot_date FROM after_rows));
    RETURN NULL;
END
$$;

CREATE FUNCTION stats_days_reservations_after_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_message_days_stamp(ARRAY(SELECT DISTINCT slot_date FROM deleted));
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_stats_days_reservations_insert
    AFTER INSERT ON reservations REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION stats_days_reservations_after_insert();
CREATE TRIGGER trg_stats_days_reservations_update
    AFTER UPDATE ON reservations REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_days_reservations_after_update();
CREATE TRIGGER trg_stats_days_reservations_delete
    AFTER DELETE ON reservations REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION stats_days_reservations_after_delete();
-- TRUNCATE cannot say which days it emptied: a new epoch, as for conversation (0253).
CREATE TRIGGER trg_stats_days_reservations_truncate
    AFTER TRUNCATE ON reservations
    FOR EACH STATEMENT EXECUTE FUNCTION stats_message_days_after_truncate();

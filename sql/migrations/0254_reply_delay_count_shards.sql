-- 0254_reply_delay_count_shards: spread 0252's reply-delay histogram over 16 rows per key.
--
-- Replies that take the same number of seconds on the same day (an LLM answers in a steady 2-3 s) all
-- incremented one row, and each writer held that row's lock until its turn's transaction committed: every
-- assistant message of the moment waited for the previous one (measured: the busiest wait of the inbound
-- workers under load). Each statement now adds its delta to the shard of its own database session
-- (pg_backend_pid() % 16), so concurrent writers rarely meet; readers sum the shards of a key. A shard's n
-- may go negative (a pair counted in one shard, removed through another); only the sum per key means
-- anything, and it never does.

ALTER TABLE conversation_reply_delay_counts ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE conversation_reply_delay_counts DROP CONSTRAINT conversation_reply_delay_counts_pkey;
ALTER TABLE conversation_reply_delay_counts ADD PRIMARY KEY (reply_date, prompt_date, seconds, shard);

CREATE FUNCTION reply_delay_counts_apply(deltas jsonb) RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO conversation_reply_delay_counts AS h (reply_date, prompt_date, seconds, shard, n)
    SELECT x.reply_date, x.prompt_date, x.seconds, pg_backend_pid() % 16, x.n
    FROM jsonb_to_recordset(deltas) AS x(reply_date date, prompt_date date, seconds integer, n integer)
    WHERE x.n <> 0
    ORDER BY x.reply_date, x.prompt_date, x.seconds
    ON CONFLICT (reply_date, prompt_date, seconds, shard) DO UPDATE SET n = h.n + excluded.n;
$$;

CREATE OR REPLACE FUNCTION reply_delay_counts_after_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO conversation_reply_delay_counts AS h (reply_date, prompt_date, seconds, shard, n)
    SELECT reply_date, prompt_date, seconds, pg_backend_pid() % 16, count(*)
    FROM inserted
    GROUP BY reply_date, prompt_date, seconds
    ORDER BY reply_date, prompt_date, seconds
    ON CONFLICT (reply_date, prompt_date, seconds, shard) DO UPDATE SET n = h.n + excluded.n;
    RETURN NULL;
END
$$;

-- Removals keep 0252's advisory lock: a customer's pairs are rewritten in two statements (delete, insert).
CREATE OR REPLACE FUNCTION reply_delay_counts_after_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM deleted) THEN
        PERFORM pg_advisory_xact_lock(hashtext('mawid:conversation_reply_delay_counts'));
        PERFORM reply_delay_counts_apply((
            SELECT jsonb_agg(jsonb_build_object('reply_date', reply_date, 'prompt_date', prompt_date,
                                                'seconds', seconds, 'n', -n))
            FROM (SELECT reply_date, prompt_date, seconds, count(*) AS n
                  FROM deleted GROUP BY reply_date, prompt_date, seconds) AS gone));
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION reply_delay_counts_after_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM before_rows) THEN
        PERFORM pg_advisory_xact_lock(hashtext('mawid:conversation_reply_delay_counts'));
        PERFORM reply_delay_counts_apply(coalesce((
            SELECT jsonb_agg(jsonb_build_object('reply_date', reply_date, 'prompt_date', prompt_date,
                                                'seconds', seconds, 'n', n))
            FROM (SELECT reply_date, prompt_date, seconds, sum(n) AS n
                  FROM (SELECT reply_date, prompt_date, seconds, 1 AS n FROM after_rows
                        UNION ALL
                        SELECT reply_date, prompt_date, seconds, -1 FROM before_rows) AS change
                  GROUP BY reply_date, prompt_date, seconds) AS net), '[]'));
    END IF;
    RETURN NULL;
END
$$;

-- 0258_reply_delay_removal_lock_per_shard: removals from the reply-delay histogram lock their own shard only.
--
-- 0252 serialised every removal (a customer's pairs rewritten: a back-dated message, an edit, a delete) behind
-- one advisory lock held to the end of the transaction, because a removal locks histogram rows in two
-- statements (take away, add back) and two such transactions could lock the same rows in opposite orders.
-- Since 0254 a session only ever writes the rows of its own shard (pg_backend_pid() % 16), so only removals
-- of the same shard can meet; the lock is now per shard. It mattered: a customer's message stored after the
-- reply to their previous one is back-dated (WhatsApp's timestamp is earlier), which is every message that
-- waited in the inbound queue, and under load the inbound workers spent most of their time waiting here.
-- Single-statement additions (reply_delay_counts_after_insert) lock their rows in key order and take no lock.

CREATE OR REPLACE FUNCTION reply_delay_counts_after_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM deleted) THEN
        PERFORM pg_advisory_xact_lock(hashtext('mawid:conversation_reply_delay_counts'), pg_backend_pid() % 16);
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
        PERFORM pg_advisory_xact_lock(hashtext('mawid:conversation_reply_delay_counts'), pg_backend_pid() % 16);
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

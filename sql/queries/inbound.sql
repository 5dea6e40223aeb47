-- The durable inbound WhatsApp queue (inbound_message_queue).

-- name: inbound_enqueue
-- One row per message of a delivery, skipping blocked senders and message ids already
-- queued. $1 message ids, $2 wa_ids, $3 payloads (json text), $4 trace contexts (json
-- text or NULL, migration 0800), all of the same length.
-- Returns the rows actually inserted, and for the others why they were skipped.
WITH incoming AS (
    SELECT m.ord, m.message_id, m.wa_id, m.payload, m.trace_context
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
         WITH ORDINALITY AS m(message_id, wa_id, payload, trace_context, ord)
), allowed AS (
    SELECT i.* FROM incoming i
    WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.wa_id = i.wa_id AND c.is_blocked)
), inserted AS (
    INSERT INTO inbound_message_queue (message_id, wa_id, payload, trace_context)
    SELECT message_id, wa_id, payload::jsonb, trace_context::jsonb FROM allowed ORDER BY ord
    ON CONFLICT (message_id) WHERE message_id IS NOT NULL DO NOTHING
    RETURNING id, message_id
)
SELECT i.message_id,
       ins.id AS queue_id,
       CASE WHEN ins.id IS NOT NULL THEN 'queued'
            WHEN a.ord IS NULL THEN 'blocked'
            ELSE 'duplicate' END AS outcome,
       -- wake the workers of every process (LISTEN mawid_inbound) once per delivery that queued something
       (SELECT count(pg_notify('mawid_inbound', '')) FROM (SELECT 1 FROM inserted LIMIT 1) one) AS notified
FROM incoming i
LEFT JOIN allowed a ON a.ord = i.ord
LEFT JOIN inserted ins ON ins.message_id IS NOT DISTINCT FROM i.message_id AND a.ord IS NOT NULL
ORDER BY i.ord;

-- name: inbound_mark_blocked
-- Marks up to $1 pending rows, oldest first, that wait behind an earlier unfinished message of
-- their customer (migration 0402), so that claims skip them until that message finishes (its
-- trigger clears the marks). A message ahead is locked FOR SHARE: it cannot finish while this
-- statement marks, and one that finished meanwhile is re-checked on its latest version and
-- found finished. SKIP LOCKED: a message ahead that another transaction holds (a lease renewal,
-- a completion) is passed over for the next one ahead, or the row is left unmarked this time;
-- waiting there while holding other rows deadlocked with lease renewals. Any unfinished message
-- ahead that stays locked until the mark commits is enough: the mark is cleared when it finishes.
-- One marking at a time across processes (the advisory lock is tried, never waited for: a claim
-- goes on without marking), so markings never wait on each other's rows.
WITH gate AS (
    SELECT pg_try_advisory_xact_lock(hashtext('mawid:inbound_mark_blocked')) AS ours
), unmarked AS (
    SELECT q.id, q.wa_id
    FROM inbound_message_queue q
    WHERE q.status = 'pending' AND NOT q.blocked AND (SELECT ours FROM gate)
    ORDER BY q.id
    LIMIT $1
), waiting AS (
    SELECT u.id
    FROM unmarked u
    CROSS JOIN LATERAL (
        SELECT e.id
        FROM inbound_message_queue e
        WHERE e.wa_id = u.wa_id AND e.id < u.id AND e.status IN ('pending', 'processing')
        ORDER BY e.id
        LIMIT 1
        FOR SHARE SKIP LOCKED
    ) ahead
)
UPDATE inbound_message_queue q
SET blocked = true
FROM waiting
WHERE q.id = waiting.id AND q.status = 'pending' AND NOT q.blocked;

-- name: inbound_claim
-- Up to $1 rows that are due, oldest first, each the earliest unfinished message of its
-- customer (per-customer order), plus processing rows whose lease ($2 seconds) expired.
-- Pending rows marked `blocked` (inbound_mark_blocked) are not looked at. SKIP LOCKED lets
-- several workers and processes claim side by side; the conditions on the row itself are
-- re-checked on its latest version once it is locked. $3: rows this process still holds,
-- never taken over by itself even if its heartbeat was late.
WITH candidate AS (
    SELECT q.id
    -- found through the two partial indexes first, then looked up by id: the rows in progress
    -- and the rows marked waiting are never read, whatever the planner's statistics say
    FROM unnest(ARRAY(
             SELECT p.id FROM inbound_message_queue p
             WHERE p.status = 'pending' AND NOT p.blocked AND p.available_at <= now()
             UNION ALL
             SELECT s.id FROM inbound_message_queue s
             WHERE s.status = 'processing' AND s.locked_at < now() - make_interval(secs => $2))) AS due(id)
    JOIN inbound_message_queue q ON q.id = due.id
    WHERE ((q.status = 'pending' AND NOT q.blocked AND q.available_at <= now())
           OR (q.status = 'processing' AND q.locked_at < now() - make_interval(secs => $2)
               AND NOT q.id = ANY($3::bigint[])))
      -- nothing earlier of the customer unfinished, and nothing of theirs in progress at all: with several
      -- webhook processes a later message can commit first (ids are taken at insert, not at commit), be
      -- claimed, and an earlier one appear behind it; that one then waits for it rather than running beside it
      AND NOT EXISTS (
          SELECT 1 FROM inbound_message_queue e
          WHERE e.wa_id = q.wa_id AND e.id <> q.id
            AND (e.status = 'processing' OR (e.id < q.id AND e.status = 'pending')))
    ORDER BY q.id
    LIMIT $1
    FOR UPDATE OF q SKIP LOCKED
)
UPDATE inbound_message_queue q
SET status = 'processing', locked_at = now(), updated_at = now(), attempts = q.attempts + 1,
    lease_token = gen_random_uuid()
FROM candidate
WHERE q.id = candidate.id
RETURNING q.id, q.message_id, q.wa_id, q.payload, q.attempts, q.lease_token, q.trace_context;

-- name: inbound_renew_leases
UPDATE inbound_message_queue
SET locked_at = now()
WHERE id = ANY($1::bigint[]) AND status = 'processing';

-- name: inbound_complete
UPDATE inbound_message_queue
SET status = 'done', locked_at = NULL, lease_token = NULL, done_at = now(), updated_at = now(), last_error = NULL
WHERE id = $1 AND lease_token = $2 AND status = 'processing'
RETURNING id;

-- name: inbound_fail
-- $3 error text, $4 max attempts, $5 backoff seconds before the next attempt.
UPDATE inbound_message_queue
SET status = CASE WHEN attempts >= $4 THEN 'failed' ELSE 'pending' END,
    locked_at = NULL, lease_token = NULL, last_error = $3, updated_at = now(),
    available_at = now() + make_interval(secs => $5)
WHERE id = $1 AND lease_token = $2 AND status = 'processing'
RETURNING status, attempts;

-- name: inbound_defer
-- Back to pending for $4 seconds without using up an attempt: the turn could not go on yet
-- (a reply part in doubt waits for its status callback). $3 says why.
UPDATE inbound_message_queue
SET status = 'pending', attempts = greatest(attempts - 1, 0), locked_at = NULL, lease_token = NULL,
    last_error = $3, updated_at = now(), available_at = now() + make_interval(secs => $4)
WHERE id = $1 AND lease_token = $2 AND status = 'processing'
RETURNING status, attempts;

-- name: inbound_queue_gauges
SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
       count(*) FILTER (WHERE status = 'processing') AS processing,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending')), 0)::float8
           AS oldest_age
FROM inbound_message_queue
WHERE status IN ('pending', 'processing', 'failed');

-- name: inbound_rows_by_status
SELECT id, message_id, wa_id, status, attempts, last_error, created_at, updated_at
FROM inbound_message_queue
WHERE status = $1
ORDER BY id
LIMIT $2;

-- name: inbound_retry_failed
-- Put failed rows back (all when $1 is null) for another round of attempts.
UPDATE inbound_message_queue
SET status = 'pending', attempts = 0, available_at = now(), updated_at = now()
WHERE status = 'failed' AND ($1::bigint IS NULL OR id = $1)
RETURNING id;

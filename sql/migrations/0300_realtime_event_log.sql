-- 0300_realtime_event_log: the global, ordered log of broadcast events (spec 40 §7, docs/realtime.md).
-- `seq` is the event's sequence number on the wire: one identity for every process, so it is
-- global and monotonic. Rows are the replay buffer a reconnecting dashboard catches up from
-- (pruned to a recent window) and the memory of the reservation de-duplication window
-- (`dedup_key`, `dedup_state`, `dedup_priority`, spec 40 §7.2), shared by every process.
CREATE TABLE realtime_events (
    seq             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_type      text        NOT NULL CHECK (event_type <> ''),
    envelope        json        NOT NULL CHECK (json_typeof(envelope) = 'object'),  -- json: kept byte-for-byte
    dedup_key       text,
    dedup_state     text,
    dedup_priority  smallint,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- the de-duplication lookup: latest accepted event of one reservation key
CREATE INDEX idx_realtime_events_dedup
    ON realtime_events (dedup_key, seq DESC) WHERE dedup_key IS NOT NULL;

-- history reads order by id; the prune keeps the newest rows by id
CREATE INDEX IF NOT EXISTS idx_notification_events_created_at
    ON notification_events (created_at);

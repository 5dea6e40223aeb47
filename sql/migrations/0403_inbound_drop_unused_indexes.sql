-- Two indexes of the inbound queue that no query uses since 0402: the claim finds its rows through
-- idx_inbound_queue_pending_unblocked and idx_inbound_queue_processing_locked, and checks
-- per-customer order through idx_inbound_queue_unfinished_by_customer. Every change of a row's
-- status is a new row version with an entry in every index, so each index dropped is less work and
-- less WAL for every claim, lease renewal and completion (the WAL the webhook's commits wait behind).
DROP INDEX idx_inbound_queue_claimable;         -- 0400: the old claim's scan of every unfinished row
DROP INDEX idx_inbound_queue_wa_id_created;     -- 0001: the old per-customer probe, through all history

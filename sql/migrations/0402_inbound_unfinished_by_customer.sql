-- Claiming without rescanning the backlog (docs/decisions.md, "Inbound processing").
--
-- A message is claimable when it is due and it is its customer's earliest unfinished one. The
-- claim asked that second question of every pending row, oldest first, on every claim: with a
-- backlog (1,000 customers each with a turn in progress and four more messages waiting) each
-- claim re-probed the same 4,000 waiting rows, through an index that also walked every message
-- each customer ever sent. Now:

-- 1. Each customer's unfinished messages in queue order: "is there an earlier unfinished
--    message of this customer?" reads one entry of the rows still waiting, not the history.
CREATE INDEX idx_inbound_queue_unfinished_by_customer
    ON inbound_message_queue (wa_id, id) WHERE status IN ('pending', 'processing');

-- 2. `blocked`: a pending row known to wait behind an earlier unfinished message of its customer.
--    The claim marks the rows it finds waiting (inbound_mark_blocked) and then looks only at
--    pending rows not marked, so each waiting row is examined once per message ahead of it, not
--    once per claim. It is a hint for the scan only: the claim still checks the order itself.
ALTER TABLE inbound_message_queue ADD COLUMN blocked boolean NOT NULL DEFAULT false;

CREATE INDEX idx_inbound_queue_pending_unblocked
    ON inbound_message_queue (id) WHERE status = 'pending' AND NOT blocked;

-- 3. A mark must never outlive what it waits for: when a message stops being unfinished (done,
--    failed, deleted), its customer's later marked rows are cleared in the same transaction. The
--    marking statement holds a FOR SHARE lock on the message ahead, so this update waits for a
--    marking in progress and, being a separate statement of a VOLATILE function (a fresh snapshot
--    under READ COMMITTED), sees and clears what it marked; a marking that starts later re-checks
--    the message ahead after this transaction and finds it finished.
CREATE FUNCTION inbound_unblock_followers() RETURNS trigger LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    UPDATE inbound_message_queue SET blocked = false
    WHERE wa_id = OLD.wa_id AND id > OLD.id AND blocked AND status IN ('pending', 'processing');
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_inbound_unblock_on_finish
    AFTER UPDATE OF status ON inbound_message_queue
    FOR EACH ROW
    WHEN (OLD.status IN ('pending', 'processing') AND NEW.status NOT IN ('pending', 'processing'))
    EXECUTE FUNCTION inbound_unblock_followers();

CREATE TRIGGER trg_inbound_unblock_on_delete
    AFTER DELETE ON inbound_message_queue
    FOR EACH ROW
    WHEN (OLD.status IN ('pending', 'processing'))
    EXECUTE FUNCTION inbound_unblock_followers();

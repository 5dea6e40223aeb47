-- 0201_analytics_covering_indexes: the dashboard (/stats) aggregates a date window of messages and of
-- reservations. With the columns it reads in the index, it scans the index alone instead of visiting every
-- heap page of the window (conversation is by far the largest table).
CREATE INDEX idx_conversation_date_covering
    ON conversation (local_date) INCLUDE (wa_id, role, local_time, id);

CREATE INDEX idx_reservations_slot_date_covering
    ON reservations (slot_date) INCLUDE (wa_id, slot_time, type, status);

-- "first-ever reservation" probes: does this customer have a reservation before the window?
CREATE INDEX idx_reservations_wa_id_slot_date
    ON reservations (wa_id, slot_date);

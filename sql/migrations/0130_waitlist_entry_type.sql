-- The visit type a waiting patient asked for (0 check-up, 1 follow-up, as reservations.type): an
-- accepted offer books that type. Entries made before this column existed wait for a check-up.
ALTER TABLE waitlist_entries ADD COLUMN reservation_type smallint NOT NULL DEFAULT 0
    CONSTRAINT ck_waitlist_entries_type CHECK (reservation_type IN (0, 1));

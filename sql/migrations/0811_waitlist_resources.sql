-- The waitlist per resource (issue 24). An entry may wait for one resource (NULL: any resource that takes its
-- visit type); an offer holds a place freed on one resource, and its hold counts in that resource's slot.
-- Entries and offers made before this column existed are the clinic's, i.e. the default resource's (1) for
-- offers, and "any" for entries (with one resource the same thing).
ALTER TABLE waitlist_entries ADD COLUMN resource_id integer
    CONSTRAINT ck_waitlist_entries_resource CHECK (resource_id >= 1);
ALTER TABLE waitlist_offers ADD COLUMN resource_id integer NOT NULL DEFAULT 1
    CONSTRAINT ck_waitlist_offers_resource CHECK (resource_id >= 1);

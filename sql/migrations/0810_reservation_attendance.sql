-- Whether the patient came to a booking (today's or a past one), as staff record it; NULL: not recorded.
-- Kept apart from `status` (active/cancelled) so the reference's reservation payloads are unchanged.
ALTER TABLE reservations
    ADD COLUMN attendance text CONSTRAINT ck_reservations_attendance CHECK (attendance IN ('attended', 'no_show')),
    ADD COLUMN attendance_at timestamptz;

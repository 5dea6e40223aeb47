-- When the patient confirmed the booking (a reminder's Confirm button); NULL: not confirmed.
ALTER TABLE reservations ADD COLUMN confirmed_at timestamptz;

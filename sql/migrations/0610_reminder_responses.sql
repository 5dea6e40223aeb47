-- The patient's answer to a reminder's quick-reply buttons, for the confirmation analytics:
-- a sent reminder with no response is a "no reply".
ALTER TABLE reminder_sends ADD COLUMN response text
    CONSTRAINT ck_reminder_sends_response CHECK (response IN ('confirmed', 'cancelled', 'rescheduled'));
ALTER TABLE reminder_sends ADD COLUMN responded_at timestamptz;

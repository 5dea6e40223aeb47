-- Sends whose outcome is unknown ("in doubt"): the Cloud API may have accepted a reply part
-- although we never saw its answer (the process was killed mid-request, or the request
-- timed out). Each recorded part is sent with `biz_opaque_callback_data` set to its
-- idempotency key, and Meta echoes that string in the message's status callbacks, so a
-- replay can tell "accepted" from "never arrived" before sending the part again.

-- Set just before a part is POSTed to Graph. A definite answer settles it: accepted (the row
-- becomes `sent`) or refused with an HTTP error (cleared: nothing was sent). After a timeout or a
-- lost connection it is moved to the moment the outcome became unknown and kept: the part is in
-- doubt until a status callback names it or OUTBOUND_IN_DOUBT_GRACE has passed.
ALTER TABLE whatsapp_outbound ADD COLUMN attempted_at timestamptz;

-- The `biz_opaque_callback_data` of status callbacks, with the message id Meta assigned: the
-- first callback carrying a given string is kept (every status of one message repeats it).
CREATE TABLE whatsapp_status_callback_data (
    callback_data  text        PRIMARY KEY,
    wamid          text        NOT NULL,
    status         text        NOT NULL,
    recipient_id   text,
    received_at    timestamptz NOT NULL DEFAULT now()
);

-- Interactive messages (lists and reply buttons) are recorded in the outbound table like any other kind.
ALTER TABLE whatsapp_outbound DROP CONSTRAINT whatsapp_outbound_kind_check;
ALTER TABLE whatsapp_outbound ADD CONSTRAINT whatsapp_outbound_kind_check
    CHECK (kind IN ('text', 'template', 'location', 'interactive'));

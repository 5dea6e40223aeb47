-- 0404_outbound_key_prefix_index: find a message's reply parts by key prefix through an index.
--
-- A turn reads the reply parts recorded for its inbound row (`reply:<queue id>:<part>`) twice, by key prefix.
-- The unique index on idempotency_key uses the database collation, where a prefix match cannot use it, so
-- each read scanned the whole outbound table: 1.5 ms per read at ten thousand rows in the webhook bench,
-- and growing with the table. The pattern operator class compares bytes, so a prefix is a range of it.
CREATE INDEX idx_whatsapp_outbound_key_pattern
    ON whatsapp_outbound (idempotency_key text_pattern_ops) WHERE idempotency_key IS NOT NULL;

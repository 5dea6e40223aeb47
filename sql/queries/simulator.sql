-- The WhatsApp simulator's reads.

-- name: simulator_latest_outbound
-- The newest message sent (or kept in the outbox) for a customer: what the simulator shows to tap.
SELECT id, kind, payload FROM whatsapp_outbound WHERE wa_id = $1 ORDER BY id DESC LIMIT 1;

-- Following one inbound WhatsApp message (bin/mawid trace).

-- name: trace_queue_row
-- The queue row of WhatsApp message $1, with its kind and (shown only on request) text.
SELECT id, message_id, wa_id, status, attempts, last_error, created_at, updated_at, locked_at,
       available_at, done_at, trace_context,
       payload #>> '{entry,0,changes,0,value,messages,0,type}' AS kind,
       payload #>> '{entry,0,changes,0,value,messages,0,text,body}' AS text
FROM inbound_message_queue
WHERE message_id = $1;

-- name: trace_conversation_rows
-- Conversation rows of customer $1 written while the message was processed ($2 .. $3):
-- the customer's message, the tool calls and results, the assistant's reply.
SELECT id, role, message, local_date, local_time, created_at
FROM conversation
WHERE wa_id = $1 AND created_at >= $2 AND created_at <= $3
ORDER BY id;

-- name: trace_reply_parts
-- The outbound parts answering queue row N (idempotency keys 'reply:N:…') and their
-- latest delivery status callback.
SELECT o.id, o.kind, o.idempotency_key, o.delivery, o.wamid, o.http_status, o.error, o.created_at,
       o.updated_at, o.payload #>> '{text,body}' AS text,
       s.status AS callback_status, s.status_ts AS callback_at, s.errors AS callback_errors
FROM whatsapp_outbound o
LEFT JOIN whatsapp_message_status s ON s.wamid = o.wamid
-- the prefix as a range of the byte-order operators, which idx_whatsapp_outbound_key_pattern (0404)
-- serves in any plan; LIKE $1 || '%' with a parameter never becomes an index range
WHERE o.idempotency_key ~>=~ $1::text AND o.idempotency_key ~<~ ($1::text || chr(1114111))
ORDER BY o.idempotency_key;

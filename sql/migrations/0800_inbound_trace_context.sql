-- Tracing: the W3C trace context (traceparent/tracestate) of the webhook request that
-- queued a message, so the worker that claims it — in any process, after any delay or
-- restart — continues the same trace. NULL when tracing was off at enqueue time.
ALTER TABLE inbound_message_queue
    ADD COLUMN trace_context jsonb;

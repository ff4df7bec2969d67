-- +goose Up
-- The trace of the change that wrote the event (W3C traceparent, tracestate),
-- which the relay sends on as NATS headers so that the consumers' handling
-- joins it. NULL when the change was made outside a trace.
ALTER TABLE outbox ADD COLUMN trace_context jsonb;

-- +goose Down
ALTER TABLE outbox DROP COLUMN trace_context;

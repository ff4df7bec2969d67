-- +goose Up
-- The trace of the event whose handling queued the email (W3C traceparent):
-- the sending of the email joins it.
ALTER TABLE emails ADD COLUMN trace_context jsonb;

-- +goose Down
ALTER TABLE emails DROP COLUMN trace_context;

-- +goose Up
-- The trace of the request that created the booking (W3C traceparent): later
-- commands on the booking continue it, so that one booking is one trace.
ALTER TABLE bookings ADD COLUMN trace_context jsonb;

-- +goose Down
ALTER TABLE bookings DROP COLUMN trace_context;

-- +goose Up
-- Events a durable consumer gave up on, kept for operators: listed, and
-- redriven (handed to the consumer again) from the service's admin API.
-- The copy on the DEADLETTER stream stays as it was; this is the record an
-- operator acts on.
CREATE TABLE dead_letters (
    id          uuid        PRIMARY KEY,
    consumer    text        NOT NULL,
    subject     text        NOT NULL,
    event_id    uuid,
    message     bytea       NOT NULL,
    reason      text        NOT NULL,
    dead_at     timestamptz NOT NULL DEFAULT now(),
    redriven_at timestamptz,
    redriven_by text        NOT NULL DEFAULT ''
);
-- An event dead-lettered again (after a failed redrive, or a redelivery) is
-- one row.
CREATE UNIQUE INDEX dead_letters_event ON dead_letters (consumer, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX dead_letters_recent ON dead_letters (dead_at DESC);
-- Retention deletes the oldest handled ids first.
CREATE INDEX processed_events_age ON processed_events (processed_at);

-- +goose Down
DROP INDEX processed_events_age;
DROP TABLE dead_letters;

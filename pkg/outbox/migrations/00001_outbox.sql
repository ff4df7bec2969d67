-- +goose Up
-- Events written in the same transaction as the state change they describe,
-- waiting for the relay to publish them to JetStream.
CREATE TABLE outbox (
    id           uuid PRIMARY KEY,
    subject      text        NOT NULL,
    payload      bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (created_at) WHERE published_at IS NULL;

-- +goose Down
DROP TABLE outbox;

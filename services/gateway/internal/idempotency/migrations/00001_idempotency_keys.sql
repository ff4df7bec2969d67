-- +goose Up
-- One row per (caller, Idempotency-Key): the fingerprint of the first
-- request and, once it has finished, the response it got. status IS NULL
-- while the first request is in flight; locked_until bounds how long a
-- gateway that died mid-request keeps the key busy.
CREATE TABLE idempotency_keys (
    subject      text        NOT NULL,
    key          text        NOT NULL,
    request_hash bytea       NOT NULL,
    locked_until timestamptz,
    status       integer,
    headers      jsonb,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (subject, key)
);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;

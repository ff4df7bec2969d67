-- +goose Up
-- The audit record of each person erased on their request: who asked, why,
-- when, the pseudonym that replaced them; their id only as a hash (one
-- erasure per person).
CREATE TABLE erasures (
    id           uuid        PRIMARY KEY,
    subject_hash text        NOT NULL UNIQUE,
    pseudonym    text        NOT NULL,
    requested_by text        NOT NULL,
    reason       text        NOT NULL,
    bookings     integer     NOT NULL,
    created_at   timestamptz NOT NULL
);

-- +goose Down
DROP TABLE erasures;

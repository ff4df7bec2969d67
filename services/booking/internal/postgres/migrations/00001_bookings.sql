-- +goose Up
-- The read model of bookings. The booking workflow is the single writer: each
-- change arrives with a higher version, and an older one never overwrites it.
CREATE TABLE bookings (
    id          uuid PRIMARY KEY,
    mentor_id   text        NOT NULL,
    mentee_id   text        NOT NULL,
    offering_id text        NOT NULL,
    status      text        NOT NULL,
    start_time  timestamptz NOT NULL,
    end_time    timestamptz NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL,
    -- The whole aggregate as the workflow last saved it.
    snapshot    jsonb       NOT NULL
);
CREATE INDEX bookings_mentor_start ON bookings (mentor_id, start_time);
CREATE INDEX bookings_mentee_start ON bookings (mentee_id, start_time);

-- +goose Down
DROP TABLE bookings;

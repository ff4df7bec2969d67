-- +goose Up
-- The (mentor, mentee) pairs whose intro session ended with the mentor
-- approving continuation (booking.continuation_decided): only they may buy a
-- bundle. A later rejection removes the pair.
CREATE TABLE continuations (
    mentor_id  text        NOT NULL,
    mentee_id  text        NOT NULL,
    booking_id text        NOT NULL, -- the intro session decided on
    decided_at timestamptz NOT NULL,
    PRIMARY KEY (mentor_id, mentee_id)
);

-- +goose Down
DROP TABLE continuations;

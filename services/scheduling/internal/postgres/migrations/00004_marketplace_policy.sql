-- +goose Up
-- The intro rules of the newest version of the marketplace policy booking
-- announced (booking.marketplace_policy_changed); no row: the defaults.
-- Durations are in microseconds.
CREATE TABLE marketplace_policy (
    singleton           boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version             bigint NOT NULL,
    intro_length_us     bigint NOT NULL,
    intro_min_notice_us bigint NOT NULL,
    intro_horizon_us    bigint NOT NULL,
    intro_monthly_quota int NOT NULL,
    intro_one_per_mentor boolean NOT NULL,
    changed_at          timestamptz NOT NULL
);

-- One intro per mentee per mentor is now a setting: the hold checks it
-- under the mentee's advisory lock (postgres/reservations.go, holdState)
-- instead of a unique index.
DROP INDEX reservations_one_intro_per_mentor;
CREATE INDEX reservations_intros_by_mentor ON reservations (mentee_id, mentor_id)
    WHERE kind = 'INTRO' AND status <> 'RELEASED';

-- +goose Down
DROP INDEX reservations_intros_by_mentor;
-- Fails if the setting was off and a mentee holds two intros with a mentor.
CREATE UNIQUE INDEX reservations_one_intro_per_mentor ON reservations (mentee_id, mentor_id)
    WHERE kind = 'INTRO' AND status <> 'RELEASED';
DROP TABLE marketplace_policy;

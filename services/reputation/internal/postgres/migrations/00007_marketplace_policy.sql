-- +goose Up
-- The standing rules of the newest version of the marketplace policy
-- booking announced (booking.marketplace_policy_changed); no row: the
-- environment's policy. Durations are in microseconds. Like reviews and
-- lifts, a rebuild of the projections keeps it.
CREATE TABLE marketplace_policy (
    singleton              boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version                bigint NOT NULL,
    flag_streak            int NOT NULL,
    deactivate_streak      int NOT NULL,
    late_change_limit      int NOT NULL,
    late_change_window_us  bigint NOT NULL,
    late_change_period_us  bigint NOT NULL,
    changed_at             timestamptz NOT NULL
);

-- +goose Down
DROP TABLE marketplace_policy;

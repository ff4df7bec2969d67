-- +goose Up
-- Operators' lifts of a mentor's suspension or deactivation: the audit
-- record (who, why, when, from what). Like reviews, source data: a rebuild
-- of the projections keeps it. Figures count a mentor's cancellations and
-- late changes from their latest lift on.
CREATE TABLE standing_lifts (
    id                uuid        PRIMARY KEY,
    mentor_id         text        NOT NULL,
    previous_standing text        NOT NULL,
    reason            text        NOT NULL,
    operator_id       text        NOT NULL,
    lifted_at         timestamptz NOT NULL
);
CREATE INDEX standing_lifts_mentor ON standing_lifts (mentor_id, lifted_at DESC);

-- +goose Down
DROP TABLE standing_lifts;

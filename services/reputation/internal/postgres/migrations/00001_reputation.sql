-- +goose Up
-- Projection of booking events: one row per booking, the latest snapshot
-- (by booking version) reduced to what the figures need. Rebuildable.
CREATE TABLE bookings (
    booking_id          text        PRIMARY KEY,
    mentor_id           text        NOT NULL,
    mentee_id           text        NOT NULL,
    version             bigint      NOT NULL,
    status              text        NOT NULL,
    start_time          timestamptz,
    create_time         timestamptz,
    first_response_time timestamptz,
    approved            boolean     NOT NULL DEFAULT false,
    ended_by            text        NOT NULL DEFAULT '',
    ended_at            timestamptz,
    currency            text        NOT NULL DEFAULT '',
    price_minor         bigint      NOT NULL DEFAULT 0,
    refunded_minor      bigint      NOT NULL DEFAULT 0,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX bookings_mentor ON bookings (mentor_id);
CREATE INDEX bookings_mentee ON bookings (mentee_id);

-- Agreed reschedules, one per booking version, with the start they moved
-- away from. Rebuildable.
CREATE TABLE reschedules (
    booking_id     text        NOT NULL,
    version        bigint      NOT NULL,
    mentor_id      text        NOT NULL,
    initiated_by   text        NOT NULL,
    previous_start timestamptz NOT NULL,
    rescheduled_at timestamptz NOT NULL,
    PRIMARY KEY (booking_id, version)
);
CREATE INDEX reschedules_mentor ON reschedules (mentor_id);

-- Each mentor's standing, badges and ranking score, kept current as events
-- arrive. Rebuildable.
CREATE TABLE mentors (
    mentor_id       text             PRIMARY KEY,
    standing        text             NOT NULL DEFAULT 'ACTIVE',
    standing_reason text             NOT NULL DEFAULT '',
    badges          text[]           NOT NULL DEFAULT '{}',
    ranking_score   double precision NOT NULL DEFAULT 0,
    updated_at      timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX mentors_ranking ON mentors (ranking_score DESC, mentor_id)
    WHERE standing IN ('ACTIVE', 'FLAGGED');

-- Every standing change, for operators. Rebuildable.
CREATE TABLE standing_history (
    id                bigserial   PRIMARY KEY,
    mentor_id         text        NOT NULL,
    previous_standing text        NOT NULL,
    standing          text        NOT NULL,
    reason            text        NOT NULL,
    booking_id        text        NOT NULL,
    event_id          uuid        NOT NULL,
    changed_at        timestamptz NOT NULL
);
CREATE INDEX standing_history_mentor ON standing_history (mentor_id, changed_at DESC);

-- Reviews are what mentees wrote: source data, never truncated by a rebuild.
CREATE TABLE reviews (
    booking_id text        PRIMARY KEY,
    mentor_id  text        NOT NULL,
    mentee_id  text        NOT NULL,
    rating     smallint    NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);
CREATE INDEX reviews_mentor ON reviews (mentor_id, created_at DESC);
CREATE INDEX reviews_mentee ON reviews (mentee_id);

-- +goose Down
DROP TABLE reviews;
DROP TABLE standing_history;
DROP TABLE mentors;
DROP TABLE reschedules;
DROP TABLE bookings;

-- +goose Up
-- btree_gist lets one exclusion constraint combine mentor equality with
-- range overlap. It lives in public so that every schema of the database
-- shares one copy; default operator classes are found by type, not by path.
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;

CREATE TABLE offerings (
    id                uuid PRIMARY KEY,
    mentor_id         text NOT NULL,
    name              text NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('INTRO', 'PAID')),
    duration_minutes  int NOT NULL CHECK (duration_minutes > 0),
    price_minor       bigint NOT NULL CHECK (price_minor >= 0),
    currency          text NOT NULL,
    capacity          int NOT NULL CHECK (capacity >= 1),
    approval_required boolean NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    deleted_at        timestamptz
);
CREATE INDEX offerings_by_mentor ON offerings (mentor_id, created_at) WHERE deleted_at IS NULL;

-- Weekly hours and exceptions are wall-clock rules in the mentor's zone,
-- kept as rules (jsonb); away mode is a period of instants.
CREATE TABLE availability (
    mentor_id          text PRIMARY KEY,
    time_zone          text NOT NULL,
    weekly_hours       jsonb NOT NULL,
    exceptions         jsonb NOT NULL,
    buffer_minutes     int NOT NULL,
    min_notice_minutes int NOT NULL,
    horizon_days       int NOT NULL,
    away_start         timestamptz,
    away_end           timestamptz,
    updated_at         timestamptz NOT NULL
);

-- A mentor's standing as reputation last published it; no row: active.
CREATE TABLE mentor_standing (
    mentor_id  text PRIMARY KEY,
    standing   text NOT NULL,
    reason     text NOT NULL,
    changed_at timestamptz NOT NULL
);

-- One row per session in a mentor's calendar (a one-to-one session, or a
-- class that many reservations share). The database itself guarantees:
--  * sessions of a mentor that have seats taken never overlap, buffer
--    included (block is [start, end + buffer));
--  * a session never has more seats taken than its capacity; concurrent
--    holds on one session serialise on its row.
CREATE TABLE sessions (
    id          bigserial PRIMARY KEY,
    mentor_id   text NOT NULL,
    offering_id uuid NOT NULL REFERENCES offerings (id),
    start_at    timestamptz NOT NULL,
    end_at      timestamptz NOT NULL,
    block       tstzrange NOT NULL,
    capacity    int NOT NULL CHECK (capacity >= 1),
    seats_taken int NOT NULL,
    CONSTRAINT sessions_within_capacity CHECK (seats_taken >= 0 AND seats_taken <= capacity),
    CONSTRAINT sessions_one_per_time UNIQUE (mentor_id, offering_id, start_at),
    CONSTRAINT sessions_no_overlap EXCLUDE USING gist (mentor_id WITH =, block WITH &&) WHERE (seats_taken > 0)
);

CREATE TABLE reservations (
    booking_id       text PRIMARY KEY,
    session_id       bigint NOT NULL REFERENCES sessions (id),
    mentor_id        text NOT NULL,
    offering_id      uuid NOT NULL REFERENCES offerings (id),
    mentee_id        text NOT NULL,
    kind             text NOT NULL,
    status           text NOT NULL CHECK (status IN ('HELD', 'CONFIRMED', 'RELEASED')),
    start_at         timestamptz NOT NULL,
    end_at           timestamptz NOT NULL,
    block            tstzrange NOT NULL,
    party_size       int NOT NULL CHECK (party_size >= 1),
    mentee_time_zone text NOT NULL,
    intro_month      text NOT NULL,
    meeting_url      text NOT NULL DEFAULT '',
    version          bigint NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
-- At most one intro per mentee per mentor (released ones do not count).
CREATE UNIQUE INDEX reservations_one_intro_per_mentor ON reservations (mentee_id, mentor_id)
    WHERE kind = 'INTRO' AND status <> 'RELEASED';
CREATE INDEX reservations_intros_by_month ON reservations (mentee_id, intro_month)
    WHERE kind = 'INTRO' AND status <> 'RELEASED';
CREATE INDEX reservations_by_mentor ON reservations USING gist (mentor_id, block)
    WHERE status <> 'RELEASED';
CREATE INDEX reservations_by_session ON reservations (session_id);

-- +goose Down
DROP TABLE reservations;
DROP TABLE sessions;
DROP TABLE mentor_standing;
DROP TABLE availability;
DROP TABLE offerings;

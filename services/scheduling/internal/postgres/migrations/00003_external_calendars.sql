-- +goose Up
-- A mentor's other calendars (iCalendar feeds) and the state of each feed:
-- when the last good copy was fetched, the last attempt and why it failed.
CREATE TABLE external_calendars (
    id              uuid PRIMARY KEY,
    mentor_id       text        NOT NULL,
    name            text        NOT NULL,
    url             text        NOT NULL,
    created_at      timestamptz NOT NULL,
    fetched_at      timestamptz,
    last_attempt_at timestamptz,
    last_error      text        NOT NULL DEFAULT '',
    busy_periods    int         NOT NULL DEFAULT 0,
    -- When the scheduled refresh takes it next (a replica that takes it
    -- moves this ahead by a lease, so others skip it).
    next_fetch_at   timestamptz NOT NULL
);
CREATE INDEX external_calendars_by_mentor ON external_calendars (mentor_id, created_at);
CREATE INDEX external_calendars_due ON external_calendars (next_fetch_at);

-- The busy periods of each calendar's last good copy, replaced as a whole
-- by the next good copy.
CREATE TABLE external_busy (
    calendar_id uuid      NOT NULL REFERENCES external_calendars (id) ON DELETE CASCADE,
    mentor_id   text      NOT NULL,
    period      tstzrange NOT NULL
);
CREATE INDEX external_busy_by_mentor ON external_busy USING gist (mentor_id, period);
CREATE INDEX external_busy_by_calendar ON external_busy (calendar_id);

-- +goose Down
DROP TABLE external_busy;
DROP TABLE external_calendars;

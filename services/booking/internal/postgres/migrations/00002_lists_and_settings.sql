-- +goose Up
-- Columns the bookings list filters, searches and orders by.
ALTER TABLE bookings
    ALTER COLUMN start_time DROP NOT NULL,
    ALTER COLUMN end_time DROP NOT NULL,
    ADD COLUMN payment_method text NOT NULL DEFAULT '',
    ADD COLUMN payment_status text NOT NULL DEFAULT '',
    ADD COLUMN mentee_name    text NOT NULL DEFAULT '',
    ADD COLUMN mentee_email   text NOT NULL DEFAULT '',
    ADD COLUMN session_id     text NOT NULL DEFAULT '',
    -- Where the booking sorts by session time: its start, or its earliest
    -- preferred time while the mentor has yet to pick one.
    ADD COLUMN sort_time      timestamptz;
CREATE INDEX bookings_sort ON bookings (sort_time, id);
CREATE INDEX bookings_created ON bookings (created_at, id);
CREATE INDEX bookings_session ON bookings (session_id) WHERE session_id <> '';
CREATE INDEX bookings_status ON bookings (status);
-- Search by name or email: a trigram index would serve large marketplaces;
-- a lower() prefix scan is enough here.
CREATE INDEX bookings_mentee_email ON bookings (lower(mentee_email));

-- A mentor's booking settings: the policy their new requests get.
CREATE TABLE mentor_settings (
    mentor_id  text PRIMARY KEY,
    policy     jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE mentor_settings;
DROP INDEX bookings_mentee_email;
DROP INDEX bookings_status;
DROP INDEX bookings_session;
DROP INDEX bookings_created;
DROP INDEX bookings_sort;
ALTER TABLE bookings DROP COLUMN sort_time, DROP COLUMN session_id, DROP COLUMN mentee_email,
    DROP COLUMN mentee_name, DROP COLUMN payment_status, DROP COLUMN payment_method;

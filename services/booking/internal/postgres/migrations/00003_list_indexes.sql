-- +goose Up
-- Indexes for the lists at a million bookings: each list filters on one
-- column and reads in session-time order, so the index is (column, sort_time,
-- id) and the first page is a short index range. Search by the mentee's name
-- or email uses trigram indexes (any substring, case-insensitive); search by
-- an email address (or its beginning) a prefix index; search by booking id the
-- primary key.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX bookings_mentor_sort ON bookings (mentor_id, sort_time, id);
CREATE INDEX bookings_mentee_sort ON bookings (mentee_id, sort_time, id);
CREATE INDEX bookings_status_sort ON bookings (status, sort_time, id);
CREATE INDEX bookings_mentee_name_trgm ON bookings USING gin (lower(mentee_name) public.gin_trgm_ops);
CREATE INDEX bookings_mentee_email_trgm ON bookings USING gin (lower(mentee_email) public.gin_trgm_ops);
CREATE INDEX bookings_mentee_email_prefix ON bookings (lower(mentee_email) text_pattern_ops);
DROP INDEX bookings_mentor_start;
DROP INDEX bookings_mentee_start;
DROP INDEX bookings_status;
DROP INDEX bookings_mentee_email;

-- +goose Down
CREATE INDEX bookings_mentee_email ON bookings (lower(mentee_email));
CREATE INDEX bookings_status ON bookings (status);
CREATE INDEX bookings_mentee_start ON bookings (mentee_id, start_time);
CREATE INDEX bookings_mentor_start ON bookings (mentor_id, start_time);
DROP INDEX bookings_mentee_email_prefix;
DROP INDEX bookings_mentee_email_trgm;
DROP INDEX bookings_mentee_name_trgm;
DROP INDEX bookings_status_sort;
DROP INDEX bookings_mentee_sort;
DROP INDEX bookings_mentor_sort;

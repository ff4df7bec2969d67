-- +goose Up
-- A standing is kept with whether a mentor in it takes new bookings, as
-- reputation's catalog says (it decides; scheduling honours it).
ALTER TABLE mentor_standing ADD COLUMN takes_bookings boolean NOT NULL DEFAULT true;
UPDATE mentor_standing SET takes_bookings = false WHERE standing IN ('SUSPENDED', 'DEACTIVATED');

-- +goose Down
ALTER TABLE mentor_standing DROP COLUMN takes_bookings;

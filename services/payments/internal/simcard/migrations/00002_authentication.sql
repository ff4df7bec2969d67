-- +goose Up
-- Charges that wait for the cardholder's authentication (3-D Secure), those
-- whose authentication failed, and when a hold lapses.
ALTER TABLE simcard_charges DROP CONSTRAINT simcard_charges_status_check;
ALTER TABLE simcard_charges ADD CONSTRAINT simcard_charges_status_check
    CHECK (status IN ('requires_action', 'authorized', 'captured', 'voided', 'failed'));
ALTER TABLE simcard_charges ADD COLUMN expires_at timestamptz;

-- +goose Down
ALTER TABLE simcard_charges DROP COLUMN expires_at;
DELETE FROM simcard_charges WHERE status IN ('requires_action', 'failed');
ALTER TABLE simcard_charges DROP CONSTRAINT simcard_charges_status_check;
ALTER TABLE simcard_charges ADD CONSTRAINT simcard_charges_status_check
    CHECK (status IN ('authorized', 'captured', 'voided'));

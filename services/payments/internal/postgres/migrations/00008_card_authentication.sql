-- +goose Up
-- Card authentication (3-D Secure), the hold's expiry and disputes, and the
-- card processor's events applied once each (webhooks).
ALTER TABLE payments
    ADD COLUMN auth_expires_at timestamptz,
    ADD COLUMN disputed        boolean NOT NULL DEFAULT false;
CREATE INDEX payments_provider_ref ON payments (provider_ref) WHERE provider_ref <> '';

-- Every processor event applied, by the processor's event id: a webhook
-- delivered again finds its id here and changes nothing.
CREATE TABLE processor_events (
    id          text PRIMARY KEY,
    kind        text        NOT NULL,
    ref         text        NOT NULL,
    booking_id  text        NOT NULL DEFAULT '', -- empty: not a payment of bookwell's
    changed     boolean     NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE processor_events;
DROP INDEX payments_provider_ref;
ALTER TABLE payments DROP COLUMN disputed, DROP COLUMN auth_expires_at;

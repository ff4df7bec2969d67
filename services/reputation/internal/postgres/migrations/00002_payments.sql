-- +goose Up
-- Projection of payment events: what each booking's mentee paid and got
-- back, in the payment's currency. Amounts are the payment's running totals
-- (they only grow), merged with GREATEST, so the order events arrive in and
-- duplicates do not matter. Rebuildable.
CREATE TABLE payments (
    booking_id     text        PRIMARY KEY,
    mentee_id      text        NOT NULL,
    currency       text        NOT NULL,
    paid_minor     bigint      NOT NULL DEFAULT 0,
    refunded_minor bigint      NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX payments_mentee ON payments (mentee_id);

-- +goose Down
DROP TABLE payments;

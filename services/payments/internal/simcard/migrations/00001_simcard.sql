-- +goose Up
-- The simulated card processor's own state: what a real processor would keep
-- on its side. Tables are prefixed simcard_ and never read by the service.
CREATE TABLE simcard_charges (
    id         text PRIMARY KEY,
    auth_key   text        NOT NULL UNIQUE,
    last4      text        NOT NULL,
    amount     bigint      NOT NULL CHECK (amount > 0),
    currency   char(3)     NOT NULL,
    status     text        NOT NULL CHECK (status IN ('authorized', 'captured', 'voided')),
    captured   bigint      NOT NULL DEFAULT 0 CHECK (captured >= 0 AND captured <= amount),
    refunded   bigint      NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= captured),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Refunds by idempotency key, so a retried refund is made once.
CREATE TABLE simcard_refunds (
    key        text PRIMARY KEY,
    charge_id  text        NOT NULL REFERENCES simcard_charges (id),
    amount     bigint      NOT NULL CHECK (amount > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE simcard_refunds;
DROP TABLE simcard_charges;

-- +goose Up
-- One payment per booking. The checks repeat the domain's invariants so that
-- no bug can record a refund above what was captured.
CREATE TABLE payments (
    booking_id          text PRIMARY KEY,
    mentee_id           text        NOT NULL,
    mentor_id           text        NOT NULL,
    amount              bigint      NOT NULL CHECK (amount > 0),
    currency            char(3)     NOT NULL,
    method              text        NOT NULL CHECK (method IN ('card', 'bank_transfer', 'paypal', 'venmo', 'cash')),
    status              text        NOT NULL,
    provider_ref        text        NOT NULL DEFAULT '',
    card_last4          text        NOT NULL DEFAULT '',
    captured            bigint      NOT NULL DEFAULT 0 CHECK (captured >= 0 AND captured <= amount),
    refunded            bigint      NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= captured),
    released            boolean     NOT NULL DEFAULT false,
    commission          bigint      NOT NULL DEFAULT 0 CHECK (commission >= 0),
    commission_returned bigint      NOT NULL DEFAULT 0 CHECK (commission_returned >= 0 AND commission_returned <= commission),
    settlement          text        NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX payments_mentor ON payments (mentor_id);

-- Refunds, with the note written by whoever refunded.
CREATE TABLE refunds (
    id         bigserial PRIMARY KEY,
    booking_id text        NOT NULL REFERENCES payments (booking_id),
    amount     bigint      NOT NULL CHECK (amount > 0),
    note       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);
CREATE INDEX refunds_booking ON refunds (booking_id);

-- The double-entry ledger: every money movement is one transaction whose
-- entries sum to zero (checked at commit by the trigger below).
CREATE TABLE ledger_transactions (
    id         uuid PRIMARY KEY,
    ref        text        NOT NULL, -- booking or bundle id
    kind       text        NOT NULL,
    currency   char(3)     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_transactions_ref ON ledger_transactions (ref);

CREATE TABLE ledger_entries (
    id            bigserial PRIMARY KEY,
    tx_id         uuid    NOT NULL REFERENCES ledger_transactions (id),
    account_kind  text    NOT NULL CHECK (account_kind IN ('mentee', 'escrow', 'mentor_payable', 'revenue', 'mentor_direct')),
    account_owner text    NOT NULL,
    currency      char(3) NOT NULL,
    amount        bigint  NOT NULL CHECK (amount <> 0)
);
CREATE INDEX ledger_entries_account ON ledger_entries (account_kind, account_owner);
CREATE INDEX ledger_entries_tx ON ledger_entries (tx_id);

-- +goose StatementBegin
CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT sum(amount) FROM ledger_entries WHERE tx_id = NEW.tx_id) <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance', NEW.tx_id;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER ledger_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();

-- Entries are facts: never changed, never removed.
-- +goose StatementBegin
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();

-- Idempotency keys: the first call's result, replayed to every retry. The
-- row is inserted first, so a concurrent retry waits on it until the first
-- call commits (then replays) or rolls back (then runs).
CREATE TABLE idempotency_keys (
    key          text PRIMARY KEY,
    operation    text        NOT NULL,
    request_hash bytea       NOT NULL,
    result       jsonb,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Bundles of paid sessions, charged at purchase and held in escrow.
CREATE TABLE bundles (
    id             text PRIMARY KEY,
    mentee_id      text        NOT NULL,
    mentor_id      text        NOT NULL,
    sessions_total int         NOT NULL CHECK (sessions_total > 0),
    sessions_used  int         NOT NULL DEFAULT 0 CHECK (sessions_used >= 0 AND sessions_used <= sessions_total),
    session_price  bigint      NOT NULL CHECK (session_price > 0),
    currency       char(3)     NOT NULL,
    status         text        NOT NULL,
    provider_ref   text        NOT NULL,
    refunded       bigint      NOT NULL DEFAULT 0 CHECK (refunded >= 0),
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX bundles_mentee ON bundles (mentee_id, created_at DESC);

-- Which booking used which bundle credit: one credit per booking.
CREATE TABLE bundle_credits (
    bundle_id  text REFERENCES bundles (id),
    booking_id text PRIMARY KEY,
    created_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE bundle_credits;
DROP TABLE bundles;
DROP TABLE idempotency_keys;
DROP TABLE ledger_entries;
DROP TABLE ledger_transactions;
DROP FUNCTION ledger_append_only;
DROP FUNCTION ledger_check_balanced;
DROP TABLE refunds;
DROP TABLE payments;

-- +goose Up
-- The ledger transaction that paid the mentor for a used bundle credit, so a
-- mentor's payouts can name the booking (the transaction's ref is the bundle).
ALTER TABLE bundle_credits ADD COLUMN ledger_tx uuid REFERENCES ledger_transactions (id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX bundle_credits_ledger_tx ON bundle_credits (ledger_tx);

-- +goose Down
ALTER TABLE bundle_credits DROP COLUMN ledger_tx;

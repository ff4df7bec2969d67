-- +goose Up
-- The ledger stays append-only, except that erasing a person on request
-- (postgres.EraseUser, with bookwell.erasure set for its transaction) may
-- replace the owner of their accounts by a pseudonym: amounts, kinds,
-- currencies and transactions never change.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('bookwell.erasure', true) = 'on'
       AND NEW.id = OLD.id AND NEW.tx_id = OLD.tx_id AND NEW.account_kind = OLD.account_kind
       AND NEW.currency = OLD.currency AND NEW.amount = OLD.amount THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the ledger is append-only';
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only';
END;
$$;
-- +goose StatementEnd

-- +goose Up
-- The claim of the request in flight: a token only the gateway serving it
-- knows. That gateway pushes locked_until forward while it works, so the claim
-- of a gateway that died lapses within one short lease; the token keeps a
-- gateway whose claim lapsed and was taken over from completing or releasing
-- the new holder's.
ALTER TABLE idempotency_keys ADD COLUMN claim uuid;

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN claim;

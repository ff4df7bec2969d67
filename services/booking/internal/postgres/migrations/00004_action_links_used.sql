-- +goose Up
-- The email action links that acted: a link works once. A row outlives its
-- link's expiry by a day (after which the signature's expiry refuses the
-- link anyway) and is then deleted.
CREATE TABLE action_links_used (
    link_id    text PRIMARY KEY,
    booking_id text        NOT NULL,
    user_id    text        NOT NULL,
    action     text        NOT NULL,
    used_at    timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX action_links_used_expiry ON action_links_used (expires_at);

-- +goose Down
DROP TABLE action_links_used;

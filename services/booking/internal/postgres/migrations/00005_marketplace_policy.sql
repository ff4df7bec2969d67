-- +goose Up
-- The marketplace policy: one row per version (the newest is in force), and
-- the audit of each change: who, when, which fields from what to what. A
-- version is written once; two admins updating the same version race for
-- its primary key and one is refused.
CREATE TABLE marketplace_policy_versions (
    version    bigint PRIMARY KEY CHECK (version > 0),
    policy     jsonb       NOT NULL,
    updated_by text        NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE marketplace_policy_audit (
    version    bigint PRIMARY KEY REFERENCES marketplace_policy_versions (version),
    actor_id   text        NOT NULL,
    changed_at timestamptz NOT NULL,
    changes    jsonb       NOT NULL
);

-- +goose Down
DROP TABLE marketplace_policy_audit;
DROP TABLE marketplace_policy_versions;

// Package pgdb opens a service's Postgres pool inside the service's own schema
// and applies the service's embedded SQL migrations (with goose).
package pgdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/bookwell/bookwell/pkg/telemetry"
)

// Migrations is one set of goose migrations and the table that records which
// of them ran. Services apply their own set and those of the shared packages
// they use (outbox, consumer), each with its own table.
type Migrations struct {
	FS    fs.FS  // holds the .sql files
	Dir   string // the folder inside FS that has them; "." for the root
	Table string // goose's version table for this set
}

// Connect connects to url with every connection's search_path set to
// schema and queries made inside a trace traced, and checks the server answers; it creates and migrates nothing.
func Connect(ctx context.Context, url, schema string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, errors.New("parse database URL: malformed") // the URL may hold a password: never echo it
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.ConnConfig.Tracer = telemetry.PgxTracer()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to Postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to Postgres: %w", err)
	}
	return pool, nil
}

// Open connects to url with every connection's search_path set to schema,
// creates the schema if needed and applies the migrations in order.
func Open(ctx context.Context, url, schema string, migrations ...Migrations) (*pgxpool.Pool, error) {
	pool, err := Connect(ctx, url, schema)
	if err != nil {
		return nil, err
	}
	if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil && !isDuplicate(err) {
		pool.Close()
		return nil, fmt.Errorf("create schema %s: %w", schema, err)
	}
	for _, m := range migrations {
		if err := Migrate(ctx, pool, m); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return pool, nil
}

// Migrate applies one set of migrations that have not run yet.
func Migrate(ctx context.Context, pool *pgxpool.Pool, m Migrations) error {
	fsys, err := fs.Sub(m.FS, m.Dir)
	if err != nil {
		return fmt.Errorf("migrations %s: %w", m.Table, err)
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	// Two processes of one service (its API and its worker) may start at
	// once: a session advisory lock lets one migrate while the other waits.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migrations %s: %w", m.Table, err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithTableName(m.Table), goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations %s: %w", m.Table, err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations %s: %w", m.Table, err)
	}
	return nil
}

// CheckMigrated fails when a set of migrations has one not applied yet (or
// was never applied): the schema is older than the code.
func CheckMigrated(ctx context.Context, pool *pgxpool.Pool, migrations ...Migrations) error {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	for _, m := range migrations {
		fsys, err := fs.Sub(m.FS, m.Dir)
		if err != nil {
			return fmt.Errorf("migrations %s: %w", m.Table, err)
		}
		p, err := goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithTableName(m.Table))
		if err != nil {
			return fmt.Errorf("migrations %s: %w", m.Table, err)
		}
		pending, err := p.HasPending(ctx)
		if err != nil {
			return fmt.Errorf("migrations %s: cannot read the applied versions: %w", m.Table, err)
		}
		if pending {
			return fmt.Errorf("migrations %s: some are not applied", m.Table)
		}
	}
	return nil
}

// GrantUse gives role what a service needs in schema, whose objects the
// current role owns: use of the schema, reading and writing its tables and
// sequences, now and for those later migrations create. Granting twice
// changes nothing.
func GrantUse(ctx context.Context, pool *pgxpool.Pool, schema, role string) error {
	s, r := pgx.Identifier{schema}.Sanitize(), pgx.Identifier{role}.Sanitize()
	for _, stmt := range []string{
		"GRANT USAGE ON SCHEMA " + s + " TO " + r,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + s + " TO " + r,
		"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA " + s + " TO " + r,
		"ALTER DEFAULT PRIVILEGES IN SCHEMA " + s + " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + r,
		"ALTER DEFAULT PRIVILEGES IN SCHEMA " + s + " GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO " + r,
	} {
		if _, err := pool.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("grant %s use of schema %s: %w", role, schema, err)
		}
	}
	return nil
}

// isDuplicate reports a concurrent CREATE SCHEMA IF NOT EXISTS that lost the race.
func isDuplicate(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "42P06" || pgErr.Code == "23505")
}

// Querier is what a pool, a connection and a transaction share, so that a
// query can run inside a caller's transaction or on its own.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

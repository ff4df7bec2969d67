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
)

// Migrations is one set of goose migrations and the table that records which
// of them ran. Services apply their own set and those of the shared packages
// they use (outbox, consumer), each with its own table.
type Migrations struct {
	FS    fs.FS  // holds the .sql files
	Dir   string // the folder inside FS that has them; "." for the root
	Table string // goose's version table for this set
}

// Open connects to url with every connection's search_path set to schema,
// creates the schema if needed and applies the migrations in order.
func Open(ctx context.Context, url, schema string, migrations ...Migrations) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to Postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to Postgres: %w", err)
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

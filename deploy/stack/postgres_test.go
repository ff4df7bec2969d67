package stack_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/deploy/stack"
	"github.com/bookwell/bookwell/pkg/pgtest"
)

func queryString(t *testing.T, u, sql string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var s string
	if err := c.QueryRow(ctx, sql).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// Without DATABASE_URL, Postgres takes the server on 127.0.0.1:5432 when it
// answers, else it starts a private cluster in the state folder; either way
// the URL leads to the bookwell database.
func TestPostgresFindsOrStartsAServerWithTheBookwellDatabase(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	ctx := context.Background()
	local := true
	if c, err := pgx.Connect(ctx, stack.LocalPostgresURL); err != nil {
		local = false
		t.Logf("no Postgres on 127.0.0.1:5432, so a private cluster: %v", err)
	} else {
		c.Close(ctx)
	}
	stateDir := searchableTempDir(t)
	u, stop, err := stack.Postgres(ctx, stateDir, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	pu, _ := url.Parse(u)
	if local && pu.Host != "127.0.0.1:5432" {
		t.Errorf("URL %s: want the server on 127.0.0.1:5432", u)
	}
	if !local {
		if dir := queryString(t, u, "SELECT current_setting('data_directory')"); dir != filepath.Join(stateDir, "postgres", "data") {
			t.Errorf("private cluster in %s, want it under the state folder %s", dir, stateDir)
		}
	}
	if db := queryString(t, u, "SELECT current_database()"); db != stack.Database {
		t.Errorf("connected to %q, want %q", db, stack.Database)
	}
}

func TestPostgresTakesDatabaseURLAsIs(t *testing.T) {
	want := pgtest.New(t)
	t.Setenv("DATABASE_URL", want)
	u, stop, err := stack.Postgres(context.Background(), t.TempDir(), testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if u != want {
		t.Errorf("got %s, want DATABASE_URL %s", u, want)
	}
}

func TestPostgresSaysWhenDatabaseURLDoesNotAnswer(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:1/bookwell?sslmode=disable&connect_timeout=2")
	_, _, err := stack.Postgres(context.Background(), t.TempDir(), testLog(t))
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Fatalf("got %v, want an error naming DATABASE_URL", err)
	}
}

// searchableTempDir is t.TempDir made reachable by other users: as root the
// cluster runs as the postgres user, which must get through the 0700 folders
// the testing package makes.
func searchableTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPrivatePostgresKeepsDataAcrossRestarts(t *testing.T) {
	dir := filepath.Join(searchableTempDir(t), "postgres")
	ctx := context.Background()
	log := testLog(t)

	start := time.Now()
	p, err := stack.StartPrivatePostgres(ctx, dir, log)
	if err != nil {
		if strings.Contains(err.Error(), "initdb not found") {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Logf("cold start (initdb + pg_ctl start + create database): %s", time.Since(start).Round(time.Millisecond))
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = p.Stop()
		}
	})
	if db := queryString(t, p.URL, "SELECT current_database()"); db != stack.Database {
		t.Fatalf("connected to %q, want %q", db, stack.Database)
	}
	if os.Geteuid() == 0 {
		if u := queryString(t, p.URL, "SELECT current_setting('data_directory')"); u != filepath.Join(dir, "data") {
			t.Errorf("data directory %s, want %s", u, filepath.Join(dir, "data"))
		}
	}
	c, err := pgx.Connect(ctx, p.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')"); err != nil {
		t.Fatal(err)
	}
	c.Close(ctx)

	// Starting again while it runs finds it running: same server.
	again, err := stack.StartPrivatePostgres(ctx, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	if again.Port != p.Port {
		t.Errorf("second start on a running cluster chose port %d, want the running %d", again.Port, p.Port)
	}

	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped = true
	if _, err := pgx.Connect(ctx, p.URL); err == nil {
		t.Fatal("server still answers after Stop")
	}

	start = time.Now()
	p2, err := stack.StartPrivatePostgres(ctx, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("warm start (pg_ctl start): %s", time.Since(start).Round(time.Millisecond))
	stopped = false
	p = p2
	if got := queryString(t, p2.URL, "SELECT note FROM kept"); got != "still here" {
		t.Errorf("after restart: %q, want the row written before", got)
	}
}

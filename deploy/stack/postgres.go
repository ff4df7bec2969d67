package stack

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Database is the database the bookwell services share (each in its own schema).
const Database = "bookwell"

// LocalPostgresURL is the server on the usual local port, with trust auth.
const LocalPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// privatePostgresPort is the port a private cluster asks for first.
const privatePostgresPort = 55432

// Postgres returns the URL of the bookwell database and a function that stops
// whatever Postgres was started for it. It uses DATABASE_URL if set (as is);
// else the server on 127.0.0.1:5432 if it answers; else a private cluster in
// <stateDir>/postgres, created on first use with the machine's initdb and
// started with pg_ctl, kept between runs. Except for DATABASE_URL, it creates
// the bookwell database when missing.
func Postgres(ctx context.Context, stateDir string, log *slog.Logger) (string, func(), error) {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		if err := pingPostgres(ctx, u); err != nil {
			return "", nil, fmt.Errorf("postgres: DATABASE_URL does not answer: %w", err)
		}
		log.Info("postgres: using DATABASE_URL")
		return u, func() {}, nil
	}
	if err := pingPostgres(ctx, LocalPostgresURL); err == nil {
		u, err := EnsureDatabase(ctx, LocalPostgresURL, Database)
		if err != nil {
			return "", nil, err
		}
		log.Info("postgres: using the server on 127.0.0.1:5432")
		return u, func() {}, nil
	} else {
		log.Info("postgres: nothing usable on 127.0.0.1:5432, using a private cluster", "reason", err)
	}
	p, err := StartPrivatePostgres(ctx, filepath.Join(stateDir, "postgres"), log)
	if err != nil {
		return "", nil, fmt.Errorf("postgres: no DATABASE_URL, no server on 127.0.0.1:5432, and no private cluster: %w", err)
	}
	return p.URL, func() {
		if err := p.Stop(); err != nil {
			log.Error("postgres: stop", "err", err)
		}
	}, nil
}

// pingPostgres connects once to check the server answers and accepts us.
func pingPostgres(ctx context.Context, u string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	return c.Close(ctx)
}

// EnsureDatabase creates database name on the server adminURL points to, if
// missing, and returns adminURL with its database replaced by name.
func EnsureDatabase(ctx context.Context, adminURL, name string) (string, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", fmt.Errorf("postgres: bad URL: %w", err)
	}
	c, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("postgres: connect: %w", err)
	}
	defer c.Close(ctx)
	var exists bool
	if err := c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("postgres: look for database %s: %w", name, err)
	}
	if !exists {
		_, err := c.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
		var pgErr *pgconn.PgError
		if err != nil && !(errors.As(err, &pgErr) && pgErr.Code == "42P04") { // duplicate_database: created meanwhile
			return "", fmt.Errorf("postgres: create database %s: %w", name, err)
		}
	}
	u.Path = "/" + name
	return u.String(), nil
}

// PrivatePostgres is a Postgres cluster kept in a folder and run by this
// package with the machine's initdb and pg_ctl.
type PrivatePostgres struct {
	// Dir holds the cluster: data/ (PGDATA), run/ (the Unix socket) and
	// postgres.log.
	Dir string
	// Port is the TCP port on 127.0.0.1 the server listens on.
	Port int
	// URL points to the bookwell database, as user postgres with trust auth.
	URL string

	bin string // folder holding initdb, pg_ctl and postgres
	as  string // system user the server runs as; "" for ourselves
	log *slog.Logger
}

// StartPrivatePostgres creates the cluster in dir on first use, starts it if
// it is not running (on port 55432, or a free port when that is taken), and
// creates the bookwell database. initdb and pg_ctl refuse to run as root, so
// as root they run as the postgres system user (or nobody), which then owns dir.
func StartPrivatePostgres(ctx context.Context, dir string, log *slog.Logger) (*PrivatePostgres, error) {
	return StartPrivatePostgresWith(ctx, dir, log, nil)
}

// StartPrivatePostgresWith is StartPrivatePostgres with server settings
// (max_connections, ...) given to a server it starts.
func StartPrivatePostgresWith(ctx context.Context, dir string, log *slog.Logger, settings map[string]string) (*PrivatePostgres, error) {
	bin, err := postgresBinDir()
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	p := &PrivatePostgres{Dir: dir, bin: bin, log: log}
	if os.Geteuid() == 0 {
		if p.as, err = unprivilegedUser(); err != nil {
			return nil, err
		}
	}
	if err := p.prepareDir(ctx); err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
		// A half-made folder from an interrupted initdb would make it refuse.
		if err := os.RemoveAll(data); err != nil {
			return nil, err
		}
		start := time.Now()
		if out, err := p.command(ctx, "initdb", "-D", data, "-U", "postgres", "-A", "trust",
			"-E", "UTF8", "--no-locale", "--no-sync").CombinedOutput(); err != nil {
			return nil, fmt.Errorf("initdb: %w\n%s", err, out)
		}
		log.Info("postgres: created a private cluster", "dir", data, "took", time.Since(start).Round(time.Millisecond))
	}
	if port, ok := p.runningPort(ctx); ok {
		p.Port = port
		log.Info("postgres: private cluster already running", "port", port)
	} else {
		if p.Port, err = preferredPort(privatePostgresPort); err != nil {
			return nil, err
		}
		start := time.Now()
		opts := fmt.Sprintf("-p %d -k '%s' -c listen_addresses=127.0.0.1", p.Port, filepath.Join(dir, "run"))
		for _, k := range slices.Sorted(maps.Keys(settings)) {
			opts += fmt.Sprintf(" -c %s=%s", k, settings[k])
		}
		if out, err := p.command(ctx, "pg_ctl", "-D", data, "-l", filepath.Join(dir, "postgres.log"),
			"-w", "-t", "60", "-o", opts, "start").CombinedOutput(); err != nil {
			return nil, fmt.Errorf("pg_ctl start (log in %s): %w\n%s", filepath.Join(dir, "postgres.log"), err, out)
		}
		log.Info("postgres: started the private cluster", "port", p.Port, "took", time.Since(start).Round(time.Millisecond))
	}
	admin := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.Port)
	if p.URL, err = EnsureDatabase(ctx, admin, Database); err != nil {
		return nil, err
	}
	return p, nil
}

// Stop shuts the cluster down (fast mode: open sessions are rolled back,
// committed data is kept).
func (p *PrivatePostgres) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := p.command(ctx, "pg_ctl", "-D", filepath.Join(p.Dir, "data"), "-m", "fast", "-w", "stop").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %w\n%s", err, out)
	}
	p.log.Info("postgres: stopped the private cluster")
	return nil
}

// prepareDir makes dir and run/ and, as root, hands them to the user the
// server runs as, checking that user can reach them.
func (p *PrivatePostgres) prepareDir(ctx context.Context) error {
	if err := os.MkdirAll(filepath.Join(p.Dir, "run"), 0o700); err != nil {
		return err
	}
	if p.as == "" {
		return nil
	}
	u, err := user.Lookup(p.as)
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	err = filepath.WalkDir(p.Dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
	if err != nil {
		return fmt.Errorf("hand %s to user %s: %w", p.Dir, p.as, err)
	}
	if err := p.command(ctx, "test", "-w", p.Dir).Run(); err != nil {
		return fmt.Errorf("user %s cannot write %s (initdb refuses to run as root, so the cluster runs as %s): make the folders above it searchable (chmod o+x), or set DATABASE_URL", p.as, p.Dir, p.as)
	}
	return nil
}

// runningPort is the port of the server running on this cluster, if any.
func (p *PrivatePostgres) runningPort(ctx context.Context) (int, bool) {
	data := filepath.Join(p.Dir, "data")
	if err := p.command(ctx, "pg_ctl", "-D", data, "status").Run(); err != nil {
		return 0, false
	}
	f, err := os.Open(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	// postmaster.pid: pid, data dir, start time, port, ...
	sc := bufio.NewScanner(f)
	for i := 1; sc.Scan(); i++ {
		if i == 4 {
			port, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
			return port, err == nil
		}
	}
	return 0, false
}

// command runs a Postgres program (or test(1)) in the cluster's folder, as the
// unprivileged user when we are root.
func (p *PrivatePostgres) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	prog := name
	if name != "test" {
		prog = filepath.Join(p.bin, name)
	}
	var cmd *exec.Cmd
	switch {
	case p.as == "":
		cmd = exec.CommandContext(ctx, prog, args...)
	case hasProgram("runuser"):
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", p.as, "--", prog}, args...)...)
	default:
		cmd = exec.CommandContext(ctx, "setpriv", append([]string{"--reuid=" + p.as, "--regid=" + p.as, "--init-groups", prog}, args...)...)
	}
	cmd.Dir = p.Dir
	return cmd
}

// unprivilegedUser is the system user a root process runs Postgres as.
func unprivilegedUser() (string, error) {
	if !hasProgram("runuser") && !hasProgram("setpriv") {
		return "", errors.New("running as root and neither runuser nor setpriv is installed to run Postgres as another user: set DATABASE_URL")
	}
	for _, name := range []string{"postgres", "nobody"} {
		if _, err := user.Lookup(name); err == nil {
			return name, nil
		}
	}
	return "", errors.New("running as root and there is no postgres or nobody user to run Postgres as: set DATABASE_URL")
}

// postgresBinDir finds the folder of initdb and pg_ctl: on PATH, else the
// newest /usr/lib/postgresql/*/bin.
func postgresBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("initdb not found on PATH or in /usr/lib/postgresql/*/bin: install PostgreSQL (apt-get install postgresql) or set DATABASE_URL")
}

// pgMajor is the version number in /usr/lib/postgresql/<n>/bin, or 0.
func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// hasProgram reports whether name is on PATH.
func hasProgram(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

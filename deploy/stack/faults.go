package stack

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"time"
)

// What a fault-injection run does to the stack besides Kill, Start, Freeze
// and Thaw: kill the Temporal dev server, restart a private Postgres.

// Options are the options the server was started with, to start it again
// on the same port and state.
func (s *TemporalServer) Options() TemporalOptions { return s.opts }

// Kill sends SIGKILL to the server, as a crash would, and waits for it to be
// gone; its state file stays for a restart.
func (s *TemporalServer) Kill() error {
	select {
	case <-s.done:
		return fmt.Errorf("temporal: not running")
	default:
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.done
	s.opts.Log.Info("temporal: killed")
	return nil
}

// Restart restarts the cluster in fast mode (open sessions are rolled back
// and cut, committed data is kept), as an operator or a failover would.
func (p *PrivatePostgres) Restart(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := p.command(ctx, "pg_ctl", "-D", filepath.Join(p.Dir, "data"), "-l", filepath.Join(p.Dir, "postgres.log"),
		"-m", "fast", "-w", "-t", "60", "restart").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl restart: %w\n%s", err, out)
	}
	p.log.Info("postgres: restarted the private cluster")
	return nil
}

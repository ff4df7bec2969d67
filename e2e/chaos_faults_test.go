package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// Fault kinds. Each is one line of the fault matrix.
const (
	fKill      = "kill"          // SIGKILL a bookwell process, start it again
	fKillNATS  = "kill nats"     // SIGKILL the NATS server (JetStream on file storage), start it again
	fKillTemp  = "kill temporal" // SIGKILL the Temporal server (SQLite file), start it again
	fPGRestart = "postgres restart"
	fPGKill    = "postgres terminate sessions"
	fFreeze    = "freeze"                    // SIGSTOP a process for a few seconds, then SIGCONT
	fSMTPKill  = "smtp taken, sender killed" // the mail server takes a message, notificationsd is killed before it hears so
)

// fault is one fault as planned.
type fault struct {
	kind   string
	target string // the process, for kill and freeze
}

func (f fault) String() string {
	if f.target != "" {
		return f.kind + " " + f.target
	}
	return f.kind
}

// injected is one fault as it happened.
type injected struct {
	fault
	start     time.Time // the fault began (kill, stop)
	recovered time.Time // the process or server was back (started and ready, or SIGCONT)
	err       error
	detail    string
}

// allFaults is every fault kind at least once: a kill of each process, of
// NATS and of Temporal, both Postgres faults, a freeze and the mail-server
// case.
func allFaults(rnd *rand.Rand) []fault {
	var out []fault
	for _, p := range processes {
		out = append(out, fault{kind: fKill, target: p})
	}
	out = append(out, fault{kind: fKillNATS}, fault{kind: fKillTemp}, fault{kind: fPGRestart}, fault{kind: fPGKill},
		fault{kind: fFreeze, target: freezable[rnd.IntN(len(freezable))]}, fault{kind: fSMTPKill})
	rnd.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// freezable are the processes a freeze picks from.
var freezable = append(append([]string(nil), processes...), "nats")

// plan is the whole schedule: every kind once (shuffled), then random ones,
// n in all.
func plan(rnd *rand.Rand, n int) []fault {
	out := allFaults(rnd)
	kinds := allFaults(rnd)
	for len(out) < n {
		f := kinds[rnd.IntN(len(kinds))]
		if f.kind == fFreeze {
			f.target = freezable[rnd.IntN(len(freezable))]
		}
		out = append(out, f)
	}
	return out
}

// inject carries out f and returns once whatever it took down is back.
// armed is called once the fault waits on traffic rather than on time (the
// mail-server case waits for the next email to be sent): the bookings held
// back for this fault must go on, or the email it waits for may never come.
func (w *chaosWorld) inject(ctx context.Context, f fault, rnd *rand.Rand, armed func()) injected {
	in := injected{fault: f, start: time.Now()}
	down := time.Duration(200+rnd.IntN(1300)) * time.Millisecond
	pick := func(names []string) string { return names[rnd.IntN(len(names))] }
	killAndStart := func(name string) {
		if in.err = w.topo.kill(name); in.err == nil {
			time.Sleep(down)
			in.err = w.startAgain(ctx, name)
		}
	}
	switch f.kind {
	case fKill:
		name := pick(w.topo.instances(f.target))
		if name != f.target {
			in.detail = name
		}
		killAndStart(name)
	case fKillNATS:
		if nodes := w.topo.natsNodes(); len(nodes) > 1 {
			in.detail = pick(nodes)
			killAndStart(in.detail)
		} else {
			killAndStart(nodes[0])
		}
	case fKillTemp:
		if in.err = w.topo.killTemporal(); in.err == nil {
			time.Sleep(down)
			in.err = w.topo.startTemporal(ctx)
		}
	case fPGRestart:
		in.err = w.pg.Restart(ctx)
	case fPGKill:
		var n int
		in.err = w.db.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`).Scan(&n)
		in.detail = fmt.Sprintf("%d sessions", n)
	case fFreeze:
		name := f.target
		if names := w.topo.instances(f.target); len(names) > 0 && f.target != "nats" {
			name = pick(names)
		} else if f.target == "nats" {
			name = pick(w.topo.natsNodes())
		}
		d := time.Duration(2000+rnd.IntN(3000)) * time.Millisecond
		in.detail = d.Round(100 * time.Millisecond).String()
		if name != f.target {
			in.detail = name + " " + in.detail
		}
		if in.err = w.topo.freeze(name); in.err == nil {
			time.Sleep(d)
			in.err = w.topo.thaw(name)
		}
	case fSMTPKill:
		// Every notificationsd is killed: the one sending is among them.
		senders := w.topo.instances("notificationsd")
		killed := make(chan time.Time, 1)
		w.smtp.arm(func() {
			for _, name := range senders {
				_ = w.topo.kill(name)
			}
			killed <- time.Now()
		})
		armed()
		select {
		case at := <-killed:
			in.start = at
			time.Sleep(down)
			for _, name := range senders {
				if err := w.startAgain(ctx, name); err != nil {
					in.err = err
				}
			}
		case <-time.After(2 * time.Minute):
			w.smtp.arm(nil)
			in.err = fmt.Errorf("no email was sent for two minutes")
		}
	}
	in.recovered = time.Now()
	if in.err != nil {
		w.log.Error("chaos: fault", "fault", f.String(), "err", in.err)
	}
	return in
}

// startAgain starts a killed process, trying again if its port was taken
// meanwhile or it did not come up.
func (w *chaosWorld) startAgain(ctx context.Context, name string) error {
	var err error
	for range 3 {
		if err = w.topo.start(ctx, name); err == nil {
			return nil
		}
		w.log.Warn("chaos: restart failed, trying again", "name", name, "err", err)
		time.Sleep(time.Second)
	}
	return err
}

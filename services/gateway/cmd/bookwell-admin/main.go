// Command bookwell-admin runs the operator commands of bookwell's REST API
// (docs/runbook.md, "Operator commands") with an admin's bearer token:
//
//	bookwell-admin dead-letters list -service notifications [-all]
//	bookwell-admin dead-letters redrive -service notifications ID
//	bookwell-admin lift-standing -reason "why" MENTOR_ID
//	bookwell-admin resend-email -request-id ID NOTIFICATION_ID
//	bookwell-admin rebuild-booking-view BOOKING_ID
//
// BOOKWELL_URL is the gateway (http://localhost:8080 by default, or -url);
// BOOKWELL_TOKEN is the bearer token (`make token SUB=admin-1 ROLE=admin`
// mints one for the local stack). It prints what the API answered; a
// refusal is printed with its reason and the command exits with status 1.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, &http.Client{Timeout: 60 * time.Second})
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bookwell-admin:", err)
		os.Exit(1)
	}
}

// usage is printed for a missing or unknown command.
const usage = `usage: bookwell-admin [-url URL] COMMAND ...

commands:
  dead-letters list -service SERVICE [-all] [-limit N]
        the events SERVICE's consumers gave up on (SERVICE: notifications,
        payments, reputation, scheduling); -all includes those redriven
  dead-letters redrive -service SERVICE ID
        hand the dead letter ID to its consumer again, once
  lift-standing -reason REASON MENTOR_ID
        lift a mentor's suspension or deactivation
  resend-email -request-id ID NOTIFICATION_ID
        queue a notification's email again (once per request id)
  rebuild-booking-view BOOKING_ID
        write a booking's read-model row again from its workflow

environment: BOOKWELL_URL (default http://localhost:8080), BOOKWELL_TOKEN (an admin's bearer token)`

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer, hc *http.Client) error {
	c := &client{base: getenv("BOOKWELL_URL"), token: getenv("BOOKWELL_TOKEN"), http: hc, out: out}
	if len(args) >= 2 && args[0] == "-url" {
		c.base, args = args[1], args[2:]
	}
	if c.base == "" {
		c.base = "http://localhost:8080"
	}
	if len(args) == 0 {
		return fmt.Errorf("no command\n%s", usage)
	}
	if c.token == "" {
		return fmt.Errorf("BOOKWELL_TOKEN is not set: an admin's bearer token (make token SUB=admin-1 ROLE=admin)")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "dead-letters":
		return c.deadLetters(ctx, rest)
	case "lift-standing":
		return c.liftStanding(ctx, rest)
	case "resend-email":
		return c.resendEmail(ctx, rest)
	case "rebuild-booking-view":
		return c.rebuildBookingView(ctx, rest)
	case "help", "-h", "-help", "--help":
		fmt.Fprintln(out, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

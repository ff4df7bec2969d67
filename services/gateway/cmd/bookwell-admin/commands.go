package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"text/tabwriter"
)

// services are those whose consumers keep dead letters.
var services = map[string]bool{"notifications": true, "payments": true, "reputation": true, "scheduling": true}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// oneArg parses fs from args and returns its one positional argument.
func oneArg(fs *flag.FlagSet, args []string, what string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", fmt.Errorf("%s: %w", fs.Name(), err)
	}
	// Flags may follow the argument too.
	if fs.NArg() >= 1 {
		arg := fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return "", fmt.Errorf("%s: %w", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			return arg, nil
		}
	}
	return "", fmt.Errorf("%s: give exactly one %s", fs.Name(), what)
}

func (c *client) deadLetters(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("dead-letters: list or redrive?")
	}
	fs := newFlags("dead-letters " + args[0])
	service := fs.String("service", "", "notifications, payments, reputation or scheduling")
	switch args[0] {
	case "list":
		all := fs.Bool("all", false, "include those redriven")
		limit := fs.Int("limit", 100, "at most this many")
		if err := fs.Parse(args[1:]); err != nil {
			return fmt.Errorf("dead-letters list: %w", err)
		}
		if !services[*service] {
			return fmt.Errorf("dead-letters list: -service must be notifications, payments, reputation or scheduling, not %q", *service)
		}
		q := url.Values{"pageSize": {strconv.Itoa(*limit)}}
		if *all {
			q.Set("includeRedriven", "true")
		}
		var resp struct {
			DeadLetters []deadLetter `json:"deadLetters"`
		}
		if err := c.do(ctx, "GET", "/v1/admin/"+*service+"/deadLetters?"+q.Encode(), nil, &resp); err != nil {
			return err
		}
		if len(resp.DeadLetters) == 0 {
			fmt.Fprintf(c.out, "%s has no dead letters\n", *service)
			return nil
		}
		w := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tCONSUMER\tSUBJECT\tEVENT\tDEAD SINCE\tREDRIVEN\tREASON")
		for _, d := range resp.DeadLetters {
			redriven := "-"
			if d.RedriveTime != "" {
				redriven = d.RedriveTime + " by " + d.RedrivenBy
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Consumer, d.Subject, or(d.EventID, "-"), d.DeadLetterTime, redriven, d.Reason)
		}
		return w.Flush()
	case "redrive":
		id, err := oneArg(fs, args[1:], "dead letter id")
		if err != nil {
			return err
		}
		if !services[*service] {
			return fmt.Errorf("dead-letters redrive: -service must be notifications, payments, reputation or scheduling, not %q", *service)
		}
		var resp struct {
			DeadLetter deadLetter `json:"deadLetter"`
		}
		if err := c.do(ctx, "POST", "/v1/admin/"+*service+"/deadLetters/"+url.PathEscape(id)+":redrive", struct{}{}, &resp); err != nil {
			return err
		}
		d := resp.DeadLetter
		fmt.Fprintf(c.out, "redriven: %s (%s on %s) at %s by %s\n", d.ID, d.Consumer, d.Subject, d.RedriveTime, d.RedrivenBy)
		return nil
	}
	return fmt.Errorf("dead-letters: unknown %q: list or redrive", args[0])
}

type deadLetter struct {
	ID             string `json:"id"`
	Consumer       string `json:"consumer"`
	Subject        string `json:"subject"`
	EventID        string `json:"eventId"`
	Reason         string `json:"reason"`
	DeadLetterTime string `json:"deadLetterTime"`
	RedriveTime    string `json:"redriveTime"`
	RedrivenBy     string `json:"redrivenBy"`
}

func (c *client) liftStanding(ctx context.Context, args []string) error {
	fs := newFlags("lift-standing")
	reason := fs.String("reason", "", "why the sanction is lifted (required)")
	mentor, err := oneArg(fs, args, "mentor id")
	if err != nil {
		return err
	}
	if *reason == "" {
		return errors.New("lift-standing: -reason is required: say why the sanction is lifted")
	}
	var resp struct {
		Change struct {
			PreviousStanding string `json:"previousStanding"`
			Standing         string `json:"standing"`
			Reason           string `json:"reason"`
		} `json:"change"`
	}
	if err := c.do(ctx, "POST", "/v1/admin/mentors/"+url.PathEscape(mentor)+"/standing:lift", map[string]string{"reason": *reason}, &resp); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "%s: %s -> %s (%s)\n", mentor, resp.Change.PreviousStanding, resp.Change.Standing, resp.Change.Reason)
	return nil
}

func (c *client) resendEmail(ctx context.Context, args []string) error {
	fs := newFlags("resend-email")
	requestID := fs.String("request-id", "", "makes the resend idempotent (required)")
	notification, err := oneArg(fs, args, "notification id")
	if err != nil {
		return err
	}
	if *requestID == "" {
		return errors.New("resend-email: -request-id is required: the same id never sends twice")
	}
	var resp struct {
		EmailID string `json:"emailId"`
		Email   struct {
			To     string `json:"to"`
			Status string `json:"status"`
		} `json:"email"`
	}
	if err := c.do(ctx, "POST", "/v1/admin/notifications/"+url.PathEscape(notification)+":resendEmail", map[string]string{"requestId": *requestID}, &resp); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "email %s to %s: %s\n", resp.EmailID, resp.Email.To, resp.Email.Status)
	return nil
}

func (c *client) rebuildBookingView(ctx context.Context, args []string) error {
	id, err := oneArg(newFlags("rebuild-booking-view"), args, "booking id")
	if err != nil {
		return err
	}
	var resp struct {
		Booking struct {
			Status  string `json:"status"`
			Version string `json:"version"`
		} `json:"booking"`
		Changed bool `json:"changed"`
	}
	if err := c.do(ctx, "POST", "/v1/admin/bookings/"+url.PathEscape(id)+":rebuildView", struct{}{}, &resp); err != nil {
		return err
	}
	what := "already up to date"
	if resp.Changed {
		what = "rebuilt"
	}
	fmt.Fprintf(c.out, "booking %s: %s (%s, version %s)\n", id, what, resp.Booking.Status, resp.Booking.Version)
	return nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/scheduling/internal/app"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
	"github.com/bookwell/bookwell/services/scheduling/internal/meeting"
	"github.com/bookwell/bookwell/services/scheduling/internal/postgres"
)

// now is the fixed clock of these tests: Monday 1 June 2026, 12:00 UTC.
var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// ticking is a clock that starts at now and advances a millisecond a call,
// so creation order is observable.
func ticking() func() time.Time {
	var n atomic.Int64
	return func() time.Time { return now.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

// dbURL is a fresh database with room for concurrent tests.
func dbURL(t testing.TB) string {
	u, err := url.Parse(pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", "16")
	u.RawQuery = q.Encode()
	return u.String()
}

// admin is the caller of these tests' use cases: who may do what is
// app/authz.go's, tested through the gRPC API (grpcapi).
var admin = identity.With(context.Background(), identity.Principal{Subject: "ops", Role: identity.RoleAdmin})

// asMentor is mentor, signed in.
func asMentor(mentor string) context.Context {
	return identity.With(context.Background(), identity.Principal{Subject: mentor, Role: identity.RoleMentor})
}

func newService(t testing.TB) *app.Service {
	t.Helper()
	pool, err := postgres.Open(context.Background(), dbURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return &app.Service{
		Store:    &postgres.Store{Pool: pool},
		Policy:   domain.DefaultPolicy(),
		Meetings: meeting.Jitsi{},
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:      ticking(),
	}
}

// openEveryDay gives mentor hours 08:00-20:00 every day in zone.
func openEveryDay(t testing.TB, s *app.Service, mentor, zone string, buffer time.Duration) {
	t.Helper()
	a := domain.Availability{MentorID: mentor, TimeZone: zone, Buffer: buffer}
	for d := time.Sunday; d <= time.Saturday; d++ {
		a.Weekly = append(a.Weekly, domain.WeeklyHours{Day: d, Start: 8 * 60, End: 20 * 60})
	}
	if _, err := s.UpdateAvailability(asMentor(mentor), a); err != nil {
		t.Fatal(err)
	}
}

// openAllDay gives mentor every hour of every day in zone.
func openAllDay(t testing.TB, s *app.Service, mentor, zone string) {
	t.Helper()
	a := domain.Availability{MentorID: mentor, TimeZone: zone}
	for d := time.Sunday; d <= time.Saturday; d++ {
		a.Weekly = append(a.Weekly, domain.WeeklyHours{Day: d, Start: 0, End: 24 * 60})
	}
	if _, err := s.UpdateAvailability(asMentor(mentor), a); err != nil {
		t.Fatal(err)
	}
}

func createOffering(t testing.TB, s *app.Service, mentor string, kind domain.Kind, capacity int) domain.Offering {
	t.Helper()
	o := domain.Offering{Name: "Session", Kind: kind, Duration: time.Hour, PriceMinor: 5000, Currency: "EUR", Capacity: capacity}
	if kind == domain.KindIntro {
		o.Name, o.Duration, o.PriceMinor, o.Currency = "Intro", 20*time.Minute, 0, ""
	}
	o, err := s.CreateOffering(asMentor(mentor), mentor, o)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// at is day days after now, at hh:mm UTC.
func at(days, hh, mm int) time.Time {
	return time.Date(now.Year(), now.Month(), now.Day()+days, hh, mm, 0, 0, time.UTC)
}

func wantReason(t testing.TB, err error, reason string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Reason != reason {
		t.Fatalf("err = %v, want reason %s", err, reason)
	}
}

func wantInvalid(t testing.TB, err error) {
	t.Helper()
	if !errors.Is(err, apperr.Invalid) {
		t.Fatalf("err = %v, want a validation error", err)
	}
}

func count(t testing.TB, s *app.Service, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool(s).QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// pool is the database of s's store.
func pool(s *app.Service) *pgxpool.Pool { return s.Store.(*postgres.Store).Pool }

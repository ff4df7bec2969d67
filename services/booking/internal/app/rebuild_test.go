package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

func TestAnAdminRebuildsAMissingOrStaleBookingRowFromItsWorkflow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.request(t, "r-1").ID()
	approved, err := e.app.Approve(e.mentor, id, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	admin := identity.With(ctx, identity.Principal{Subject: "admin-ops", Role: identity.RoleAdmin})

	if _, _, err := e.app.RebuildView(e.mentor, id); !errors.Is(err, identity.ErrNotAllowedForRole) {
		t.Fatalf("a mentor rebuilding: %v", err)
	}
	if _, _, err := e.app.RebuildView(admin, uuid.NewString()); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("a booking that never was: %v", err)
	}
	if _, changed, err := e.app.RebuildView(admin, id); err != nil || changed {
		t.Fatalf("an up-to-date row: changed %v (%v), want untouched", changed, err)
	}

	// The row is behind (an older version), then gone: each time the rebuild
	// brings it back to the workflow's booking.
	for _, damage := range []string{
		`UPDATE bookings SET version = 1, status = 'PENDING', snapshot = snapshot || '{"Version": 1, "Status": "PENDING"}' WHERE id = $1`,
		`DELETE FROM bookings WHERE id = $1`,
	} {
		if _, err := e.pool.Exec(ctx, damage, id); err != nil {
			t.Fatal(err)
		}
		b, changed, err := e.app.RebuildView(admin, id)
		if err != nil || !changed {
			t.Fatalf("after %q: changed %v (%v)", damage, changed, err)
		}
		got, err := e.store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status() != domain.StatusConfirmed || got.Version() != approved.Version() || b.Version() != approved.Version() {
			t.Fatalf("after %q the row is %s v%d, want CONFIRMED v%d", damage, got.Status(), got.Version(), approved.Version())
		}
	}
}

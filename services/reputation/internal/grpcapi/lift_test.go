package grpcapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/identity"
)

var operator = identity.Principal{Subject: "admin-ops", Role: identity.RoleAdmin}

func TestAnAdminLiftsADeactivationWithAReasonAndTheMentorStartsAfresh(t *testing.T) {
	h := start(t)
	for i := 1; i <= 5; i++ {
		cancelledByMentor(h, fmt.Sprintf("b-%d", i), "mentor-grace", t0.Add(time.Duration(i)*24*time.Hour))
	}
	h.settle()
	if r := h.reputation("mentor-grace"); r.GetStanding() != reputationv1.Standing_STANDING_DEACTIVATED {
		t.Fatalf("standing %v, want DEACTIVATED", r.GetStanding())
	}

	// Refused, and nothing changes: not an admin, no reason.
	lift := func(ctx context.Context, reason string) (*reputationv1.LiftStandingResponse, error) {
		return h.api.LiftStanding(ctx, &reputationv1.LiftStandingRequest{MentorId: "mentor-grace", Reason: reason})
	}
	if _, err := lift(h.as(identity.Principal{Subject: "mentor-grace", Role: identity.RoleMentor}), "please"); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("the mentor lifting their own sanction: %v", err)
	}
	if _, err := lift(h.as(operator), "  "); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("a lift without a reason: %v", err)
	}
	if r := h.reputation("mentor-grace"); r.GetStanding() != reputationv1.Standing_STANDING_DEACTIVATED {
		t.Fatalf("after refused lifts: %v", r.GetStanding())
	}

	got, err := lift(h.as(operator), "cancellations were a calendar sync bug (ticket 4711)")
	if err != nil {
		t.Fatal(err)
	}
	if got.GetOperatorId() != "admin-ops" || got.GetChange().GetStanding() != reputationv1.Standing_STANDING_ACTIVE ||
		got.GetChange().GetPreviousStanding() != reputationv1.Standing_STANDING_DEACTIVATED {
		t.Fatalf("lift = %v", got)
	}
	r := h.reputation("mentor-grace")
	if r.GetStanding() != reputationv1.Standing_STANDING_ACTIVE || r.GetFigures().GetCancellationStreak() != 0 {
		t.Fatalf("after the lift: standing %v, streak %d; want ACTIVE, 0", r.GetStanding(), r.GetFigures().GetCancellationStreak())
	}
	if !strings.Contains(r.GetStandingReason(), "admin-ops") || !strings.Contains(r.GetStandingReason(), "ticket 4711") {
		t.Fatalf("standing reason %q does not say who and why", r.GetStandingReason())
	}
	if hist := r.GetStandingHistory(); len(hist) == 0 || hist[0].GetStanding() != reputationv1.Standing_STANDING_ACTIVE {
		t.Fatalf("standing history %v, want the lift first", hist)
	}
	var audit int
	if err := h.pool.QueryRow(context.Background(), `SELECT count(*) FROM standing_lifts WHERE mentor_id = 'mentor-grace'
		AND operator_id = 'admin-ops' AND previous_standing = 'DEACTIVATED' AND reason LIKE '%ticket 4711%'`).Scan(&audit); err != nil || audit != 1 {
		t.Fatalf("audit records %d (%v), want 1", audit, err)
	}
	// Announced, so scheduling takes bookings again.
	h.settle()
	evs := h.standingEvents()
	last := evs[len(evs)-1]
	if last.GetStanding() != reputationv1.Standing_STANDING_ACTIVE || last.GetOperatorId() != "admin-ops" || last.GetPreviousStanding() != reputationv1.Standing_STANDING_DEACTIVATED {
		t.Fatalf("last standing event %v, want ACTIVE by admin-ops", last)
	}

	// Lifting again: nothing to lift.
	if _, err := lift(h.as(operator), "again"); status.Code(err) != codes.Aborted {
		t.Fatalf("a second lift: %v", err)
	}

	// The cancellations before the lift no longer count: one more leaves
	// the mentor ACTIVE with a streak of 1.
	cancelledByMentor(h, "b-after", "mentor-grace", time.Now().Add(time.Minute))
	h.settle()
	if r := h.reputation("mentor-grace"); r.GetStanding() != reputationv1.Standing_STANDING_ACTIVE || r.GetFigures().GetCancellationStreak() != 1 {
		t.Fatalf("after one more cancellation: standing %v, streak %d; want ACTIVE, 1", r.GetStanding(), r.GetFigures().GetCancellationStreak())
	}
}

package grpcapi_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/identity"
)

func TestWhoReadsHistoriesAndWritesReviews(t *testing.T) {
	h := start(t)
	h.newBooking("z-1", "mentor-kim", "mentee-ada", t0.Add(2*24*time.Hour)).request().approve(time.Hour).finish(completed, 0)
	h.settle()
	ada := h.as(identity.Principal{Subject: "mentee-ada", Role: identity.RoleMentee})
	bo := h.as(identity.Principal{Subject: "mentee-bo", Role: identity.RoleMentee})
	kim := h.as(identity.Principal{Subject: "mentor-kim", Role: identity.RoleMentor})
	svc := h.as(identity.Principal{Subject: "booking", Role: identity.RoleService})
	history := &reputationv1.GetMenteeHistoryRequest{MenteeId: "mentee-ada"}
	rev := func(menteeID string) *reputationv1.CreateReviewRequest {
		return &reputationv1.CreateReviewRequest{BookingId: "z-1", Review: &reputationv1.Review{MenteeId: menteeID, Rating: 5}}
	}
	for _, c := range []struct {
		name   string
		call   func() error
		code   codes.Code
		reason string
	}{
		{"nobody searches", func() error {
			_, err := h.api.SearchMentors(context.Background(), &reputationv1.SearchMentorsRequest{})
			return err
		}, codes.Unauthenticated, "UNAUTHENTICATED"},
		{"a mentee searches", func() error { _, err := h.api.SearchMentors(bo, &reputationv1.SearchMentorsRequest{}); return err }, codes.OK, ""},
		{"a mentee reads a reputation", func() error {
			_, err := h.api.GetMentorReputation(bo, &reputationv1.GetMentorReputationRequest{MentorId: "mentor-kim"})
			return err
		}, codes.OK, ""},
		{"ada reads her history", func() error { _, err := h.api.GetMenteeHistory(ada, history); return err }, codes.OK, ""},
		{"bo reads ada's history", func() error { _, err := h.api.GetMenteeHistory(bo, history); return err }, codes.PermissionDenied, "NOT_YOUR_RESOURCE"},
		{"a mentor reads ada's history", func() error { _, err := h.api.GetMenteeHistory(kim, history); return err }, codes.OK, ""},
		{"a service reads ada's history", func() error { _, err := h.api.GetMenteeHistory(svc, history); return err }, codes.OK, ""},
		{"the mentor reviews", func() error { _, err := h.api.CreateReview(kim, rev("")); return err }, codes.PermissionDenied, "NOT_ALLOWED_FOR_ROLE"},
		{"bo reviews naming ada", func() error { _, err := h.api.CreateReview(bo, rev("mentee-ada")); return err }, codes.PermissionDenied, "NOT_YOUR_RESOURCE"},
		{"bo reviews ada's booking", func() error { _, err := h.api.CreateReview(bo, rev("")); return err }, codes.NotFound, "BOOKING_NOT_FOUND"},
	} {
		if err := c.call(); status.Code(err) != c.code || reason(err) != c.reason {
			t.Errorf("%s: %v (%s), want %v %s", c.name, err, reason(err), c.code, c.reason)
		}
	}
	if n := h.reputation("mentor-kim").GetFigures().GetReviewCount(); n != 0 {
		t.Fatalf("%d reviews after refused ones", n)
	}
	// Ada reviews without naming herself: she is the caller.
	r, err := h.api.CreateReview(ada, rev(""))
	if err != nil || r.GetReview().GetMenteeId() != "mentee-ada" {
		t.Fatalf("ada's review: %v %v", r, err)
	}
}

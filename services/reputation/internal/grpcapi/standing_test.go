package grpcapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
)

const (
	mentor = bookingv1.Role_ROLE_MENTOR
	mentee = bookingv1.Role_ROLE_MENTEE
)

// cancelledByMentor publishes a booking approved then cancelled by its mentor
// well ahead of the session (not late).
func cancelledByMentor(h *harness, id, mentorID string, at time.Time) *booking {
	return h.newBooking(id, mentorID, "mentee-ada", at.Add(30*24*time.Hour)).request().approve(time.Hour).cancel(mentor, at)
}

func TestCancellationStreakFlagsThenDeactivatesOnce(t *testing.T) {
	h := start(t)
	for i := 1; i <= 2; i++ {
		cancelledByMentor(h, fmt.Sprintf("b-%d", i), "mentor-grace", t0.Add(time.Duration(i)*24*time.Hour))
	}
	h.settle()
	if r := h.reputation("mentor-grace"); r.GetStanding() != reputationv1.Standing_STANDING_ACTIVE || r.GetFigures().GetCancellationStreak() != 2 {
		t.Fatalf("after 2 cancellations: standing %v, streak %d; want ACTIVE, 2", r.GetStanding(), r.GetFigures().GetCancellationStreak())
	}
	scoreBefore := h.reputation("mentor-grace").GetRankingScore()

	cancelledByMentor(h, "b-3", "mentor-grace", t0.Add(3*24*time.Hour))
	h.settle()
	r := h.reputation("mentor-grace")
	if r.GetStanding() != reputationv1.Standing_STANDING_FLAGGED || r.GetFigures().GetCancellationStreak() != 3 {
		t.Fatalf("after 3 cancellations: standing %v, streak %d; want FLAGGED, 3", r.GetStanding(), r.GetFigures().GetCancellationStreak())
	}
	if !strings.Contains(r.GetStandingReason(), "3 cancellations by the mentor in a row") {
		t.Fatalf("flag reason %q does not say why", r.GetStandingReason())
	}
	if r.GetRankingScore() >= scoreBefore/2+1 {
		t.Fatalf("flagged ranking score %.1f, want it well below %.1f", r.GetRankingScore(), scoreBefore)
	}
	if evs := h.standingEvents(); len(evs) != 1 || evs[0].GetStanding() != reputationv1.Standing_STANDING_FLAGGED || evs[0].GetMentorId() != "mentor-grace" || evs[0].GetBookingId() != "b-3" {
		t.Fatalf("standing events after the 3rd: %v; want one FLAGGED for mentor-grace caused by b-3", evs)
	}

	cancelledByMentor(h, "b-4", "mentor-grace", t0.Add(4*24*time.Hour))
	fifth := cancelledByMentor(h, "b-5", "mentor-grace", t0.Add(5*24*time.Hour))
	h.settle()
	r = h.reputation("mentor-grace")
	if r.GetStanding() != reputationv1.Standing_STANDING_DEACTIVATED {
		t.Fatalf("after 5 cancellations: standing %v, want DEACTIVATED", r.GetStanding())
	}
	evs := h.standingEvents()
	if len(evs) != 2 || evs[1].GetStanding() != reputationv1.Standing_STANDING_DEACTIVATED ||
		evs[1].GetPreviousStanding() != reputationv1.Standing_STANDING_FLAGGED || !strings.Contains(evs[1].GetReason(), "5 cancellations") {
		t.Fatalf("standing events: %v; want FLAGGED then DEACTIVATED (from FLAGGED, reason naming 5 cancellations)", evs)
	}
	if hist := r.GetStandingHistory(); len(hist) != 2 || hist[0].GetStanding() != reputationv1.Standing_STANDING_DEACTIVATED {
		t.Fatalf("standing history = %v, want DEACTIVATED then FLAGGED, newest first", hist)
	}

	// Redelivery: the same event again (a new Nats-Msg-Id gets it past the
	// stream's duplicate window, as a re-publish after the window would).
	h.publish(fifth.last, "redelivery-"+fifth.last.ID.String())
	h.settle()
	again := h.reputation("mentor-grace")
	if again.GetFigures().GetMentorCancellationCount() != 5 || again.GetFigures().GetCancellationStreak() != 5 || len(h.standingEvents()) != 2 {
		t.Fatalf("after a redelivery: %d cancellations, streak %d, %d standing events; want 5, 5, 2",
			again.GetFigures().GetMentorCancellationCount(), again.GetFigures().GetCancellationStreak(), len(h.standingEvents()))
	}

	// Deactivation is a sanction: a later completed session does not lift it.
	h.newBooking("b-6", "mentor-grace", "mentee-ada", t0.Add(6*24*time.Hour)).request().approve(time.Hour).finish(bookingv1.BookingStatus_BOOKING_STATUS_COMPLETED, 0)
	h.settle()
	if r := h.reputation("mentor-grace"); r.GetStanding() != reputationv1.Standing_STANDING_DEACTIVATED || r.GetFigures().GetCancellationStreak() != 0 {
		t.Fatalf("after a completed session: standing %v streak %d; want DEACTIVATED (sticky), streak 0", r.GetStanding(), r.GetFigures().GetCancellationStreak())
	}
}

func TestCompletedSessionResetsStreakAndLiftsFlag(t *testing.T) {
	h := start(t)
	for i := 1; i <= 3; i++ {
		cancelledByMentor(h, fmt.Sprintf("c-%d", i), "mentor-linus", t0.Add(time.Duration(i)*24*time.Hour))
	}
	h.settle()
	if r := h.reputation("mentor-linus"); r.GetStanding() != reputationv1.Standing_STANDING_FLAGGED {
		t.Fatalf("standing = %v, want FLAGGED", r.GetStanding())
	}
	h.newBooking("c-ok", "mentor-linus", "mentee-ada", t0.Add(4*24*time.Hour)).request().approve(time.Hour).finish(bookingv1.BookingStatus_BOOKING_STATUS_COMPLETED, 0)
	cancelledByMentor(h, "c-4", "mentor-linus", t0.Add(10*24*time.Hour))
	cancelledByMentor(h, "c-5", "mentor-linus", t0.Add(11*24*time.Hour))
	h.settle()
	r := h.reputation("mentor-linus")
	if r.GetStanding() != reputationv1.Standing_STANDING_ACTIVE || r.GetFigures().GetCancellationStreak() != 2 || r.GetFigures().GetMentorCancellationCount() != 5 {
		t.Fatalf("after complete + 2 cancels: standing %v, streak %d, cancellations %d; want ACTIVE, 2, 5",
			r.GetStanding(), r.GetFigures().GetCancellationStreak(), r.GetFigures().GetMentorCancellationCount())
	}
	evs := h.standingEvents()
	if len(evs) != 2 || evs[1].GetStanding() != reputationv1.Standing_STANDING_ACTIVE || !strings.Contains(evs[1].GetReason(), "completed session") {
		t.Fatalf("standing events = %v; want FLAGGED then ACTIVE because a session was completed", evs)
	}
}

func TestLateCancellationsAndReschedulesSuspend(t *testing.T) {
	h := start(t)
	day := 24 * time.Hour
	// Two reschedules the mentor initiated 2 days before the session: late.
	h.newBooking("l-1", "mentor-ada", "mentee-bo", t0.Add(10*day)).request().approve(time.Hour).reschedule(mentor, t0.Add(8*day), t0.Add(12*day))
	h.newBooking("l-2", "mentor-ada", "mentee-bo", t0.Add(10*day)).request().approve(time.Hour).reschedule(mentor, t0.Add(8*day), t0.Add(12*day))
	// Not counted: one the mentee initiated, and one the mentor asked for 20 days ahead.
	h.newBooking("l-3", "mentor-ada", "mentee-bo", t0.Add(10*day)).request().approve(time.Hour).reschedule(mentee, t0.Add(9*day), t0.Add(12*day))
	h.newBooking("l-4", "mentor-ada", "mentee-bo", t0.Add(30*day)).request().approve(time.Hour).reschedule(mentor, t0.Add(10*day), t0.Add(31*day))
	h.settle()
	r := h.reputation("mentor-ada")
	if r.GetStanding() != reputationv1.Standing_STANDING_ACTIVE || r.GetFigures().GetLateRescheduleCount() != 2 {
		t.Fatalf("after 2 late reschedules: standing %v, late reschedules %d; want ACTIVE, 2", r.GetStanding(), r.GetFigures().GetLateRescheduleCount())
	}
	// A third late change: a cancellation 1 day before the session.
	h.newBooking("l-5", "mentor-ada", "mentee-bo", t0.Add(12*day)).request().approve(time.Hour).cancel(mentor, t0.Add(11*day))
	h.settle()
	r = h.reputation("mentor-ada")
	if r.GetStanding() != reputationv1.Standing_STANDING_SUSPENDED || r.GetFigures().GetLateCancellationCount() != 1 {
		t.Fatalf("after a 3rd late change: standing %v, late cancellations %d; want SUSPENDED, 1", r.GetStanding(), r.GetFigures().GetLateCancellationCount())
	}
	evs := h.standingEvents()
	if len(evs) != 1 || evs[0].GetStanding() != reputationv1.Standing_STANDING_SUSPENDED ||
		!strings.Contains(evs[0].GetReason(), "1 late cancellations and 2 late reschedules") {
		t.Fatalf("standing events = %v; want one SUSPENDED naming the late changes", evs)
	}
	// Suspended mentors are not in search.
	res, err := h.api.SearchMentors(h.as(reader), &reputationv1.SearchMentorsRequest{})
	if err != nil || len(res.GetMentors()) != 0 {
		t.Fatalf("search = %v, %v; want no bookable mentors", res, err)
	}
}

func TestStaleEventIsIgnored(t *testing.T) {
	h := start(t)
	k := h.newBooking("s-1", "mentor-eve", "mentee-bo", t0.Add(30*24*time.Hour)).request()
	h.settle()
	approve := k.approve(2 * time.Hour).last
	k.cancel(mentor, t0.Add(3*24*time.Hour))
	h.settle()
	// booking.approved (version 2) arrives again, after the cancellation
	// (version 3), under a new event id: it must not resurrect the booking.
	stale := approve
	stale.ID = [16]byte{1, 2, 3}
	h.publish(stale, stale.ID.String())
	h.settle()
	r := h.reputation("mentor-eve")
	f := r.GetFigures()
	if f.GetMentorCancellationCount() != 1 || f.GetApprovedCount() != 1 || f.GetCancellationStreak() != 1 {
		t.Fatalf("after a stale approval: cancellations %d approved %d streak %d; want 1, 1, 1",
			f.GetMentorCancellationCount(), f.GetApprovedCount(), f.GetCancellationStreak())
	}
}

func TestMalformedEventIsDeadLetteredAndDoesNotBlock(t *testing.T) {
	h := start(t)
	bad := h.newBooking("m-1", "", "mentee-bo", t0.Add(30*24*time.Hour)) // no mentor: can never be projected
	bad.request()
	cancelledByMentor(h, "m-2", "mentor-eve", t0.Add(24*time.Hour))
	h.settle()
	if f := h.reputation("mentor-eve").GetFigures(); f.GetMentorCancellationCount() != 1 {
		t.Fatalf("events after a malformed one were not projected: %v", f)
	}
	st, err := h.js.Stream(t.Context(), "DEADLETTER")
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(t.Context())
	if err != nil || info.State.Msgs != 1 {
		t.Fatalf("dead letters = %v, %v; want the malformed event", info, err)
	}
}

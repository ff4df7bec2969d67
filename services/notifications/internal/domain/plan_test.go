package domain

import (
	"errors"
	"testing"
	"time"
)

func TestPlan(t *testing.T) {
	start := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	base := Booking{ID: "b1", MentorID: "mentor", MenteeID: "mentee", Start: start}
	withProposal := base
	withProposal.Proposal = &Proposal{Start: start.Add(time.Hour), ProposedBy: RoleMentee}
	cancelledByMentee := base
	cancelledByMentee.Outcome = Outcome{EndedBy: RoleMentee}

	tests := []struct {
		subject string
		b       Booking
		actor   Role
		text    string
		want    []string // "reader:user"
	}{
		{"booking.requested", base, RoleMentee, "", []string{"mentor:mentor"}},
		{"booking.approved", base, RoleMentor, "", []string{"mentee:mentee", "mentor:mentor"}},
		{"booking.rejected", base, RoleMentor, "", []string{"mentee:mentee"}},
		{"booking.proposed", withProposal, RoleMentee, "", []string{"mentor:mentor"}},
		{"booking.rescheduled", base, RoleMentor, "", []string{"mentee:mentee"}},
		{"booking.proposal_declined", base, RoleMentee, "", []string{"mentor:mentor"}},
		{"booking.reminder", base, RoleSystem, "", []string{"mentor:mentor"}},
		{"booking.expired", base, RoleSystem, "", []string{"mentee:mentee"}},
		{"booking.cancelled", cancelledByMentee, RoleMentee, "", []string{"mentor:mentor"}},
		{"booking.cancelled", base, RoleAdmin, "", []string{"mentee:mentee", "mentor:mentor"}},
		{"booking.marked_paid", base, RoleMentor, "", []string{"mentee:mentee"}},
		{"booking.no_show", base, RoleMentor, "", []string{"mentee:mentee"}},
		{"booking.completed", base, RoleMentor, "", []string{"mentee:mentee"}},
		{"booking.message_sent", base, RoleMentor, "hi", []string{"mentee:mentee"}},
		{"booking.session_ended", base, RoleSystem, "", nil},
		{"booking.session_reminder", base, RoleSystem, "", []string{"mentee:mentee", "mentor:mentor"}},
		{"booking.refunded", base, RoleMentor, "", nil}, // told by payment.refunded
		{"booking.something_new", base, RoleSystem, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.subject, func(t *testing.T) {
			got, err := Plan(BookingEvent{Subject: tt.subject, Booking: tt.b, ActorRole: tt.actor, Text: tt.text})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, n := range got {
				names = append(names, string(n.Reader)+":"+n.UserID)
			}
			if len(names) != len(tt.want) {
				t.Fatalf("readers %v, want %v", names, tt.want)
			}
			for i := range names {
				if names[i] != tt.want[i] {
					t.Fatalf("readers %v, want %v", names, tt.want)
				}
			}
		})
	}
}

func TestPlanRejectsIncompleteEvents(t *testing.T) {
	for name, ev := range map[string]BookingEvent{
		"no ids":             {Subject: "booking.requested", Booking: Booking{ID: "b1"}},
		"approved, no start": {Subject: "booking.approved", Booking: Booking{ID: "b1", MentorID: "m", MenteeID: "e"}},
		"message, no text":   {Subject: "booking.message_sent", Booking: Booking{ID: "b1", MentorID: "m", MenteeID: "e"}},
		"proposed, no time":  {Subject: "booking.proposed", Booking: Booking{ID: "b1", MentorID: "m", MenteeID: "e"}},
	} {
		if _, err := Plan(ev); !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("%s: err = %v, want ErrInvalidEvent", name, err)
		}
	}
}

func TestFormatTimeInReadersZone(t *testing.T) {
	at := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	if got, want := FormatTime(at, "Europe/Berlin"), "Monday 2 March 2026, 15:00 CET (Europe/Berlin)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := FormatTime(at, "America/New_York"), "Monday 2 March 2026, 09:00 EST (America/New_York)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := FormatTime(at, "Not/AZone"), "Monday 2 March 2026, 14:00 UTC (UTC)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPlanPayment(t *testing.T) {
	eur := Money{Currency: "EUR", AmountMinor: 4050}
	base := PaymentEvent{BookingID: "b1", MentorID: "mentor", MenteeID: "mentee", Amount: eur}
	for subject, want := range map[string]string{
		"payout.due":          "payout_due:mentor:mentor",
		"payment.refunded":    "payment_refunded:mentee:mentee",
		"payment.captured":    "",
		"payment.authorized":  "",
		"payment.marked_paid": "",
	} {
		ev := base
		ev.Subject = subject
		got, err := PlanPayment(ev)
		if err != nil {
			t.Fatalf("%s: %v", subject, err)
		}
		var names string
		for _, n := range got {
			names += n.Kind + ":" + string(n.Reader) + ":" + n.UserID
		}
		if names != want {
			t.Errorf("%s: %q, want %q", subject, names, want)
		}
	}
	for _, bad := range []PaymentEvent{
		{Subject: "payout.due", BookingID: "b1", Amount: eur},                           // no mentor
		{Subject: "payment.refunded", BookingID: "b1", MentorID: "mentor", Amount: eur}, // no mentee
		{Subject: "payment.refunded", BookingID: "b1", MenteeID: "mentee"},              // no amount
		{Subject: "payout.due", MentorID: "mentor", Amount: eur},                        // no booking
	} {
		if _, err := PlanPayment(bad); !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("%+v: err %v, want ErrInvalidEvent", bad, err)
		}
	}
}

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
		change Change
		b      Booking
		actor  Role
		text   string
		want   []string // "reader:user"
	}{
		{ChangeRequested, base, RoleMentee, "", []string{"mentor:mentor"}},
		{ChangeApproved, base, RoleMentor, "", []string{"mentee:mentee", "mentor:mentor"}},
		{ChangeRejected, base, RoleMentor, "", []string{"mentee:mentee"}},
		{ChangeProposed, withProposal, RoleMentee, "", []string{"mentor:mentor"}},
		{ChangeRescheduled, base, RoleMentor, "", []string{"mentee:mentee"}},
		{ChangeProposalDeclined, base, RoleMentee, "", []string{"mentor:mentor"}},
		{ChangeReminder, base, RoleSystem, "", []string{"mentor:mentor"}},
		{ChangeExpired, base, RoleSystem, "", []string{"mentee:mentee"}},
		{ChangeCancelled, cancelledByMentee, RoleMentee, "", []string{"mentor:mentor"}},
		{ChangeCancelled, base, RoleAdmin, "", []string{"mentee:mentee", "mentor:mentor"}},
		{ChangeMarkedPaid, base, RoleMentor, "", []string{"mentee:mentee"}},
		{ChangeNoShow, base, RoleMentor, "", []string{"mentee:mentee"}},
		{ChangeCompleted, base, RoleMentor, "", []string{"mentee:mentee"}},
		{ChangeMessageSent, base, RoleMentor, "hi", []string{"mentee:mentee"}},
		{ChangeSessionEnded, base, RoleSystem, "", nil},
		{ChangeSessionReminder, base, RoleSystem, "", []string{"mentee:mentee", "mentor:mentor"}},
		{ChangeRefunded, base, RoleMentor, "", nil}, // told by payment.refunded
		{Change("something_new"), base, RoleSystem, "", nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.change), func(t *testing.T) {
			got, err := Plan(BookingEvent{Change: tt.change, Booking: tt.b, ActorRole: tt.actor, Text: tt.text})
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
		"no ids":             {Change: ChangeRequested, Booking: Booking{ID: "b1"}},
		"approved, no start": {Change: ChangeApproved, Booking: Booking{ID: "b1", MentorID: "m", MenteeID: "e"}},
		"message, no text":   {Change: ChangeMessageSent, Booking: Booking{ID: "b1", MentorID: "m", MenteeID: "e"}},
		"proposed, no time":  {Change: ChangeProposed, Booking: Booking{ID: "b1", MentorID: "m", MenteeID: "e"}},
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
	for change, want := range map[PaymentChange]string{
		PaymentPayoutDue: "payout_due:mentor:mentor",
		PaymentRefunded:  "payment_refunded:mentee:mentee",
		"":               "", // captured, authorized, marked paid: told by the booking's events
	} {
		ev := base
		ev.Change = change
		got, err := PlanPayment(ev)
		if err != nil {
			t.Fatalf("%s: %v", change, err)
		}
		var names string
		for _, n := range got {
			names += n.Kind + ":" + string(n.Reader) + ":" + n.UserID
		}
		if names != want {
			t.Errorf("%s: %q, want %q", change, names, want)
		}
	}
	for _, bad := range []PaymentEvent{
		{Change: PaymentPayoutDue, BookingID: "b1", Amount: eur},                    // no mentor
		{Change: PaymentRefunded, BookingID: "b1", MentorID: "mentor", Amount: eur}, // no mentee
		{Change: PaymentRefunded, BookingID: "b1", MenteeID: "mentee"},              // no amount
		{Change: PaymentPayoutDue, MentorID: "mentor", Amount: eur},                 // no booking
	} {
		if _, err := PlanPayment(bad); !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("%+v: err %v, want ErrInvalidEvent", bad, err)
		}
	}
}

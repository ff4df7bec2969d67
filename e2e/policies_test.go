package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/identity"
)

// TestMarketplacePolicies drives the marketplace's rules through REST: a
// mentor's auto-approval, the marketplace policy resource and what the other
// services do with it. The subtests share one running bookwell.
func TestMarketplacePolicies(t *testing.T) {
	w := start(t, map[string]string{"RATE_LIMIT_RPS": "10000", "RATE_LIMIT_BURST": "10000"})
	day := 24 * time.Hour
	ahead := func(d time.Duration) time.Time { return time.Now().Add(d).Truncate(time.Minute) }

	t.Run("auto-approval answers the request with the confirmed booking", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-auto", paidOffering(60, 1))
		mentor.ok("PATCH", "/v1/mentors/"+mentor.id+"/bookingSettings", map[string]any{"autoApprove": true})
		mentee := w.user(t, "mentee-quick", identity.RoleMentee)
		created := mentee.book(mentor.id, offering, ahead(3*day), nil)
		id := str(created, "booking.id")
		if str(created, "booking.status") != "BOOKING_STATUS_CONFIRMED" || str(created, "booking.paymentStatus") != "PAYMENT_STATUS_PAID" {
			t.Fatalf("the request's answer = %s / %s", str(created, "booking.status"), str(created, "booking.paymentStatus"))
		}
		if !strings.HasPrefix(str(created, "booking.meetingUrl"), "https://") {
			t.Fatalf("the answer carries the meeting link: %v", get(created, "booking"))
		}
		// Only the approval is announced, as auto-approved by the system.
		if evs := w.eventsOf(t, id, 1); !slices.Equal(evs, []string{"booking.approved"}) {
			t.Fatalf("events = %v", evs)
		}
		// The mentee is told it is confirmed; the mentor of a new booking,
		// never asked to decide a request.
		eventually(t, 20*time.Second, "the mentee's confirmation", func() bool {
			return strings.Contains(string(mustJSON(mentee.ok("GET", "/v1/users/"+mentee.id+"/notifications", nil))), "is confirmed")
		})
		eventually(t, 20*time.Second, "the mentor hears of the new booking", func() bool {
			return strings.Contains(string(mustJSON(mentor.ok("GET", "/v1/users/"+mentor.id+"/notifications", nil))), "New booking")
		})
		bell := string(mustJSON(mentor.ok("GET", "/v1/users/"+mentor.id+"/notifications", nil)))
		if strings.Contains(bell, "booking.requested") || strings.Contains(bell, "You approved") {
			t.Fatalf("the mentor's bell tells of a request or a decision: %s", bell)
		}
	})

	t.Run("the marketplace policy: read, validated, versioned, audited, announced", func(t *testing.T) {
		// Not parallel: it changes the marketplace for what follows.
		admin := w.user(t, "admin-policy", identity.RoleAdmin)
		mentor := w.user(t, "mentor-curious", identity.RoleMentor)
		cur := admin.ok("GET", "/v1/marketplacePolicy", nil)
		if str(cur, "policy.introMinNotice") != "172800s" || str(cur, "policy.introHorizon") != "1209600s" ||
			fmt.Sprint(get(cur, "policy.introMonthlyQuota")) != "3" || get(cur, "policy.introOnePerMentor") != true ||
			fmt.Sprint(get(cur, "policy.flagStreak")) != "3" || fmt.Sprint(get(cur, "policy.deactivateStreak")) != "5" ||
			str(cur, "policy.lateChangeWindow") != "432000s" || fmt.Sprint(get(cur, "policy.lateChangeLimit")) != "2" ||
			str(cur, "policy.approvalWindow") != "604800s" || fmt.Sprint(get(cur, "policy.commissionBps")) != "1000" {
			t.Fatalf("defaults = %s", mustJSON(cur))
		}
		etag := str(cur, "policy.etag")
		mentor.refused("GET", "/v1/marketplacePolicy", nil, http.StatusForbidden, "")
		mentor.refused("PATCH", "/v1/marketplacePolicy", map[string]any{"etag": etag, "commissionBps": 500}, http.StatusForbidden, "")
		// Values that cannot work: refused, field by field, nothing changed.
		bad := admin.refused("PATCH", "/v1/marketplacePolicy", map[string]any{"etag": etag, "commissionBps": 20000,
			"introHorizon": "3600s", "deactivateStreak": 2}, http.StatusBadRequest, "INVALID_ARGUMENT")
		for _, f := range []string{"commission_bps", "intro_horizon", "deactivate_streak"} {
			if !strings.Contains(string(bad.raw), f) {
				t.Errorf("the refusal does not name %s: %s", f, bad.raw)
			}
		}
		admin.refused("PATCH", "/v1/marketplacePolicy", map[string]any{"commissionBps": 1500}, http.StatusBadRequest, "INVALID_ARGUMENT")
		if str(admin.ok("GET", "/v1/marketplacePolicy", nil), "policy.etag") != etag {
			t.Fatal("a refused update made a version")
		}
		// An update makes a new version; the old etag no longer updates.
		up := admin.ok("PATCH", "/v1/marketplacePolicy", map[string]any{"etag": etag, "commissionBps": 1500, "flagStreak": 4})
		if str(up, "policy.version") != "1" || fmt.Sprint(get(up, "policy.commissionBps")) != "1500" || str(up, "policy.updatedBy") != admin.id {
			t.Fatalf("after update = %s", mustJSON(up))
		}
		admin.refused("PATCH", "/v1/marketplacePolicy", map[string]any{"etag": etag, "commissionBps": 900}, http.StatusConflict, "POLICY_VERSION_MISMATCH")
		changes := admin.ok("GET", "/v1/marketplacePolicy/changes", nil)
		cs, _ := get(changes, "changes").([]any)
		if len(cs) != 1 {
			t.Fatalf("changes = %s", mustJSON(changes))
		}
		c := cs[0].(map[string]any)
		fields, _ := c["fields"].([]any)
		if c["actorId"] != admin.id || len(fields) != 2 || str(fields[0].(map[string]any), "field") != "commission_bps" ||
			str(fields[0].(map[string]any), "oldValue") != "1000" || str(fields[0].(map[string]any), "newValue") != "1500" ||
			str(fields[1].(map[string]any), "field") != "flag_streak" {
			t.Fatalf("audit = %s", mustJSON(c))
		}
		if evs := w.eventsOf(t, admin.id, 1); !slices.Contains(evs, "booking.marketplace_policy_changed") {
			t.Fatalf("events = %v", evs)
		}
		// A booking keeps the version it was made under.
		m, offering := w.mentorWithOffering(t, "mentor-versioned", paidOffering(60, 1))
		b := w.user(t, "mentee-versioned", identity.RoleMentee).book(m.id, offering, ahead(4*day), nil)
		if str(b, "booking.policyVersion") != "1" || fmt.Sprint(get(b, "booking.cancellationPolicy.commissionBps")) != "1500" {
			t.Fatalf("booking under version 1 = %s", mustJSON(get(b, "booking").(map[string]any)))
		}
		// Back to the default commission, for the tests that follow.
		admin.ok("PATCH", "/v1/marketplacePolicy", map[string]any{"etag": str(up, "policy.etag"), "commissionBps": 1000, "flagStreak": 3})
	})

	t.Run("payments settles with the booking's policy; an early cancellation says it refunded in full", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-strict", paidOffering(60, 1))
		// The mentor's own notice: 48 hours (payments' own is 24).
		mentor.ok("PATCH", "/v1/mentors/"+mentor.id+"/bookingSettings", map[string]any{"freeCancelBefore": "172800s"})
		mentee := w.user(t, "mentee-late", identity.RoleMentee)
		late := str(mentee.book(mentor.id, offering, ahead(30*time.Hour), nil), "booking.id")
		mentor.ok("POST", "/v1/bookings/"+late+":approve", map[string]any{})
		if c := mentee.ok("POST", "/v1/bookings/"+late+":cancel", map[string]any{}); get(c, "booking.outcome.late") != true {
			t.Fatalf("30 hours ahead of a 48-hour notice is late: %v", get(c, "booking.outcome"))
		}
		pay := mentor.ok("GET", "/v1/bookings/"+late+"/payment", nil)
		if str(pay, "payment.settlement") != "SETTLEMENT_OUTCOME_MENTOR_PAID" || fmt.Sprint(get(pay, "payment.commissionAmount")) != "500" {
			t.Fatalf("payments must settle by the booking's policy: %v", get(pay, "payment"))
		}
		early := str(mentee.book(mentor.id, offering, ahead(5*day), nil), "booking.id")
		mentor.ok("POST", "/v1/bookings/"+early+":approve", map[string]any{})
		mentee.ok("POST", "/v1/bookings/"+early+":cancel", map[string]any{})
		pay = mentee.ok("GET", "/v1/bookings/"+early+"/payment", nil)
		if str(pay, "payment.settlement") != "SETTLEMENT_OUTCOME_FULL_REFUND" || str(pay, "payment.status") != "PAYMENT_STATUS_REFUNDED" {
			t.Fatalf("an early cancellation's refund: %v", get(pay, "payment"))
		}
	})
}

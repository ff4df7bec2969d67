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

	t.Run("scheduling and reputation apply the intro and standing rules of the policy", func(t *testing.T) {
		// Not parallel: it changes the marketplace, and puts it back.
		admin := w.user(t, "admin-rules", identity.RoleAdmin)
		etag := str(admin.ok("GET", "/v1/marketplacePolicy", nil), "policy.etag")
		up := admin.ok("PATCH", "/v1/marketplacePolicy", map[string]any{"etag": etag,
			"introLength": "1800s", "introMinNotice": "3600s", "introHorizon": "259200s", "introMonthlyQuota": 2,
			"introOnePerMentor": false, "flagStreak": 1, "deactivateStreak": 5})
		defer func() {
			admin.ok("PATCH", "/v1/marketplacePolicy", map[string]any{"etag": str(up, "policy.etag"),
				"introLength": "1200s", "introMinNotice": "172800s", "introHorizon": "1209600s", "introMonthlyQuota": 3,
				"introOnePerMentor": true, "flagStreak": 3, "deactivateStreak": 5})
		}()
		intro := map[string]any{"name": "Intro", "kind": "OFFERING_KIND_INTRO", "durationMinutes": 30, "capacity": 1}
		introOf := func(id string) (user, string) {
			m, _ := w.mentorWithOffering(t, id, paidOffering(60, 1))
			var off string
			// A 30-minute intro offering is valid once scheduling applies
			// the new version.
			eventually(t, 20*time.Second, "scheduling applies the policy's intro length", func() bool {
				r := m.call("POST", "/v1/mentors/"+id+"/offerings", intro)
				off = str(r.body, "offering.id")
				return r.status == http.StatusOK
			})
			return m, off
		}
		m1, intro1 := introOf("mentor-intro-1")
		m2, intro2 := introOf("mentor-intro-2")
		mentee := w.user(t, "mentee-intros", identity.RoleMentee)
		request := func(m user, off string, at time.Time) response {
			return mentee.call("POST", "/v1/bookings", map[string]any{"booking": map[string]any{"mentorId": m.id, "offeringId": off,
				"startTime": at.UTC().Format(time.RFC3339), "menteeName": "Ada Lovelace", "menteeEmail": mentee.id + "@example.com",
				"menteeTimeZone": "UTC"}, "requestId": fmt.Sprint(time.Now().UnixNano())})
		}
		refusedWith := func(r response, reason string) {
			t.Helper()
			if r.status == http.StatusOK || !strings.Contains(string(r.raw), `"reason":"`+reason+`"`) {
				t.Fatalf("intro request: %d %s; want %s", r.status, r.raw, reason)
			}
		}
		// Notice 1 hour, horizon 3 days (the defaults: 48 hours, 14 days).
		refusedWith(request(m1, intro1, ahead(30*time.Minute)), "NOTICE_TOO_SHORT")
		refusedWith(request(m1, intro1, ahead(4*day)), "BEYOND_HORIZON")
		base := ahead(3 * time.Hour).Truncate(time.Hour)
		if base.UTC().Month() != base.Add(time.Hour).UTC().Month() {
			base = base.Add(2 * time.Hour) // both intros and the refused third in one month (UTC, the mentee's zone)
		}
		first := request(m1, intro1, base)
		if first.status != http.StatusOK {
			t.Fatalf("an intro 3 hours ahead: %d %s", first.status, first.raw)
		}
		start, _ := time.Parse(time.RFC3339, str(first.body, "booking.startTime"))
		end, _ := time.Parse(time.RFC3339, str(first.body, "booking.endTime"))
		if end.Sub(start) != 30*time.Minute {
			t.Fatalf("the intro lasts %s, want the policy's 30 minutes: %s", end.Sub(start), first.raw)
		}
		// One per mentor is off: a second intro with the same mentor.
		if r := request(m1, intro1, base.Add(time.Hour)); r.status != http.StatusOK {
			t.Fatalf("a second intro with one mentor: %d %s", r.status, r.raw)
		}
		// The quota is 2 a month.
		refusedWith(request(m2, intro2, base), "INTRO_QUOTA_EXCEEDED")

		// Flagged at 1 (the default: 3): one cancellation flags a mentor.
		flaky, off := w.mentorWithOffering(t, "mentor-flag-early", paidOffering(60, 1))
		eve := w.user(t, "mentee-flag-early", identity.RoleMentee)
		id := str(eve.book(flaky.id, off, ahead(8*day).Truncate(time.Hour), nil), "booking.id")
		flaky.ok("POST", "/v1/bookings/"+id+":approve", map[string]any{})
		flaky.ok("POST", "/v1/bookings/"+id+":cancel", map[string]any{"reason": "busy"})
		eventually(t, 20*time.Second, "flagged after one cancellation", func() bool {
			r := eve.ok("GET", "/v1/mentors/"+flaky.id+"/reputation", nil)
			return str(r, "reputation.standing") == "STANDING_FLAGGED" && strings.Contains(str(r, "reputation.standingReason"), "flagged at 1")
		})
	})

	t.Run("with short intro windows: intro, continuation, bundle, a session paid by a credit, all through REST", func(t *testing.T) {
		// Not parallel: it changes the marketplace, and puts it back. It
		// waits about a minute for the intro to start.
		admin := w.user(t, "admin-journey", identity.RoleAdmin)
		etag := str(admin.ok("GET", "/v1/marketplacePolicy", nil), "policy.etag")
		up := admin.ok("PATCH", "/v1/marketplacePolicy", map[string]any{"etag": etag,
			"introLength": "300s", "introMinNotice": "0s", "introHorizon": "86400s"})
		defer func() {
			admin.ok("PATCH", "/v1/marketplacePolicy", map[string]any{"etag": str(up, "policy.etag"),
				"introLength": "1200s", "introMinNotice": "172800s", "introHorizon": "1209600s"})
		}()
		mentor, paid := w.mentorWithOffering(t, "mentor-journey", paidOffering(60, 1))
		var intro string
		eventually(t, 20*time.Second, "scheduling applies the policy's intro length", func() bool {
			r := mentor.call("POST", "/v1/mentors/"+mentor.id+"/offerings",
				map[string]any{"name": "Intro", "kind": "OFFERING_KIND_INTRO", "durationMinutes": 5, "capacity": 1})
			intro = str(r.body, "offering.id")
			return r.status == http.StatusOK
		})
		mentee := w.user(t, "mentee-journey", identity.RoleMentee)
		// An intro a minute ahead: the policy's notice is 0.
		at := time.Now().Add(60 * time.Second).Truncate(time.Second)
		b := mentee.ok("POST", "/v1/bookings", map[string]any{"booking": map[string]any{"mentorId": mentor.id, "offeringId": intro,
			"startTime": at.UTC().Format(time.RFC3339), "menteeName": "Ada Lovelace", "menteeEmail": mentee.id + "@example.com",
			"menteeTimeZone": "UTC"}, "requestId": fmt.Sprint(time.Now().UnixNano())})
		id := str(b, "booking.id")
		if str(b, "booking.status") == "BOOKING_STATUS_PENDING" {
			mentor.ok("POST", "/v1/bookings/"+id+":approve", map[string]any{})
		}
		time.Sleep(time.Until(at) + 500*time.Millisecond)
		if done := mentor.ok("POST", "/v1/bookings/"+id+":complete", map[string]any{}); str(done, "booking.status") != "BOOKING_STATUS_COMPLETED" {
			t.Fatalf("the intro completed = %v", get(done, "booking"))
		}
		if d := mentor.ok("POST", "/v1/bookings/"+id+":decideContinuation", map[string]any{"approve": true}); str(d, "booking.continuation") != "CONTINUATION_APPROVED" {
			t.Fatalf("continuation = %v", get(d, "booking"))
		}
		// Payments learns of the continuation from its event.
		var bundle map[string]any
		eventually(t, 20*time.Second, "the mentee may buy a bundle", func() bool {
			r := mentee.call("POST", "/v1/bundles", map[string]any{"mentorId": mentor.id, "sessions": 2, "sessionPrice": "5000",
				"currency": "EUR", "card": "4242424242424242", "idempotencyKey": "journey-bundle"})
			bundle = r.body
			return r.status == http.StatusOK
		})
		bundleID := str(bundle, "bundle.id")
		s := mentee.ok("POST", "/v1/bookings", map[string]any{"booking": map[string]any{"mentorId": mentor.id, "offeringId": paid,
			"startTime": ahead(3 * day).UTC().Format(time.RFC3339), "paymentMethod": "PAYMENT_METHOD_BUNDLE", "bundleId": bundleID,
			"menteeName": "Ada Lovelace", "menteeEmail": mentee.id + "@example.com", "menteeTimeZone": "UTC"},
			"requestId": fmt.Sprint(time.Now().UnixNano())})
		if str(s, "booking.paymentMethod") != "PAYMENT_METHOD_BUNDLE" || str(s, "booking.bundleId") != bundleID {
			t.Fatalf("a session paid by the bundle = %s", mustJSON(get(s, "booking").(map[string]any)))
		}
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

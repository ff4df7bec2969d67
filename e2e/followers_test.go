package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/identity"
)

// TestEveryoneHearsAndCounts checks what follows a booking across contexts:
// notifications deliver the request and the approval to the right inboxes and
// mailboxes, reputation counts the decision, and the lists find, page, filter
// and export what was booked.
func TestEveryoneHearsAndCounts(t *testing.T) {
	w := start(t, map[string]string{"RATE_LIMIT_RPS": "10000", "RATE_LIMIT_BURST": "10000"})
	mentor, offering := w.mentorWithOffering(t, "mentor-noether", paidOffering(60, 1))
	admin := w.user(t, "admin-1", identity.RoleAdmin)
	ada := w.user(t, "mentee-ada", identity.RoleMentee)
	bob := w.user(t, "mentee-bob", identity.RoleMentee)
	day := 24 * time.Hour
	base := time.Now().Add(2 * day).Truncate(time.Hour)

	approved := str(ada.book(mentor.id, offering, base, map[string]any{"menteeName": "Ada Lovelace"}), "booking.id")
	mentor.ok("POST", "/v1/bookings/"+approved+":approve", map[string]any{})
	rejected := str(bob.book(mentor.id, offering, base.Add(time.Hour), map[string]any{"menteeName": "Bob Babbage"}), "booking.id")
	mentor.ok("POST", "/v1/bookings/"+rejected+":reject", map[string]any{"reason": "Timezone mismatch"})
	later := str(ada.book(mentor.id, offering, base.Add(5*day), map[string]any{"menteeName": "Ada Lovelace"}), "booking.id")

	t.Run("notifications reach the right inbox and mailbox", func(t *testing.T) {
		eventually(t, 20*time.Second, "the mentor's bell shows the requests", func() bool {
			r := mentor.ok("GET", "/v1/users/"+mentor.id+"/notifications", nil)
			return strings.Count(string(mustJSON(r)), `"bookingId":"`) >= 3
		})
		eventually(t, 20*time.Second, "the mentee hears of the approval", func() bool {
			r := ada.ok("GET", "/v1/users/"+ada.id+"/notifications", nil)
			return strings.Contains(string(mustJSON(r)), approved) && strings.Contains(strings.ToLower(string(mustJSON(r))), "approved")
		})
		eventually(t, 20*time.Second, "the rejected mentee reads the reason", func() bool {
			return strings.Contains(string(mustJSON(bob.ok("GET", "/v1/users/"+bob.id+"/notifications", nil))), "Timezone mismatch")
		})
		// Nobody reads someone else's bell.
		bob.refused("GET", "/v1/users/"+ada.id+"/notifications", nil, http.StatusForbidden, "")
		eventually(t, 20*time.Second, "an email to the mentee with a calendar file", func() bool {
			for _, m := range asList(get(admin.ok("GET", "/v1/devmailbox/messages", nil), "messages")) {
				if m["to"] == "mentee-ada@example.com" && strings.Contains(fmt.Sprint(m["attachmentNames"]), ".ics") {
					return true
				}
			}
			return false
		})
	})

	t.Run("reputation counts the mentor's decisions", func(t *testing.T) {
		eventually(t, 20*time.Second, "approval rate 1 of 2", func() bool {
			r := ada.ok("GET", "/v1/mentors/"+mentor.id+"/reputation", nil)
			return str(r, "reputation.figures.approvedCount") == "1" && str(r, "reputation.figures.decidedCount") == "2"
		})
		// The mentor answered both within a second of the request: the
		// median says how long, to the millisecond, not "0s".
		r := ada.ok("GET", "/v1/mentors/"+mentor.id+"/reputation", nil)
		if median, err := time.ParseDuration(str(r, "reputation.figures.medianResponseTime")); err != nil || median <= 0 || median > time.Minute {
			t.Fatalf("median response time %q (%v): want the real figure", str(r, "reputation.figures.medianResponseTime"), err)
		}
		// The mentor's pending view shows what reputation knows of the mentee.
		v := mentor.ok("GET", "/v1/bookings/"+later, nil)
		if get(v, "pendingView") == nil {
			t.Fatalf("no pending view: %v", v)
		}
	})

	t.Run("a mentor who cancels five in a row is deactivated and takes no bookings until an operator lifts it", func(t *testing.T) {
		flaky, off := w.mentorWithOffering(t, "mentor-flaky", paidOffering(60, 1))
		eve := w.user(t, "mentee-eve", identity.RoleMentee)
		// More than 5 days ahead: these are not late cancellations, which
		// would suspend the mentor after 3 by a rule of their own.
		far := time.Now().Add(8 * day).Truncate(time.Hour)
		for i := range 5 {
			id := str(eve.book(flaky.id, off, far.Add(time.Duration(i)*day), nil), "booking.id")
			flaky.ok("POST", "/v1/bookings/"+id+":approve", map[string]any{})
			flaky.ok("POST", "/v1/bookings/"+id+":cancel", map[string]any{"reason": "busy"})
			if i == 2 {
				eventually(t, 20*time.Second, "flagged after 3 in a row, still bookable", func() bool {
					return str(eve.ok("GET", "/v1/mentors/"+flaky.id+"/reputation", nil), "reputation.standing") == "STANDING_FLAGGED"
				})
			}
		}
		eventually(t, 20*time.Second, "standing DEACTIVATED with a reason", func() bool {
			r := eve.ok("GET", "/v1/mentors/"+flaky.id+"/reputation", nil)
			return str(r, "reputation.standing") == "STANDING_DEACTIVATED" && str(r, "reputation.standingReason") != ""
		})
		eventually(t, 20*time.Second, "scheduling refuses new requests", func() bool {
			r := eve.call("POST", "/v1/bookings", map[string]any{"booking": map[string]any{"mentorId": flaky.id, "offeringId": off,
				"startTime": far.Add(10 * day).UTC().Format(time.RFC3339), "paymentMethod": "PAYMENT_METHOD_CARD"},
				"cardToken": "4242424242424242"})
			return r.status == http.StatusConflict && strings.Contains(string(r.raw), "MENTOR_UNAVAILABLE")
		})
		// A request with preferred times holds no slot, and is refused the same way.
		eve.refused("POST", "/v1/bookings", map[string]any{"booking": map[string]any{"mentorId": flaky.id, "offeringId": off,
			"preferredStartTimes": []string{far.Add(10 * day).UTC().Format(time.RFC3339), far.Add(12 * day).UTC().Format(time.RFC3339)},
			"paymentMethod":       "PAYMENT_METHOD_CARD"}, "cardToken": "4242424242424242"}, http.StatusConflict, "MENTOR_UNAVAILABLE")

		// An operator lifts it with a reason: the mentor is active again and
		// scheduling, told by mentor.standing_changed, takes requests again.
		flaky.refused("POST", "/v1/admin/mentors/"+flaky.id+"/standing:lift", map[string]any{"reason": "mine"}, http.StatusForbidden, "")
		lift := admin.ok("POST", "/v1/admin/mentors/"+flaky.id+"/standing:lift", map[string]any{"reason": "calendar sync bug, ticket 4711"})
		if str(lift, "change.standing") != "STANDING_ACTIVE" || str(lift, "operatorId") != admin.id {
			t.Fatalf("lift = %v", lift)
		}
		// Each try is a new request: a request_id refused once keeps its
		// answer, and scheduling may hear of the lift after the first try.
		tries := 0
		eventually(t, 20*time.Second, "scheduling takes requests again", func() bool {
			tries++
			r := eve.call("POST", "/v1/bookings", map[string]any{"booking": map[string]any{"mentorId": flaky.id, "offeringId": off,
				"startTime": far.Add(11 * day).UTC().Format(time.RFC3339), "paymentMethod": "PAYMENT_METHOD_CARD"},
				"cardToken": "4242424242424242", "requestId": fmt.Sprintf("after-lift-%d", tries)})
			return r.status == http.StatusOK
		})
		if r := eve.ok("GET", "/v1/mentors/"+flaky.id+"/reputation", nil); str(r, "reputation.standing") != "STANDING_ACTIVE" ||
			!strings.Contains(str(r, "reputation.standingReason"), "ticket 4711") {
			t.Fatalf("after the lift and a new request: %v", r)
		}
		admin.refused("POST", "/v1/admin/mentors/"+flaky.id+"/standing:lift", map[string]any{"reason": "again"}, http.StatusConflict, "NOTHING_TO_LIFT")
	})

	t.Run("amounts are in each currency's minor units: emails and the export show its decimals", func(t *testing.T) {
		offering := func(code, price string) map[string]any {
			o := paidOffering(60, 1)
			o["currencyCode"], o["priceMinorUnits"] = code, price
			return o
		}
		refusal := w.user(t, "mentor-abc", identity.RoleMentor).refused("POST", "/v1/mentors/mentor-abc/offerings", offering("ABC", "5000"), http.StatusBadRequest, "")
		if !strings.Contains(string(refusal.raw), "offering.currency_code") {
			t.Fatalf("an unknown currency must be refused on its field: %s", refusal.raw)
		}
		for _, c := range []struct{ mentor, mentee, code, price, email, csv string }{
			{"mentor-yen", "mentee-kei", "JPY", "5000", "JPY 5,000", ",5000,0,JPY,"},
			{"mentor-dinar", "mentee-noor", "KWD", "1500", "KWD 1.500", ",1.500,0.000,KWD,"},
		} {
			m, off := w.mentorWithOffering(t, c.mentor, offering(c.code, c.price))
			mentee := w.user(t, c.mentee, identity.RoleMentee)
			id := str(mentee.book(m.id, off, base.Add(3*day), nil), "booking.id")
			m.ok("POST", "/v1/bookings/"+id+":approve", map[string]any{})
			eventually(t, 20*time.Second, "the mentee's approval email shows "+c.email, func() bool {
				for _, msg := range asList(get(admin.ok("GET", "/v1/devmailbox/messages", nil), "messages")) {
					if msg["to"] == c.mentee+"@example.com" && strings.Contains(fmt.Sprint(msg["textBody"]), c.email) {
						return true
					}
				}
				return false
			})
			if csv := m.call("GET", "/v1/bookings:export", nil); !strings.Contains(string(csv.raw), c.csv) {
				t.Fatalf("%s export lacks %q:\n%s", c.code, c.csv, csv.raw)
			}
		}
	})

	t.Run("lists filter, search, page and export", func(t *testing.T) {
		page1 := mentor.ok("GET", "/v1/bookings?pageSize=2", nil)
		ids := func(r map[string]any) []string {
			var out []string
			for _, b := range get(r, "bookings").([]any) {
				out = append(out, b.(map[string]any)["id"].(string))
			}
			return out
		}
		first := ids(page1)
		if len(first) != 2 || first[0] != approved || first[1] != rejected || str(page1, "nextPageToken") == "" {
			t.Fatalf("page 1 (next session first) = %v, token %q", first, str(page1, "nextPageToken"))
		}
		page2 := mentor.ok("GET", "/v1/bookings?pageSize=2&pageToken="+str(page1, "nextPageToken"), nil)
		if got := ids(page2); len(got) != 1 || got[0] != later || str(page2, "nextPageToken") != "" {
			t.Fatalf("page 2 = %v", got)
		}
		if got := ids(mentor.ok("GET", "/v1/bookings?query=babbage", nil)); len(got) != 1 || got[0] != rejected {
			t.Fatalf("search by name = %v", got)
		}
		if got := ids(mentor.ok("GET", "/v1/bookings?query="+approved, nil)); len(got) != 1 || got[0] != approved {
			t.Fatalf("search by id = %v", got)
		}
		if got := ids(mentor.ok("GET", "/v1/bookings?statuses=BOOKING_STATUS_PENDING", nil)); len(got) != 1 || got[0] != later {
			t.Fatalf("filter by status = %v", got)
		}
		if got := ids(ada.ok("GET", "/v1/bookings?orderBy=start_time%20desc", nil)); len(got) != 2 || got[0] != later {
			t.Fatalf("the mentee's own, latest first = %v", got)
		}
		upcoming := mentor.ok("GET", "/v1/bookings?upcoming=true", nil)
		if got := ids(upcoming); len(got) != 1 || got[0] != approved {
			t.Fatalf("upcoming (next 72 h, approved) = %v", got)
		}
		mentor.refused("GET", "/v1/bookings?pageToken=garbage", nil, http.StatusBadRequest, "INVALID_PAGE_TOKEN")
		csv := mentor.call("GET", "/v1/bookings:export", nil)
		lines := strings.Split(strings.TrimSpace(string(csv.raw)), "\n")
		if csv.status != http.StatusOK || len(lines) != 4 || !strings.Contains(lines[0], "booking_id") || !strings.Contains(string(csv.raw), "Bob Babbage") {
			t.Fatalf("export: %d, %d lines\n%q", csv.status, len(lines), csv.raw)
		}
		// The byte-order mark (for Excel) only when asked for.
		if !strings.HasPrefix(string(csv.raw), "booking_id,") {
			t.Fatalf("the export must begin with its header: %q", csv.raw[:min(len(csv.raw), 20)])
		}
		if excel := mentor.call("GET", "/v1/bookings:export?bom=true", nil); excel.status != http.StatusOK ||
			string(excel.raw) != "\ufeff"+string(csv.raw) {
			t.Fatalf("export?bom=true: %d %q", excel.status, excel.raw[:min(len(excel.raw), 20)])
		}
	})
}

func asList(v any) []map[string]any {
	var out []map[string]any
	for _, x := range asSlice(v) {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

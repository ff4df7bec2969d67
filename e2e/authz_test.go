package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/identity"
)

// route is one operation of the merged OpenAPI document.
type route struct {
	method, path, op string
}

// routes reads every path and method of the OpenAPI document the gateway
// serves, so a route added to a proto is in this test without anyone
// remembering it.
func routes(t *testing.T) []route {
	t.Helper()
	raw, err := os.ReadFile("../gen/openapiv2/bookwell.swagger.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var out []route
	for p, ops := range doc.Paths {
		for m, op := range ops {
			out = append(out, route{method: strings.ToUpper(m), path: p, op: op.OperationID})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].op < out[j].op })
	return out
}

// fill puts ids into a path template's {params}.
func fill(path string, ids map[string]string) string {
	for {
		i := strings.Index(path, "{")
		if i < 0 {
			return path
		}
		j := strings.Index(path[i:], "}") + i
		v, ok := ids[path[i+1:j]]
		if !ok {
			v = "unknown-" + path[i+1:j]
		}
		path = path[:i] + v + path[j+1:]
	}
}

// openTo lists, per operation, the roles that may call it on someone else's
// resource (or on none: lists of one's own, search, creating): any answer
// but 401 and 5xx is fine for them. Everything else must refuse a stranger
// with 403 or 404.
var openTo = map[string][]identity.Role{
	"BookingService_ListBookings":           {identity.RoleMentee, identity.RoleMentor},
	"BookingService_StreamBookingsExport":   {identity.RoleMentee, identity.RoleMentor},
	"BookingService_CreateBooking":          {identity.RoleMentee, identity.RoleMentor},
	"PaymentsService_CreateBundle":          {identity.RoleMentee, identity.RoleMentor},
	"PaymentsService_ListMenteeBundles":     {identity.RoleMentor}, // only those bought with them (checked below)
	"ReputationService_GetMenteeHistory":    {identity.RoleMentor}, // deciding a request needs it (docs/product.md)
	"ReputationService_GetMentorReputation": {identity.RoleMentee, identity.RoleMentor},
	"ReputationService_SearchMentors":       {identity.RoleMentee, identity.RoleMentor},
	"SchedulingService_ListOfferings":       {identity.RoleMentee, identity.RoleMentor},
	"SchedulingService_GetOffering":         {identity.RoleMentee, identity.RoleMentor},
	"SchedulingService_ListSlots":           {identity.RoleMentee, identity.RoleMentor},
}

// ownReads are the GET routes each owner must be able to read on their own
// resources: the checks must not refuse the people they protect.
var ownReads = map[string][]identity.Role{
	"BookingService_GetBooking":                     {identity.RoleMentee, identity.RoleMentor},
	"PaymentsService_GetPayment":                    {identity.RoleMentee, identity.RoleMentor},
	"NotificationService_GetBookingThread":          {identity.RoleMentee, identity.RoleMentor},
	"NotificationService_ListNotifications":         {identity.RoleMentee},
	"PaymentsService_ListMenteeBundles":             {identity.RoleMentee},
	"ReputationService_GetMenteeHistory":            {identity.RoleMentee},
	"SchedulingService_GetAvailability":             {identity.RoleMentor},
	"SchedulingService_GetMentorCalendar":           {identity.RoleMentor},
	"PaymentsService_GetMentorBalance":              {identity.RoleMentor},
	"PaymentsService_ListMentorPayouts":             {identity.RoleMentor},
	"BookingService_GetBookingSettings":             {identity.RoleMentor},
	"SchedulingService_ListOfferings":               {identity.RoleMentor},
	"ReputationService_GetMentorReputation":         {identity.RoleMentor},
	"ExternalCalendarService_ListExternalCalendars": {identity.RoleMentor},
}

// linkAuthenticated are the routes whose caller is the email action link in
// their body, never a bearer token: with no link, or a junk one, every
// caller (an admin too) is refused as the link's, 401 ACTION_LINK_INVALID.
// e2e/actionlinks_test.go runs them with real links.
var linkAuthenticated = map[string]bool{
	"ActionLinkService_DescribeActionLink": true,
	"ActionLinkService_RedeemActionLink":   true,
}

// adminOnly are the operator commands (docs/runbook.md): only an admin
// may call them; everyone else, owners included, is refused with 403. Every
// route under /v1/admin/ must be here.
var adminOnly = map[string]bool{
	"PaymentsService_ListDeadLetters":       true,
	"PaymentsService_RedriveDeadLetter":     true,
	"SchedulingService_ListDeadLetters":     true,
	"SchedulingService_RedriveDeadLetter":   true,
	"NotificationService_ListDeadLetters":   true,
	"NotificationService_RedriveDeadLetter": true,
	"ReputationService_ListDeadLetters":     true,
	"ReputationService_RedriveDeadLetter":   true,
	"ReputationService_LiftStanding":        true,
	"NotificationService_ResendEmail":       true,
	"BookingService_RebuildBookingView":     true,
}

// bodyOf is a request body that passes validation where a check might come
// after it, so a refusal is the check's, not the validator's.
func bodyOf(op string) any {
	switch op {
	case "NotificationService_ReplyToThread", "BookingService_SendMessage":
		return map[string]any{"text": "hello"}
	case "BookingService_RejectBooking":
		return map[string]any{"reason": "no"}
	case "ReputationService_CreateReview":
		return map[string]any{"rating": 5}
	case "BookingService_UpdateBookingSettings":
		return map[string]any{"reminderAfter": "86400s"}
	case "ErasureService_EraseUser":
		return map[string]any{"reason": "the person's request"}
	case "ReputationService_LiftStanding":
		return map[string]any{"reason": "an operator's test"}
	case "NotificationService_ResendEmail":
		return map[string]any{"requestId": "az-resend"}
	case "BookingService_UpdateMarketplacePolicy":
		// A field, so that the gateway's update mask names one.
		return map[string]any{"approvalWindow": "604800s"}
	}
	return map[string]any{}
}

// TestEveryRouteChecksWhoCalls runs every REST route with no token, as a
// mentee and a mentor who own nothing of what they ask for, as the owners
// (reads), and as an admin.
func TestEveryRouteChecksWhoCalls(t *testing.T) {
	// Many calls from few callers in a burst: lift the rate limit, which
	// edge_test checks on its own.
	w := start(t, map[string]string{"RATE_LIMIT_RPS": "10000", "RATE_LIMIT_BURST": "10000"})
	mentor, offering := w.mentorWithOffering(t, "az-mentor", paidOffering(60, 1))
	mentee := w.user(t, "az-mentee", identity.RoleMentee)
	created := mentee.book(mentor.id, offering, time.Now().Add(72*time.Hour).Truncate(time.Minute), nil)
	bookingID := str(created, "booking.id")
	session := str(created, "booking.sessionId")
	if session == "" {
		session = "0"
	}
	// A bundle bought with a third mentor: the other mentor must not see it.
	if r := w.approveContinuation(t, "az-third-mentor", mentee.id, func() response {
		return mentee.call("POST", "/v1/bundles", map[string]any{"mentorId": "az-third-mentor", "sessions": 2, "sessionPrice": "1000",
			"currency": "EUR", "card": "4242424242424242", "idempotencyKey": "az-bundle"})
	}); r.status != http.StatusOK {
		t.Fatalf("buy a bundle: %d %s", r.status, r.raw)
	}
	ids := map[string]string{
		"id": bookingID, "bookingId": bookingID, "sessionId": session, "offeringId": offering,
		"mentorId": mentor.id, "settings.mentorId": mentor.id, "menteeId": mentee.id,
		"userId": mentee.id, "recipient.userId": mentee.id,
	}
	owners := map[identity.Role]user{identity.RoleMentee: mentee, identity.RoleMentor: mentor}
	strangers := map[identity.Role]user{
		identity.RoleMentee: w.user(t, "az-eve", identity.RoleMentee),
		identity.RoleMentor: w.user(t, "az-other-mentor", identity.RoleMentor),
	}
	nobody := user{t: t, w: w, id: "nobody"}
	admin := w.user(t, "az-admin", identity.RoleAdmin)

	all := routes(t)
	if len(all) < 40 {
		t.Fatalf("only %d routes in the OpenAPI document", len(all))
	}
	call := func(t *testing.T, r route, u user) response {
		u.t = t
		path := fill(r.path, ids)
		got := u.call(r.method, path, bodyOf(r.op))
		if got.status >= 500 {
			t.Errorf("%s %s as %s: %d %s", r.method, path, u.id, got.status, got.raw)
		}
		return got
	}
	for _, r := range all {
		path := fill(r.path, ids)
		if linkAuthenticated[r.op] {
			t.Run(r.op, func(t *testing.T) {
				for _, u := range []user{nobody, strangers[identity.RoleMentee], strangers[identity.RoleMentor], owners[identity.RoleMentor], admin} {
					got := call(t, r, u)
					if got.status != http.StatusUnauthorized || !strings.Contains(string(got.raw), `"reason":"ACTION_LINK_INVALID"`) {
						t.Errorf("%s %s as %s without a link: %d %s, want 401 ACTION_LINK_INVALID", r.method, path, u.id, got.status, got.raw)
					}
				}
			})
			continue
		}
		if strings.HasPrefix(r.path, "/v1/admin/") != adminOnly[r.op] {
			t.Errorf("%s %s: an operator command must be under /v1/admin/ and in adminOnly", r.op, r.path)
		}
		t.Run(r.op, func(t *testing.T) {
			call := func(u user) response { return call(t, r, u) }
			if adminOnly[r.op] {
				for _, u := range []user{owners[identity.RoleMentee], owners[identity.RoleMentor]} {
					if got := call(u); got.status != http.StatusForbidden {
						t.Errorf("%s %s as %s: %d %s, want 403 (admins only)", r.method, path, u.id, got.status, got.raw)
					}
				}
			}
			if got := call(nobody); got.status != http.StatusUnauthorized {
				t.Errorf("%s %s without a token: %d %s, want 401", r.method, path, got.status, got.raw)
			}
			for role, u := range strangers {
				got := call(u)
				switch {
				case got.status == http.StatusUnauthorized:
					t.Errorf("%s %s as %s: 401 with a valid token", r.method, path, u.id)
				case has(openTo[r.op], role):
					if bs, _ := get(got.body, "bundles").([]any); r.op == "PaymentsService_ListMenteeBundles" && len(bs) != 0 {
						t.Errorf("%s sees bundles bought with another mentor: %s", u.id, got.raw)
					}
				case got.status != http.StatusForbidden && got.status != http.StatusNotFound:
					t.Errorf("%s %s as %s (someone else's): %d %s, want 403 or 404", r.method, path, u.id, got.status, got.raw)
				}
			}
			if r.method == "GET" {
				for _, role := range ownReads[r.op] {
					u := owners[role]
					var got response
					eventually(t, 15*time.Second, u.id+" reads "+path, func() bool { got = call(u); return got.status == http.StatusOK })
				}
				if got := call(admin); got.status != http.StatusOK && r.op != "SchedulingService_ListSlots" {
					t.Errorf("GET %s as admin: %d %s, want 200", path, got.status, got.raw)
				}
			}
		})
	}
	// Admins may act on everything: their commands run last, as they change
	// what the reads above look at.
	for _, r := range all {
		if r.method == "GET" || linkAuthenticated[r.op] {
			continue
		}
		t.Run("admin/"+r.op, func(t *testing.T) {
			got := call(t, r, admin)
			if got.status == http.StatusUnauthorized ||
				(got.status == http.StatusForbidden && (adminOnly[r.op] || strings.Contains(string(got.raw), "NOT_YOUR_RESOURCE"))) {
				t.Errorf("%s %s as admin: %d %s", r.method, fill(r.path, ids), got.status, got.raw)
			}
			t.Logf("%s %s as admin: %d", r.method, r.path, got.status)
		})
	}
}

func has(roles []identity.Role, r identity.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

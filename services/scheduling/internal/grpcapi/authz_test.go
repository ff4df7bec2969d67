package grpcapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/identity"
)

func TestWhoMayCallWhat(t *testing.T) {
	addr, web := newServer(t)
	var (
		nobody = identity.Principal{}
		ann    = identity.Principal{Subject: "ann", Role: identity.RoleMentee}
		m2     = identity.Principal{Subject: "m2", Role: identity.RoleMentor}
		admin  = identity.Principal{Subject: "root", Role: identity.RoleAdmin}
	)
	base := web.URL + "/v1/mentors/m1"
	created := call(t, "POST", base+"/offerings", `{"name":"Mentoring","kind":"OFFERING_KIND_PAID","durationMinutes":60,"priceMinorUnits":"4500","currencyCode":"EUR","capacity":1}`, 200)
	off := base + "/offerings/" + created["offering"].(map[string]any)["id"].(string)
	call(t, "PUT", base+"/availability", `{"timeZone":"Europe/London","weeklyHours":[{"day":"DAY_OF_WEEK_MONDAY","startTime":"09:00","endTime":"11:00"}]}`, 200)
	slots := base + "/slots?" + url.Values{"offeringId": {created["offering"].(map[string]any)["id"].(string)},
		"startTime": {"2026-06-08T00:00:00Z"}, "endTime": {"2026-06-09T00:00:00Z"}}.Encode()
	patch := `{"name":"Hijacked","durationMinutes":60,"priceMinorUnits":"1","currencyCode":"EUR","capacity":1}`
	avail := `{"timeZone":"UTC","weeklyHours":[]}`

	for _, c := range []struct {
		who          identity.Principal
		method, path string
		body         string
		want         int
		reason       string
	}{
		{nobody, "GET", base + "/offerings", "", 401, "UNAUTHENTICATED"},
		{nobody, "GET", slots, "", 401, "UNAUTHENTICATED"},
		{ann, "GET", base + "/offerings", "", 200, ""},
		{ann, "GET", off, "", 200, ""},
		{ann, "GET", slots, "", 200, ""},
		{m2, "GET", slots, "", 200, ""},
		{ann, "POST", base + "/offerings", patch, 403, "NOT_ALLOWED_FOR_ROLE"},
		{m2, "POST", base + "/offerings", patch, 403, "NOT_YOUR_RESOURCE"},
		{m2, "PATCH", off, patch, 403, "NOT_YOUR_RESOURCE"},
		{m2, "DELETE", off, "", 403, "NOT_YOUR_RESOURCE"},
		{worker, "PATCH", off, patch, 403, "NOT_ALLOWED_FOR_ROLE"},
		{m2, "PUT", base + "/availability", avail, 403, "NOT_YOUR_RESOURCE"},
		{ann, "PUT", base + "/availability", avail, 403, "NOT_ALLOWED_FOR_ROLE"},
		{m2, "GET", base + "/availability", "", 403, "NOT_YOUR_RESOURCE"},
		{ann, "GET", base + "/availability", "", 403, "NOT_ALLOWED_FOR_ROLE"},
		{worker, "GET", base + "/availability", "", 200, ""},
		{m2, "GET", base + "/calendar.ics", "", 403, "NOT_YOUR_RESOURCE"},
		{ann, "GET", base + "/calendar.ics", "", 403, "NOT_ALLOWED_FOR_ROLE"},
		{worker, "GET", base + "/calendar.ics", "", 403, "NOT_ALLOWED_FOR_ROLE"},
		{admin, "GET", base + "/calendar.ics", "", 200, ""},
		{admin, "GET", base + "/availability", "", 200, ""},
		{admin, "POST", base + "/offerings", `{"name":"By support","kind":"OFFERING_KIND_PAID","durationMinutes":30,"priceMinorUnits":"100","currencyCode":"EUR","capacity":1}`, 200, ""},
	} {
		resp := send(t, c.who, c.method, c.path, c.body)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var got struct {
			Details []struct {
				Reason string `json:"reason"`
			} `json:"details"`
		}
		_ = json.Unmarshal(b, &got)
		r := ""
		if len(got.Details) > 0 {
			r = got.Details[0].Reason
		}
		if resp.StatusCode != c.want || r != c.reason {
			t.Errorf("%s %s as %q: %d %s, want %d %s", c.method, c.path, c.who.Subject, resp.StatusCode, r, c.want, c.reason)
		}
	}
	// Nothing a refused caller sent changed anything.
	if got := call(t, "GET", off, "", 200); got["offering"].(map[string]any)["name"] != "Mentoring" {
		t.Errorf("a refused PATCH changed the offering: %v", got)
	}
	if got := call(t, "GET", base+"/availability", "", 200); got["availability"].(map[string]any)["timeZone"] != "Europe/London" {
		t.Errorf("a refused PUT changed the availability: %v", got)
	}

	// Reservations are the booking workflow's: users cannot hold, move or
	// free a slot directly.
	hold := &schedulingv1.HoldReservationRequest{BookingId: "b9", MentorId: "m1", OfferingId: "x", MenteeId: "ann"}
	for who, want := range map[identity.Principal]codes.Code{
		nobody: codes.Unauthenticated, ann: codes.PermissionDenied, mentorM1: codes.PermissionDenied,
		admin: codes.InvalidArgument, // through to validation: no start time
	} {
		ctx, srv := context.Background(), client(t, addr, who)
		if _, err := srv.HoldReservation(ctx, hold); status.Code(err) != want {
			t.Errorf("hold as %q: %v, want %v", who.Subject, err, want)
		}
		if _, err := srv.ReleaseReservation(ctx, &schedulingv1.ReleaseReservationRequest{BookingId: "b9"}); want != codes.InvalidArgument && status.Code(err) != want {
			t.Errorf("release as %q: %v, want %v", who.Subject, err, want)
		}
	}
}

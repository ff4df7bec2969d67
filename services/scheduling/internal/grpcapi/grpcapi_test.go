package grpcapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/apperr/grpcstatus"
	"github.com/bookwell/bookwell/pkg/grpcserver"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/scheduling/internal/app"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
	"github.com/bookwell/bookwell/services/scheduling/internal/grpcapi"
	"github.com/bookwell/bookwell/services/scheduling/internal/meeting"
	"github.com/bookwell/bookwell/services/scheduling/internal/postgres"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) // a Monday

// newServer serves scheduling as schedulingd does, on a real gRPC server
// with the identity interceptor and the REST routes in front of it, and
// returns the server's address and the REST server.
func newServer(t *testing.T) (string, *httptest.Server) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pool, err := postgres.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := grpcserver.New(log, identity.UnaryServerInterceptor(identity.DevVerifier(identity.DevSecret)))
	schedulingv1.RegisterSchedulingServiceServer(srv, grpcapi.New(&app.Service{
		Store: &postgres.Store{Pool: pool}, Policy: domain.DefaultPolicy(), Meetings: meeting.Jitsi{}, Log: log,
		Now: func() time.Time { return now },
	}, log))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.ServeListener(ctx, lis) }()
	mux := runtime.NewServeMux()
	if err := schedulingv1.RegisterSchedulingServiceHandlerFromEndpoint(ctx, mux, lis.Addr().String(),
		[]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}); err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(mux)
	t.Cleanup(func() { web.Close(); cancel(); <-served; pool.Close() })
	return lis.Addr().String(), web
}

// client calls the gRPC server at addr as p (nobody if p is zero).
func client(t *testing.T, addr string, p identity.Principal) schedulingv1.SchedulingServiceClient {
	t.Helper()
	opts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	if p.Subject != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(identity.Credentials{Secret: identity.DevSecret, Principal: p}))
	}
	conn, err := grpc.NewClient(addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return schedulingv1.NewSchedulingServiceClient(conn)
}

// The callers of these tests.
var (
	mentorM1 = identity.Principal{Subject: "m1", Role: identity.RoleMentor}
	worker   = identity.Principal{Subject: "booking-worker", Role: identity.RoleService}
)

// send makes an HTTP request as p (nobody if p is zero).
func send(t *testing.T, p identity.Principal, method, u, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if p.Subject != "" {
		tok, err := identity.DevToken(identity.DevSecret, p, time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// call makes a request as mentor m1 and checks the status.
func call(t *testing.T, method, u, body string, want int) map[string]any {
	t.Helper()
	resp := send(t, mentorM1, method, u, body)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, u, resp.StatusCode, b, want)
	}
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func reason(err error) string {
	var ae *apperr.Error
	if errors.As(grpcstatus.Decode(err), &ae) {
		return ae.Reason
	}
	return ""
}

func TestRESTAndGRPC(t *testing.T) {
	addr, web := newServer(t)
	srv, ctx := client(t, addr, worker), context.Background()
	base := web.URL + "/v1/mentors/m1"

	// Offerings over REST; bad input is a 400 with the field named.
	bad := call(t, "POST", base+"/offerings", `{"name":"Intro","kind":"OFFERING_KIND_INTRO","durationMinutes":45,"capacity":1}`, 400)
	if !strings.Contains(mustJSON(bad), "offering.duration_minutes") {
		t.Fatalf("400 without the field: %v", bad)
	}
	created := call(t, "POST", base+"/offerings", `{"name":"Mentoring","kind":"OFFERING_KIND_PAID","durationMinutes":60,"priceMinorUnits":"4500","currencyCode":"EUR","capacity":1}`, 200)
	id := created["offering"].(map[string]any)["id"].(string)
	call(t, "GET", base+"/offerings/"+id, "", 200)
	call(t, "PATCH", base+"/offerings/"+id, `{"name":"Mentoring+","durationMinutes":60,"priceMinorUnits":"5000","currencyCode":"EUR","capacity":1}`, 200)
	list := call(t, "GET", base+"/offerings", "", 200)
	if offs := list["offerings"].([]any); len(offs) != 1 || offs[0].(map[string]any)["name"] != "Mentoring+" {
		t.Fatalf("list %v", list)
	}
	call(t, "GET", web.URL+"/v1/mentors/m2/offerings/"+id, "", 404)

	// Availability: Mondays 09:00-11:00 London.
	call(t, "PUT", base+"/availability", `{"timeZone":"Europe/London","weeklyHours":[{"day":"DAY_OF_WEEK_MONDAY","startTime":"09:00","endTime":"11:00"}]}`, 200)
	call(t, "PUT", base+"/availability", `{"timeZone":"Europe/London","weeklyHours":[{"day":"DAY_OF_WEEK_MONDAY","startTime":"9am","endTime":"11:00"}]}`, 400)
	got := call(t, "GET", base+"/availability", "", 200)
	if got["availability"].(map[string]any)["timeZone"] != "Europe/London" {
		t.Fatalf("availability %v", got)
	}

	// Slots of Monday 8 June, shown to a viewer in New York.
	q := url.Values{"offeringId": {id}, "startTime": {"2026-06-08T00:00:00Z"}, "endTime": {"2026-06-09T00:00:00Z"}, "timeZone": {"America/New_York"}}
	slots := call(t, "GET", base+"/slots?"+q.Encode(), "", 200)
	ss := slots["slots"].([]any)
	if len(ss) != 2 || ss[0].(map[string]any)["localStartTime"] != "2026-06-08T04:00:00-04:00" || ss[0].(map[string]any)["startTime"] != "2026-06-08T08:00:00Z" {
		t.Fatalf("slots %v", slots)
	}

	// Reservations over gRPC.
	start := timestamppb.New(time.Date(2026, 6, 8, 8, 0, 0, 0, time.UTC))
	held, err := srv.HoldReservation(ctx, &schedulingv1.HoldReservationRequest{BookingId: "b1", MentorId: "m1", OfferingId: id, MenteeId: "ann", StartTime: start})
	if err != nil || held.GetReservation().GetStatus() != schedulingv1.ReservationStatus_RESERVATION_STATUS_HELD {
		t.Fatalf("hold = %v, %v", held, err)
	}
	_, err = srv.HoldReservation(ctx, &schedulingv1.HoldReservationRequest{BookingId: "b2", MentorId: "m1", OfferingId: id, MenteeId: "bob", StartTime: start})
	if status.Code(err) != codes.Aborted || reason(err) != "SLOT_TAKEN" {
		t.Fatalf("second hold: %v (reason %q), want ABORTED SLOT_TAKEN", err, reason(err))
	}
	_, err = srv.HoldReservation(ctx, &schedulingv1.HoldReservationRequest{MentorId: "m1"})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("empty hold: %v", err)
	}
	c, err := srv.CheckConflict(ctx, &schedulingv1.CheckConflictRequest{MentorId: "m1", StartTime: start, EndTime: timestamppb.New(start.AsTime().Add(time.Hour))})
	if err != nil || c.GetFree() || len(c.GetConflictingBookingIds()) != 1 {
		t.Fatalf("conflict = %v, %v", c, err)
	}
	conf, err := srv.ConfirmReservation(ctx, &schedulingv1.ConfirmReservationRequest{BookingId: "b1"})
	if err != nil || conf.GetReservation().GetMeetingUrl() == "" {
		t.Fatalf("confirm = %v, %v", conf, err)
	}

	links, err := srv.GetCalendarLinks(ctx, &schedulingv1.GetCalendarLinksRequest{BookingId: "b1", Title: "Mentoring with Ann"})
	if err != nil || !strings.Contains(links.GetGoogleUrl(), "20260608T080000Z%2F20260608T090000Z") || links.GetYahooUrl() == "" || links.GetOutlookUrl() == "" {
		t.Fatalf("links = %v, %v", links, err)
	}
	one, err := ics.ParseCalendar(strings.NewReader(links.GetIcs()))
	if err != nil || len(one.Events()) != 1 {
		t.Fatalf("reservation .ics: %v\n%s", err, links.GetIcs())
	}
	// Every description carries the meeting link once, whether the caller's
	// description holds it already or not.
	meeting := conf.GetReservation().GetMeetingUrl()
	for _, desc := range []string{"", "Bring questions.", "Join: " + meeting} {
		l, err := srv.GetCalendarLinks(ctx, &schedulingv1.GetCalendarLinksRequest{BookingId: "b1", Title: "Mentoring with Ann", Description: desc})
		if err != nil {
			t.Fatal(err)
		}
		g, _ := url.Parse(l.GetGoogleUrl())
		y, _ := url.Parse(l.GetYahooUrl())
		o, _ := url.Parse(l.GetOutlookUrl())
		c, err := ics.ParseCalendar(strings.NewReader(l.GetIcs()))
		if err != nil {
			t.Fatal(err)
		}
		for where, text := range map[string]string{
			"google": g.Query().Get("details"), "yahoo": y.Query().Get("desc"), "outlook": o.Query().Get("body"),
			"ics": c.Events()[0].GetProperty(ics.ComponentPropertyDescription).Value,
		} {
			if n := strings.Count(text, meeting); n != 1 || !strings.Contains(text, desc) {
				t.Errorf("description %q: the %s description holds the meeting link %d times: %q", desc, where, n, text)
			}
		}
	}

	// The mentor's feed over REST, as text/calendar.
	resp := send(t, mentorM1, "GET", base+"/calendar.ics", "")
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	feed, err := ics.ParseCalendar(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	evs := feed.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events in the feed, want 1", len(evs))
	}
	st, _ := evs[0].GetStartAt()
	if !st.Equal(start.AsTime()) || evs[0].GetProperty(ics.ComponentPropertyLocation).Value != conf.GetReservation().GetMeetingUrl() {
		t.Fatalf("feed event at %v with location %v", st, evs[0].GetProperty(ics.ComponentPropertyLocation))
	}

	// Released: gone from the feed.
	if _, err := srv.ReleaseReservation(ctx, &schedulingv1.ReleaseReservationRequest{BookingId: "b1"}); err != nil {
		t.Fatal(err)
	}
	resp2 := send(t, mentorM1, "GET", base+"/calendar.ics", "")
	defer resp2.Body.Close()
	feed2, err := ics.ParseCalendar(resp2.Body)
	if err != nil || len(feed2.Events()) != 0 {
		t.Fatalf("released session still in the feed (%v)", err)
	}
	call(t, "DELETE", base+"/offerings/"+id, "", 200)
	call(t, "DELETE", base+"/offerings/"+id, "", 404)
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

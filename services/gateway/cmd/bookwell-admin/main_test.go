package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
)

// call is one request the fake gateway saw.
type call struct {
	method, path, auth string
	body               map[string]any
}

// gateway answers like bookwell's REST API and records what it was asked.
func gateway(t *testing.T, answer func(c call) (int, string)) (*httptest.Server, *[]call) {
	var calls []call
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := call{method: r.Method, path: r.URL.RequestURI(), auth: r.Header.Get("Authorization")}
		raw, _ := io.ReadAll(r.Body)
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &c.body); err != nil {
				t.Errorf("body %q is not JSON", raw)
			}
		}
		calls = append(calls, c)
		status, body := answer(c)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func runWith(t *testing.T, url string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	env := map[string]string{"BOOKWELL_URL": url, "BOOKWELL_TOKEN": "tok"}
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out, http.DefaultClient)
	return out.String(), err
}

func TestEachCommandCallsItsRouteAsTheAdmin(t *testing.T) {
	srv, calls := gateway(t, func(c call) (int, string) {
		switch {
		case strings.Contains(c.path, "/deadLetters?"):
			return 200, `{"deadLetters":[{"id":"d-1","consumer":"notifications-booking","subject":"booking.approved","eventId":"e-1",
				"reason":"template missing","deadLetterTime":"2026-11-30T10:00:00Z"}]}`
		case strings.HasSuffix(c.path, ":redrive"):
			return 200, `{"deadLetter":{"id":"d-1","consumer":"notifications-booking","subject":"booking.approved","redriveTime":"2026-11-30T11:00:00Z","redrivenBy":"admin-1"}}`
		case strings.HasSuffix(c.path, "standing:lift"):
			return 200, `{"change":{"previousStanding":"STANDING_SUSPENDED","standing":"STANDING_ACTIVE","reason":"lifted by admin-1: sync bug"},"operatorId":"admin-1"}`
		case strings.HasSuffix(c.path, ":resendEmail"):
			return 200, `{"emailId":"m-2","email":{"to":"tom@example.com","status":"EMAIL_STATUS_QUEUED"}}`
		case strings.HasSuffix(c.path, ":rebuildView"):
			return 200, `{"booking":{"status":"BOOKING_STATUS_CONFIRMED","version":"3"},"changed":true}`
		}
		return 404, `{"code":5,"message":"Not Found"}`
	})
	for _, tc := range []struct {
		args         []string
		method, path string
		body         map[string]any
		printed      string
	}{
		{[]string{"dead-letters", "list", "-service", "notifications", "-all"}, "GET", "/v1/admin/notifications/deadLetters?includeRedriven=true&pageSize=100", nil, "template missing"},
		{[]string{"dead-letters", "redrive", "-service", "notifications", "d-1"}, "POST", "/v1/admin/notifications/deadLetters/d-1:redrive", map[string]any{}, "redriven: d-1"},
		{[]string{"lift-standing", "mentor-1", "-reason", "sync bug"}, "POST", "/v1/admin/mentors/mentor-1/standing:lift", map[string]any{"reason": "sync bug"}, "STANDING_SUSPENDED -> STANDING_ACTIVE"},
		{[]string{"resend-email", "-request-id", "r-1", "n-1"}, "POST", "/v1/admin/notifications/n-1:resendEmail", map[string]any{"requestId": "r-1"}, "email m-2 to tom@example.com: EMAIL_STATUS_QUEUED"},
		{[]string{"rebuild-booking-view", "b-1"}, "POST", "/v1/admin/bookings/b-1:rebuildView", map[string]any{}, "booking b-1: rebuilt (BOOKING_STATUS_CONFIRMED, version 3)"},
	} {
		*calls = nil
		out, err := runWith(t, srv.URL, tc.args...)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if len(*calls) != 1 {
			t.Fatalf("%v made %d calls", tc.args, len(*calls))
		}
		c := (*calls)[0]
		if c.method != tc.method || c.path != tc.path || c.auth != "Bearer tok" {
			t.Errorf("%v called %s %s (%s), want %s %s with the token", tc.args, c.method, c.path, c.auth, tc.method, tc.path)
		}
		if tc.body != nil {
			gotBody, _ := json.Marshal(c.body)
			wantBody, _ := json.Marshal(tc.body)
			if string(gotBody) != string(wantBody) {
				t.Errorf("%v sent %s, want %s", tc.args, gotBody, wantBody)
			}
		}
		if !strings.Contains(out, tc.printed) {
			t.Errorf("%v printed %q, want it to say %q", tc.args, out, tc.printed)
		}
	}
}

func TestARefusalIsAnErrorWithTheAPIsReason(t *testing.T) {
	srv, _ := gateway(t, func(call) (int, string) {
		return 409, `{"code":10,"message":"the mentor is neither suspended nor deactivated: there is nothing to lift",
			"details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"NOTHING_TO_LIFT"}]}`
	})
	_, err := runWith(t, srv.URL, "lift-standing", "-reason", "again", "mentor-1")
	if err == nil || !strings.Contains(err.Error(), "409 the mentor is neither suspended") || !strings.Contains(err.Error(), "NOTHING_TO_LIFT") {
		t.Fatalf("err = %v", err)
	}
}

func TestBadUsageIsRefusedBeforeAnyCall(t *testing.T) {
	srv, calls := gateway(t, func(call) (int, string) { return 200, `{}` })
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"dead-letters", "list", "-service", "billing"},
		{"dead-letters", "redrive", "-service", "notifications"},
		{"lift-standing", "mentor-1"},
		{"resend-email", "n-1"},
		{"rebuild-booking-view"},
		{"rebuild-booking-view", "b-1", "b-2"},
	} {
		if _, err := runWith(t, srv.URL, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"rebuild-booking-view", "b-1"}, func(string) string { return "" }, &out, http.DefaultClient); err == nil ||
		!strings.Contains(err.Error(), "BOOKWELL_TOKEN") {
		t.Errorf("without a token: %v", err)
	}
	if len(*calls) != 0 {
		t.Fatalf("bad usage made %d calls", len(*calls))
	}
}

// The routes the commands call are the API's: each is in the OpenAPI
// document the gateway serves, with its method.
func TestTheCommandsRoutesAreInTheOpenAPIDocument(t *testing.T) {
	raw, err := os.ReadFile("../../../../gen/openapiv2/bookwell.swagger.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("commands.go")
	if err != nil {
		t.Fatal(err)
	}
	// Each c.do(ctx, "METHOD", "/v1/admin/..." call, with its Go
	// expressions turned into the document's {params}.
	calls := regexp.MustCompile(`c\.do\(ctx, "([A-Z]+)", ("/v1/admin/[^,]*),`).FindAllStringSubmatch(string(src), -1)
	if len(calls) != 5 {
		t.Fatalf("found %d calls in commands.go", len(calls))
	}
	params := regexp.MustCompile(`"\+[^"]*\+"`)
	for _, m := range calls {
		for service := range services {
			path := strings.ReplaceAll(m[2], `"+*service+"`, service)
			path = strings.TrimSuffix(path, `?"+q.Encode()`)
			path = strings.Trim(params.ReplaceAllString(path, "{x}"), `"`)
			found := false
			for p, ops := range doc.Paths {
				if regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(p, "{x}") == path {
					_, found = ops[strings.ToLower(m[1])]
				}
			}
			if !found {
				t.Errorf("%s %s is not in the OpenAPI document", m[1], path)
			}
		}
	}
}

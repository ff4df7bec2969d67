package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// fakeLinks is the gateway's action link routes: it answers describe with
// view and redeem with redeem, and records what reached it.
type fakeLinks struct {
	mu     sync.Mutex
	calls  []string // "describe", "redeem {json}"
	view   string
	redeem func(body map[string]any) (int, string)
}

func (f *fakeLinks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var in map[string]any
	_ = json.Unmarshal(body, &in)
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/v1/actionLinks:describe":
		f.calls = append(f.calls, "describe")
		if in["token"] == "used" {
			w.WriteHeader(409)
			_, _ = w.Write([]byte(`{"code":10,"message":"this link was already used, at 2030-01-01 10:00 UTC; nothing more was done","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ACTION_LINK_USED"}]}`))
			return
		}
		_, _ = w.Write([]byte(f.view))
	case "/v1/actionLinks:redeem":
		f.calls = append(f.calls, "redeem "+string(body))
		status, out := f.redeem(in)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(out))
	default:
		w.WriteHeader(404)
	}
}

func (f *fakeLinks) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

const proposeView = `{"action":"ACTION_LINK_ACTION_PROPOSE","recipientId":"mentor-1","recipientRole":"ROLE_MENTOR",
	"recipientTimeZone":"Europe/Berlin","actionable":true,
	"booking":{"id":"b-1","status":"BOOKING_STATUS_PENDING","offeringName":"Career chat","menteeName":"Ada",
	"startTime":"2030-01-07T08:00:00Z"},
	"pendingView":{"timeStillFree":false,"conflict":"busy in your calendar “Work”"}}`

func linkConsole(t *testing.T, f *fakeLinks) *httptest.Server {
	t.Helper()
	api := httptest.NewServer(f)
	t.Cleanup(api.Close)
	return newConsole(t, Config{APIURL: api.URL, DistDir: t.TempDir()})
}

func TestALinkPageAsksAndOnlyItsFormActs(t *testing.T) {
	f := &fakeLinks{view: proposeView, redeem: func(map[string]any) (int, string) {
		return 200, `{"action":"ACTION_LINK_ACTION_PROPOSE","booking":{"id":"b-1","status":"BOOKING_STATUS_NEGOTIATING",
			"offeringName":"Career chat","proposal":{"startTime":"2030-01-08T13:30:00Z"}}}`
	}}
	s := linkConsole(t, f)

	res, body := get(t, s.URL+"/act/tok-1")
	if res.StatusCode != 200 || !strings.Contains(body, "Suggest another time for Career chat with Ada") ||
		!strings.Contains(body, `value="2030-01-07T09:00"`) || !strings.Contains(body, "Conflict: busy in your calendar “Work”") ||
		!strings.Contains(body, `<form method="post">`) {
		t.Fatalf("GET: %d\n%s", res.StatusCode, body)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "form-action 'self'") {
		t.Errorf("policy %q", csp)
	}
	if res.Header.Get("Referrer-Policy") != "no-referrer" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", res.Header)
	}
	// A mail client fetching the link (and fetching it again) does nothing.
	get(t, s.URL+"/act/tok-1")
	if calls := f.Calls(); len(calls) != 2 || calls[0] != "describe" || calls[1] != "describe" {
		t.Fatalf("GETs reached %v; want describe only", calls)
	}

	res, err := http.PostForm(s.URL+"/act/tok-1", url.Values{"start": {"2030-01-08T14:30"}, "note": {"after lunch"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), "Time suggested") {
		t.Fatalf("POST: %d\n%s", res.StatusCode, b)
	}
	calls := f.Calls()
	last := calls[len(calls)-1]
	// 14:30 in Berlin in January is 13:30 UTC.
	if !strings.Contains(last, `"token":"tok-1"`) || !strings.Contains(last, `"startTime":"2030-01-08T13:30:00Z"`) || !strings.Contains(last, `"note":"after lunch"`) {
		t.Fatalf("redeem got %s", last)
	}
}

func TestARefusedActionShowsWhyAndTheFormAgain(t *testing.T) {
	f := &fakeLinks{view: strings.Replace(proposeView, "PROPOSE", "REJECT", 1), redeem: func(map[string]any) (int, string) {
		return 400, `{"code":3,"message":"invalid request","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"INVALID_ARGUMENT"},
			{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"reason","description":"is required"}]}]}`
	}}
	s := linkConsole(t, f)
	res, err := http.PostForm(s.URL+"/act/tok-2", url.Values{"reason": {""}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 400 || !strings.Contains(string(b), "The reason is required. Nothing was changed.") || !strings.Contains(string(b), `name="reason"`) {
		t.Fatalf("POST: %d\n%s", res.StatusCode, b)
	}
}

func TestAUsedLinkIsRefusedWithoutAForm(t *testing.T) {
	f := &fakeLinks{view: proposeView, redeem: func(map[string]any) (int, string) { return 200, `{}` }}
	s := linkConsole(t, f)
	for _, method := range []string{"GET", "POST"} {
		req, _ := http.NewRequest(method, s.URL+"/act/used", strings.NewReader("reason=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusGone || !strings.Contains(string(b), "This link was used already") || strings.Contains(string(b), "<form") {
			t.Errorf("%s: %d\n%s", method, res.StatusCode, b)
		}
	}
	for _, c := range f.Calls() {
		if strings.HasPrefix(c, "redeem") {
			t.Fatalf("a used link reached redeem: %v", f.Calls())
		}
	}
}

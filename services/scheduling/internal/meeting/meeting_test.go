package meeting

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestJitsiRoomsAreUnguessable(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		u, err := Jitsi{}.CreateMeeting(context.Background(), Request{BookingID: "b1"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(u, "https://meet.jit.si/bookwell-") || len(u) < len("https://meet.jit.si/bookwell-")+26 {
			t.Fatalf("room URL %q", u)
		}
		if seen[u] {
			t.Fatalf("room %q made twice", u)
		}
		seen[u] = true
	}
}

// fakeZoom is a local stand-in for Zoom's OAuth and meetings API.
func fakeZoom(t *testing.T, tokens *atomic.Int32, expiresIn int) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok || id != "client" || secret != "secret" || r.URL.Query().Get("grant_type") != "account_credentials" || r.URL.Query().Get("account_id") != "acct" {
			http.Error(w, `{"reason":"Invalid client_id or client_secret"}`, http.StatusBadRequest)
			return
		}
		n := tokens.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "tok" + string(rune('0'+n)), "token_type": "bearer", "expires_in": expiresIn})
	})
	mux.HandleFunc("POST /v2/users/me/meetings", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer tok") {
			http.Error(w, `{"code":124,"message":"Invalid access token."}`, http.StatusUnauthorized)
			return
		}
		var body struct {
			Topic     string `json:"topic"`
			Type      int    `json:"type"`
			StartTime string `json:"start_time"`
			Duration  int    `json:"duration"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Type != 2 || body.Duration != 20 || body.StartTime != "2026-06-10T14:00:00Z" {
			http.Error(w, `{"code":300,"message":"bad meeting"}`, http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"id": 123, "join_url": "https://zoom.example/j/123"})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestZoomCreatesMeetingWithCachedToken(t *testing.T) {
	var tokens atomic.Int32
	srv := fakeZoom(t, &tokens, 3600)
	z := &Zoom{AccountID: "acct", ClientID: "client", ClientSecret: "secret", OAuthURL: srv.URL, APIURL: srv.URL + "/v2"}
	start := time.Date(2026, 6, 10, 14, 0, 0, 0, time.UTC)
	for range 3 {
		u, err := z.CreateMeeting(context.Background(), Request{BookingID: "b1", Topic: "Intro", Start: start, End: start.Add(20 * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if u != "https://zoom.example/j/123" {
			t.Fatalf("join URL %q", u)
		}
	}
	if tokens.Load() != 1 {
		t.Fatalf("fetched %d tokens for 3 meetings, want 1", tokens.Load())
	}
}

func TestZoomReportsBadCredentials(t *testing.T) {
	var tokens atomic.Int32
	srv := fakeZoom(t, &tokens, 3600)
	z := &Zoom{AccountID: "acct", ClientID: "client", ClientSecret: "wrong", OAuthURL: srv.URL, APIURL: srv.URL + "/v2"}
	_, err := z.CreateMeeting(context.Background(), Request{Start: time.Now(), End: time.Now().Add(time.Hour)})
	if err == nil || !strings.Contains(err.Error(), "Invalid client_id") {
		t.Fatalf("err = %v, want the token error", err)
	}
}

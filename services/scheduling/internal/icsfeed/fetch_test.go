package icsfeed

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// local is a fetcher for feeds on this machine, as a local stack's is.
func local(t *testing.T, c Config) *Fetcher {
	t.Helper()
	if c.AllowPrefixes == nil {
		c.AllowPrefixes, c.AnyPort = []string{"127.0.0.0/8", "::1/128"}, true
	}
	f, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func feeds(t *testing.T) *httptest.Server {
	t.Helper()
	google, err := os.ReadFile("testdata/google.ics")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/google.ics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/calendar")
		_, _ = w.Write(google)
	})
	mux.HandleFunc("/gone.ics", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "gone", http.StatusNotFound) })
	mux.HandleFunc("/slow.ics", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/to-google", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/google.ics", http.StatusMovedPermanently)
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func TestAFeedIsFetchedAndRead(t *testing.T) {
	s := feeds(t)
	for _, path := range []string{"/google.ics", "/to-google"} {
		got, err := local(t, Config{}).Busy(context.Background(), s.URL+path, spring2030, berlin)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(got) != 6 {
			t.Errorf("%s: %d busy periods, want 6", path, len(got))
		}
	}
}

func TestAFetchSaysWhyItFailed(t *testing.T) {
	s := feeds(t)
	for _, c := range []struct {
		name, path string
		config     Config
		want       string
	}{
		{"a feed that is gone", "/gone.ics", Config{}, "the server answered 404 Not Found"},
		{"a feed too large", "/google.ics", Config{MaxBytes: 100}, "larger than"},
		{"a server that does not answer in time", "/slow.ics", Config{Timeout: 300 * time.Millisecond}, "no complete answer within 300ms"},
		{"a redirect to a file", "/to-file", Config{}, "a redirect to a file address"},
		{"redirects without end", "/loop", Config{}, "more than 5 redirects"},
	} {
		_, err := local(t, c.config).Busy(context.Background(), s.URL+c.path, spring2030, berlin)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), s.URL) {
			t.Errorf("%s: the reason shows the address: %v", c.name, err)
		}
	}
}

// A marketplace's fetcher reaches public addresses only: not this machine,
// not a private network, not the cloud's metadata address, and only on the
// web's ports; a feed on a public address that redirects to a private one is
// refused at the redirect's connection.
func TestOnlyPublicAddressesAreFetched(t *testing.T) {
	s := feeds(t)
	strict, err := New(Config{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"http://127.0.0.1/x.ics", "http://[::1]/x.ics", "http://10.1.2.3/x.ics",
		"http://169.254.169.254/latest/meta-data", "http://192.168.0.1/x.ics", "http://0.0.0.0/x.ics"} {
		_, err := strict.Busy(context.Background(), u, spring2030, berlin)
		if err == nil || !strings.Contains(err.Error(), "private or reserved network") {
			t.Errorf("%s: %v", u, err)
		}
	}
	portless := local(t, Config{AllowPrefixes: []string{"127.0.0.0/8"}})
	if _, err := portless.Busy(context.Background(), s.URL+"/google.ics", spring2030, berlin); err == nil || !strings.Contains(err.Error(), "ports 80 and 443") {
		t.Errorf("a feed on port %s: %v", s.URL, err)
	}
	if _, err := New(Config{AllowPrefixes: []string{"not a network"}}); err == nil {
		t.Error("a bad allowed prefix was accepted")
	}
}

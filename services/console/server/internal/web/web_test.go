package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/identity"
)

func newConsole(t *testing.T, c Config) *httptest.Server {
	t.Helper()
	if c.DevTokenTTL == 0 {
		c.DevTokenTTL = time.Hour
	}
	h, err := New(c, identity.DevSecret, nil, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestRoutesOfTheAppGetIndexAndAssetsAreCachedForGood(t *testing.T) {
	dist := t.TempDir()
	os.MkdirAll(filepath.Join(dist, "assets"), 0o755)
	os.WriteFile(filepath.Join(dist, "index.html"), []byte("<!doctype html><title>console</title>"), 0o644)
	os.WriteFile(filepath.Join(dist, "assets", "app-1234.js"), []byte("console.log(1)"), 0o644)
	s := newConsole(t, Config{APIURL: "http://127.0.0.1:1", DistDir: dist})

	for _, p := range []string{"/", "/mentor/bookings/b-1", "/bookings/b-1"} {
		res, body := get(t, s.URL+p)
		if res.StatusCode != 200 || !strings.Contains(body, "<title>console</title>") || res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: %d %q cache %q", p, res.StatusCode, body, res.Header.Get("Cache-Control"))
		}
		if !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("%s: no content security policy", p)
		}
	}
	res, body := get(t, s.URL+"/assets/app-1234.js")
	if res.StatusCode != 200 || body != "console.log(1)" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("asset: %d %q %q", res.StatusCode, body, res.Header.Get("Cache-Control"))
	}
	if res, _ := get(t, s.URL+"/assets/gone-5678.js"); res.StatusCode != 404 {
		t.Errorf("a missing asset is not the app: %d", res.StatusCode)
	}
}

func TestAnUnbuiltConsoleSaysHowToBuildIt(t *testing.T) {
	s := newConsole(t, Config{APIURL: "http://127.0.0.1:1", DistDir: filepath.Join(t.TempDir(), "nothing")})
	res, body := get(t, s.URL+"/")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "make console") {
		t.Fatalf("%d %q", res.StatusCode, body)
	}
}

func TestTheAPIIsServedOnTheConsolesOrigin(t *testing.T) {
	var seen *http.Request
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"bookings":[]}`)
	}))
	defer gw.Close()
	s := newConsole(t, Config{APIURL: gw.URL, DistDir: t.TempDir()})
	req, _ := http.NewRequest("GET", s.URL+"/v1/bookings?statuses=BOOKING_STATUS_PENDING", nil)
	req.Header.Set("Authorization", "Bearer abc")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || seen == nil || seen.URL.Path != "/v1/bookings" || seen.URL.RawQuery != "statuses=BOOKING_STATUS_PENDING" ||
		seen.Header.Get("Authorization") != "Bearer abc" {
		t.Fatalf("proxied: %d %+v", res.StatusCode, seen)
	}
}

func TestAnUnreachableGatewayIsAStatusTheAppCanShow(t *testing.T) {
	s := newConsole(t, Config{APIURL: "http://127.0.0.1:1", DistDir: t.TempDir()})
	res, body := get(t, s.URL+"/v1/bookings")
	if res.StatusCode != http.StatusBadGateway || !strings.Contains(body, `"reason":"UNAVAILABLE"`) {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
}

func TestDevelopmentSignInMintsATokenTheServicesAccept(t *testing.T) {
	s := newConsole(t, Config{APIURL: "http://127.0.0.1:1", DistDir: t.TempDir(), DevSignIn: true})
	res, err := http.Post(s.URL+"/dev/token", "application/json", strings.NewReader(`{"subject":"mentor-1","role":"mentor"}`))
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ Token string }
	json.NewDecoder(res.Body).Decode(&out)
	res.Body.Close()
	p, err := identity.DevVerifier(identity.DevSecret).Verify(out.Token)
	if res.StatusCode != 200 || err != nil || p.Subject != "mentor-1" || p.Role != identity.RoleMentor {
		t.Fatalf("%d %v %+v", res.StatusCode, err, p)
	}
	_, cfg := get(t, s.URL+"/config.json")
	if !strings.Contains(cfg, `"devSignIn":true`) {
		t.Fatalf("config %s", cfg)
	}
}

func TestDevelopmentSignInRefusesServiceTokensAndOddNames(t *testing.T) {
	s := newConsole(t, Config{APIURL: "http://127.0.0.1:1", DistDir: t.TempDir(), DevSignIn: true})
	res, err := http.Post(s.URL+"/dev/token", "application/json", strings.NewReader(`{"subject":"<script>","role":"service"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 400 || !strings.Contains(string(b), `"field":"subject"`) || !strings.Contains(string(b), `"field":"role"`) {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
}

func TestWithoutDevelopmentModeNoTokenIsMinted(t *testing.T) {
	s := newConsole(t, Config{APIURL: "http://127.0.0.1:1", DistDir: t.TempDir()})
	res, err := http.Post(s.URL+"/dev/token", "application/json", strings.NewReader(`{"subject":"admin-1","role":"admin"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(b), "token") || res.StatusCode == 200 {
		t.Fatalf("minted without development mode: %d %s", res.StatusCode, b)
	}
	if _, cfg := get(t, s.URL+"/config.json"); !strings.Contains(cfg, `"devSignIn":false`) {
		t.Fatalf("config %s", cfg)
	}
}

func TestDevelopmentSignInNeedsDevelopmentMode(t *testing.T) {
	c := Config{APIURL: "http://127.0.0.1:1", DevSignIn: true}
	if _, err := New(c, "", nil, nil, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("development sign-in started outside development mode")
	}
}

package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bookwell/bookwell/pkg/identity"
)

// provider serves a discovery document naming issuer (its own URL unless
// set) and a token endpoint on another origin.
func provider(t *testing.T, issuer string) *httptest.Server {
	t.Helper()
	var s *httptest.Server
	s = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		iss := issuer
		if iss == "" {
			iss = s.URL
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "authorization_endpoint": s.URL + "/authorize",
			"token_endpoint": "https://tokens.idp.test/oauth/token", "jwks_uri": s.URL + "/jwks"})
	}))
	t.Cleanup(s.Close)
	return s
}

type fakeVerifier map[string]identity.Principal

func (f fakeVerifier) Verify(tok string) (identity.Principal, error) {
	if p, ok := f[tok]; ok {
		return p, nil
	}
	return identity.Principal{}, errors.New("invalid token: the token's role claim names no bookwell role (mentee, mentor or admin)")
}

func TestTheProvidersSignInIsConfiguredForThePage(t *testing.T) {
	idp := provider(t, "")
	d, err := Discover(context.Background(), http.DefaultClient, idp.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := Config{APIURL: "http://127.0.0.1:1", DistDir: t.TempDir(),
		OIDC: OIDCConfig{Issuer: idp.URL, ClientID: "console", Scopes: "openid email", Audience: "https://api.test"}}
	v := fakeVerifier{"good": {Subject: "mentor-7", Role: identity.RoleMentor}, "svc": {Subject: "bookingd", Role: identity.RoleService}}
	h, err := New(c, "", d, v, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(h)
	defer s.Close()

	res, body := get(t, s.URL+"/config.json")
	var cfg struct {
		DevSignIn bool
		OIDC      struct {
			Authority, ClientID, Scopes, Audience string
			Metadata                              map[string]string
		}
	}
	if err := json.Unmarshal([]byte(body), &cfg); err != nil || res.StatusCode != 200 {
		t.Fatalf("%d %s %v", res.StatusCode, body, err)
	}
	if cfg.DevSignIn || cfg.OIDC.Authority != idp.URL || cfg.OIDC.ClientID != "console" || cfg.OIDC.Scopes != "openid email" ||
		cfg.OIDC.Audience != "https://api.test" || cfg.OIDC.Metadata["authorization_endpoint"] != idp.URL+"/authorize" {
		t.Fatalf("config %s", body)
	}
	// The browser may call the token endpoint's origin, and nothing else.
	res, _ = get(t, s.URL+"/")
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self' https://tokens.idp.test;") {
		t.Errorf("CSP %q lacks the token endpoint's origin", csp)
	}

	for _, c := range []struct {
		tok, want string
		status    int
	}{
		{"good", `"subject":"mentor-7"`, 200},
		{"bad", "names no bookwell role", 403},
		{"svc", "PERMISSION_DENIED", 403},
		{"", "no bearer token", 401},
	} {
		req, _ := http.NewRequest("GET", s.URL+"/auth/session", nil)
		if c.tok != "" {
			req.Header.Set("Authorization", "Bearer "+c.tok)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.status || !strings.Contains(string(b), c.want) {
			t.Errorf("token %q: %d %s, want %d with %q", c.tok, res.StatusCode, b, c.status, c.want)
		}
	}
}

func TestDiscoveryMustNameTheIssuerItWasAskedFor(t *testing.T) {
	idp := provider(t, "https://evil.test")
	if _, err := Discover(context.Background(), http.DefaultClient, idp.URL); err == nil || !strings.Contains(err.Error(), "evil.test") {
		t.Fatalf("a discovery document for another issuer: %v", err)
	}
}

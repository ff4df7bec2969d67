package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bookwell/bookwell/deploy/stack"
	"github.com/bookwell/bookwell/pkg/identity"
)

// oidcClientID is the console's client id at the local provider.
const oidcClientID = "bookwell-console"

// authCode is a code the provider handed out, waiting for its token request.
type authCode struct {
	sub, role, name, email string
	challenge, redirect    string
	nonce                  string
}

// serveSignIn makes the local provider an OpenID Connect provider for one
// public client (the console at redirectURI): /authorize shows a sign-in
// form (user id, role) and redirects back with a code; /token trades the
// code, once, for an RS256 access token for the API (the audience and role
// claim the stack checks) and an ID token, after checking the PKCE verifier
// (S256), the client and the redirect URI. Only the provider is made up: the
// gateway checks the access token against its JWKS as it would any provider's.
func (p *localIDP) serveSignIn(t *testing.T, redirectURI string) {
	t.Helper()
	var mu sync.Mutex
	codes := map[string]authCode{}
	page := template.Must(template.New("login").Parse(`<!doctype html><html lang="en"><head><title>Local identity provider</title></head><body>
<h1>Local identity provider</h1>
<form method="post" action="/authorize">
{{range $k, $v := .}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<label>User id <input name="login_sub" required></label>
<label>Name <input name="login_name"></label>
<label>Role <select name="login_role"><option>mentee</option><option>mentor</option><option>admin</option><option value="">no bookwell role</option></select></label>
<button type="submit">Continue</button>
</form></body></html>`))
	fail := func(w http.ResponseWriter, status int, code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	p.mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case q.Get("client_id") != oidcClientID || q.Get("redirect_uri") != redirectURI:
			http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
			return
		case q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
			http.Error(w, "want response_type=code with a S256 code_challenge (PKCE)", http.StatusBadRequest)
			return
		case q.Get("audience") != idpAudience:
			http.Error(w, "audience: want "+idpAudience, http.StatusBadRequest)
			return
		}
		hidden := map[string]string{}
		for _, k := range []string{"redirect_uri", "state", "code_challenge", "nonce"} {
			hidden[k] = q.Get(k)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, hidden)
	})
	p.mux.HandleFunc("POST /authorize", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("redirect_uri") != redirectURI || r.FormValue("login_sub") == "" {
			http.Error(w, "bad sign-in", http.StatusBadRequest)
			return
		}
		code := rand.Text()
		mu.Lock()
		codes[code] = authCode{sub: r.FormValue("login_sub"), role: r.FormValue("login_role"), name: r.FormValue("login_name"),
			email: r.FormValue("login_sub") + "@idp.test", challenge: r.FormValue("code_challenge"), redirect: redirectURI,
			nonce: r.FormValue("nonce")}
		mu.Unlock()
		back, _ := url.Parse(redirectURI)
		q := back.Query()
		q.Set("code", code)
		q.Set("state", r.FormValue("state"))
		back.RawQuery = q.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	p.mux.HandleFunc("OPTIONS /token", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
		w.WriteHeader(http.StatusNoContent)
	})
	p.mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		c, ok := codes[r.FormValue("code")]
		delete(codes, r.FormValue("code")) // single use
		mu.Unlock()
		sum := sha256.Sum256([]byte(r.FormValue("code_verifier")))
		switch {
		case r.FormValue("grant_type") != "authorization_code":
			fail(w, http.StatusBadRequest, "unsupported_grant_type", r.FormValue("grant_type"))
			return
		case !ok:
			fail(w, http.StatusBadRequest, "invalid_grant", "unknown or used code")
			return
		case r.FormValue("client_id") != oidcClientID || r.FormValue("redirect_uri") != c.redirect:
			fail(w, http.StatusBadRequest, "invalid_grant", "client or redirect_uri differs from the authorization request's")
			return
		case base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge:
			fail(w, http.StatusBadRequest, "invalid_grant", "PKCE: the code_verifier does not match the code_challenge")
			return
		}
		changes := map[string]any{"email": c.email}
		if c.role == "" {
			changes[idpRoleClaim] = []string{"offline_access"}
		}
		access := p.token(t, "rsa-1", c.sub, c.role, changes)
		now := time.Now()
		idc := jwt.MapClaims{"iss": p.srv.URL, "aud": oidcClientID, "sub": c.sub, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			"name": c.name, "email": c.email}
		if c.nonce != "" {
			idc["nonce"] = c.nonce
		}
		idt := jwt.NewWithClaims(jwt.SigningMethodRS256, idc)
		idt.Header["kid"] = "rsa-1"
		p.mu.Lock()
		key := p.keys["rsa-1"]
		p.mu.Unlock()
		id, err := idt.SignedString(key)
		if err != nil {
			fail(w, http.StatusInternalServerError, "server_error", err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": access, "id_token": id, "token_type": "Bearer",
			"expires_in": 3600, "scope": "openid profile email"})
	})
}

// TestConsoleOIDCSignIn: the console as production runs it (no development
// mode, so no development sign-in) signs a person in at the identity
// provider with the authorization code flow and PKCE, in Chromium; the
// provider's RS256 access token then carries them through the real gateway
// and services: a mentor lands on their pending requests, a mentee books
// nothing yet but sees their bookings, and a person without a bookwell role
// is told so and stays signed out.
func TestConsoleOIDCSignIn(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs every binary and a browser")
	}
	dir, playwright, chromium := browserSetup(t)
	root := filepath.Dir(filepath.Dir(dir))

	idp := newLocalIDP(t)
	w := start(t, idp.env())

	// consoled outside development mode, in front of the stack's gateway.
	port, err := stack.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	consoleURL := "http://" + addr
	idp.serveSignIn(t, consoleURL+"/auth/callback")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "consoled")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./services/console/server/cmd/consoled")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build consoled: %v\n%s", err, out)
	}
	_, signing, verify, err := identity.GenerateServiceKey("consoled")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	consoled := exec.CommandContext(ctx, bin)
	consoled.Env = append(os.Environ(), "BOOKWELL_DEV=false", "LOG_FORMAT=text", "CONSOLE_HTTP_ADDR="+addr,
		"CONSOLE_API_URL="+w.base, "CONSOLE_DIST_DIR="+filepath.Join(dir, "dist"),
		"CONSOLE_OIDC_CLIENT_ID="+oidcClientID, "CONSOLE_OIDC_AUDIENCE="+idpAudience,
		"AUTH_ISSUER="+idp.srv.URL, "AUTH_AUDIENCE="+idpAudience, "AUTH_ROLE_CLAIM="+idpRoleClaim,
		"SERVICE_SIGNING_KEY="+string(signing), "SERVICE_VERIFY_KEYS="+string(verify))
	consoled.Stdout, consoled.Stderr = &logs, &logs
	if err := consoled.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = consoled.Process.Signal(os.Interrupt)
		_ = consoled.Wait()
		if t.Failed() {
			t.Logf("consoled:\n%s", logs.String())
		}
	})
	for deadline := time.Now().Add(time.Minute); ; {
		res, err := http.Get(consoleURL + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("consoled did not answer at %s: %v\n%s", consoleURL, err, logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Outside development mode there is no development sign-in.
	res, err := http.Post(consoleURL+"/dev/token", "application/json", bytes.NewReader([]byte(`{"subject":"x","role":"admin"}`)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusOK {
		t.Fatal("consoled outside development mode mints development tokens")
	}

	cmd := exec.CommandContext(ctx, playwright, "test", "--project=oidc")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CONSOLE_URL="+consoleURL, "IDP_URL="+idp.srv.URL, "CHROMIUM_PATH="+chromium, "CI=true")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	began := time.Now()
	err = cmd.Run()
	t.Logf("playwright (%s):\n%s", time.Since(began).Round(time.Second), out.String())
	if err != nil {
		t.Fatalf("the identity provider's sign-in failed in the browser: %v (traces and screenshots in services/console/test-results)", err)
	}
}

// Package web serves bookwell's console: the built single-page app, the REST
// API of the gateway behind the same origin (so the browser needs no CORS),
// and, in an explicit development mode only, sign-in with development tokens.
package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/bookwell/bookwell/pkg/identity"
)

// Config is the console server's configuration.
type Config struct {
	HTTPAddr string `env:"CONSOLE_HTTP_ADDR" envDefault:":3000"`
	// GatewayAddr is the REST gateway's listen address (the stack's shared
	// GATEWAY_HTTP_ADDR); APIURL, when set, is used instead.
	GatewayAddr string `env:"GATEWAY_HTTP_ADDR" envDefault:":8080"`
	APIURL      string `env:"CONSOLE_API_URL"`
	// DistDir holds the built app (npm run build), relative to the working
	// directory.
	DistDir string `env:"CONSOLE_DIST_DIR" envDefault:"services/console/dist"`
	// DevSignIn lets the browser mint a token for any user and role. Only for
	// a local stack: it needs development mode (BOOKWELL_DEV).
	DevSignIn bool `env:"CONSOLE_DEV_SIGNIN" envDefault:"false"`
	// DevTokenTTL is how long a development token lasts.
	DevTokenTTL time.Duration `env:"CONSOLE_DEV_TOKEN_TTL" envDefault:"12h"`
	// OIDC is the sign-in with the identity provider, in the browser.
	OIDC OIDCConfig
}

// OIDCConfig is the console's client at the identity provider: the browser
// signs in with the authorization code flow and PKCE (a public client, no
// secret) and calls the API with the access token.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL (usually AUTH_ISSUER's).
	Issuer string `env:"CONSOLE_OIDC_ISSUER"`
	// ClientID is the console's client id at the provider. Set, the sign-in
	// page offers the provider's sign-in.
	ClientID string `env:"CONSOLE_OIDC_CLIENT_ID"`
	Scopes   string `env:"CONSOLE_OIDC_SCOPES" envDefault:"openid profile email"`
	// Audience, when set, is sent as the authorization request's audience
	// parameter: providers such as Auth0 then issue an access token for the
	// API (AUTH_AUDIENCE) rather than an opaque one.
	Audience string `env:"CONSOLE_OIDC_AUDIENCE"`
}

// Enabled says the provider's sign-in is configured.
func (c OIDCConfig) Enabled() bool { return c.ClientID != "" }

// Verifier checks bearer tokens as the API does (the process's
// identity.Verifier): the console asks it who a provider's token names.
type Verifier interface {
	Verify(token string) (identity.Principal, error)
}

// API is the base URL of the REST gateway.
func (c Config) API() (*url.URL, error) {
	raw := c.APIURL
	if raw == "" {
		addr := c.GatewayAddr
		if strings.HasPrefix(addr, ":") {
			addr = "127.0.0.1" + addr
		}
		raw = "http://" + addr
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("console: the gateway's URL %q is not an absolute URL", raw)
	}
	return u, nil
}

// proxied are the gateway's paths the console serves on its own origin.
func proxied(p string) bool {
	return strings.HasPrefix(p, "/v1/") || p == "/openapi.json" || p == "/docs" || strings.HasPrefix(p, "/docs/")
}

// New returns the console's handler; secret signs development tokens (empty
// outside development mode, where the development sign-in is refused);
// provider is the identity provider's discovery document (nil without the
// provider's sign-in); verifier checks the provider's tokens for /auth/session.
func New(c Config, secret string, provider *Discovery, verifier Verifier, log *slog.Logger) (http.Handler, error) {
	api, err := c.API()
	if err != nil {
		return nil, err
	}
	if c.DevSignIn && secret == "" {
		return nil, errors.New("console: CONSOLE_DEV_SIGNIN mints tokens from the browser and is only for a local stack in development mode (BOOKWELL_DEV=true); unset it")
	}
	if c.OIDC.Enabled() && (provider == nil || verifier == nil) {
		return nil, errors.New("console: the identity provider's sign-in needs its discovery document and a token verifier")
	}
	csp := contentSecurityPolicy("")
	if provider != nil {
		csp = contentSecurityPolicy(provider.connectSources())
	}
	proxy := httputil.NewSingleHostReverseProxy(api)
	proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		log.WarnContext(r.Context(), "gateway unreachable", "path", r.URL.Path, "err", err)
		writeStatus(w, http.StatusBadGateway, 14, "UNAVAILABLE", "the API is unreachable; try again in a moment", nil)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /config.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		cfg := map[string]any{"devSignIn": c.DevSignIn}
		if c.OIDC.Enabled() {
			cfg["oidc"] = map[string]any{"authority": provider.Issuer, "clientId": c.OIDC.ClientID,
				"scopes": c.OIDC.Scopes, "audience": c.OIDC.Audience, "metadata": provider}
		}
		writeJSON(w, http.StatusOK, cfg)
	})
	if c.DevSignIn {
		mux.Handle("POST /dev/token", devToken(secret, c.DevTokenTTL))
	}
	if c.OIDC.Enabled() {
		mux.Handle("GET /auth/session", whoAmI(verifier))
	}
	mux.Handle(ActionPath, actions(api, log))
	static := app(c.DistDir, csp)
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if proxied(r.URL.Path) {
			proxy.ServeHTTP(w, r)
			return
		}
		static.ServeHTTP(w, r)
	}))
	return mux, nil
}

// subjectPattern is what a development sign-in accepts as a user id.
var subjectPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// devToken mints a token for the user and role the browser names.
func devToken(secret string, ttl time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Subject string `json:"subject"`
			Role    string `json:"role"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
			writeStatus(w, http.StatusBadRequest, 3, "INVALID_ARGUMENT", "the body must be JSON: {\"subject\": ..., \"role\": ...}", nil)
			return
		}
		var violations []fieldViolation
		if !subjectPattern.MatchString(in.Subject) {
			violations = append(violations, fieldViolation{"subject", "must be 1 to 64 letters, digits or . _ @ -, starting with a letter or digit"})
		}
		role := identity.Role(in.Role)
		if role != identity.RoleMentee && role != identity.RoleMentor && role != identity.RoleAdmin {
			violations = append(violations, fieldViolation{"role", "must be mentee, mentor or admin"})
		}
		if len(violations) > 0 {
			writeStatus(w, http.StatusBadRequest, 3, "INVALID_ARGUMENT", "invalid sign-in", violations)
			return
		}
		now := time.Now()
		tok, err := identity.Mint(secret, identity.Principal{Subject: in.Subject, Role: role}, ttl, now)
		if err != nil {
			writeStatus(w, http.StatusInternalServerError, 13, "INTERNAL", "internal error", nil)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, map[string]any{
			"token": tok, "subject": in.Subject, "role": in.Role,
			"expireTime": now.Add(ttl).UTC().Format(time.RFC3339),
		})
	})
}

// whoAmI answers who a bearer token names, as the API sees it: the same
// verifier (issuer, audience, expiry, the role from AUTH_ROLE_CLAIM), so the
// browser never maps the provider's claims itself.
func whoAmI(v Verifier) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok == "" {
			writeStatus(w, http.StatusUnauthorized, 16, "UNAUTHENTICATED", "no bearer token", nil)
			return
		}
		p, err := v.Verify(tok)
		if err != nil {
			// Not 401: the person has just signed in, and the page says why
			// the provider's account is refused (no bookwell role, ...).
			writeStatus(w, http.StatusForbidden, 7, "SIGN_IN_REFUSED", "bookwell does not accept this account: "+err.Error(), nil)
			return
		}
		if p.Role != identity.RoleMentee && p.Role != identity.RoleMentor && p.Role != identity.RoleAdmin {
			writeStatus(w, http.StatusForbidden, 7, "PERMISSION_DENIED", "the console is for mentees, mentors and admins", nil)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"subject": p.Subject, "role": string(p.Role)})
	})
}

// contentSecurityPolicy keeps the app to its own origin (and the identity
// provider's token endpoint, which the browser calls for the sign-in): no
// inline script, no third-party anything.
func contentSecurityPolicy(connect string) string {
	src := "'self'"
	if connect != "" {
		src += " " + connect
	}
	return "default-src 'self'; img-src 'self' data:; style-src 'self'; " +
		"connect-src " + src + "; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
}

// app serves the built files; any other path is a route of the app and gets
// index.html. Hashed assets are cached for good, index.html never.
func app(dir, csp string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		index := filepath.Join(dir, "index.html")
		if _, err := os.Stat(index); err != nil {
			h.Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = fmt.Fprintf(w, "The console is not built (no %s): run `make console`.\n", index)
			return
		}
		clean := path.Clean("/" + r.URL.Path)
		if clean != "/" && clean != "/index.html" {
			if fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(clean))); err == nil && !fi.IsDir() {
				if strings.HasPrefix(clean, "/assets/") {
					h.Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(w, r)
				return
			}
			if strings.HasPrefix(clean, "/assets/") {
				http.NotFound(w, r)
				return
			}
		}
		h.Set("Cache-Control", "no-cache")
		http.ServeFile(w, r, index)
	})
}

type fieldViolation struct {
	Field       string `json:"field"`
	Description string `json:"description"`
}

// writeStatus answers as the gateway does: google.rpc.Status JSON with an
// ErrorInfo reason and any field violations.
func writeStatus(w http.ResponseWriter, httpStatus, code int, reason, msg string, violations []fieldViolation) {
	details := []any{map[string]any{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "bookwell.app"}}
	if len(violations) > 0 {
		details = append(details, map[string]any{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": violations})
	}
	writeJSON(w, httpStatus, map[string]any{"code": code, "message": msg, "details": details})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// provider checks users' tokens from the marketplace's identity provider:
// RS256 or ES256, signed by a key of its JWKS (keyfunc keeps the set,
// fetches it again every JWKSRefresh, and at once for an unknown kid, at
// most once per JWKSUnknownKIDEvery so that forged kids cannot make us
// hammer the provider), issued by Issuer for Audience, within exp and nbf
// give or take ClockSkew.
type provider struct {
	keys     keyfunc.Keyfunc
	skew     time.Duration
	issuer   string
	audience string
	role     string
	subject  string
}

// providerAlgs are the algorithms accepted from the identity provider.
var providerAlgs = []string{jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg()}

func newProvider(ctx context.Context, c Config) (*provider, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	jwksURL := c.JWKSURL
	if jwksURL == "" {
		var err error
		if jwksURL, err = discover(ctx, client, c.Issuer); err != nil {
			return nil, fmt.Errorf("identity provider %s: %w (or set AUTH_JWKS_URL)", c.Issuer, err)
		}
	}
	every := c.JWKSUnknownKIDEvery
	if every <= 0 {
		every = 10 * time.Second
	}
	refresh := c.JWKSRefresh
	if refresh <= 0 {
		refresh = time.Hour
	}
	storage, err := jwkset.NewStorageFromHTTP(jwksURL, jwkset.HTTPClientStorageOptions{
		Client: client, Ctx: ctx, RefreshInterval: refresh, HTTPTimeout: 10 * time.Second,
		NoErrorReturnFirstHTTPReq: true, // a provider down at start is retried, not fatal
	})
	if err != nil {
		return nil, fmt.Errorf("identity provider JWKS %s: %w", jwksURL, err)
	}
	set, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{jwksURL: storage},
		RefreshUnknownKID: rate.NewLimiter(rate.Every(every), 1),
		RateLimitWaitMax:  50 * time.Millisecond, // over the limit: refuse now rather than wait
	})
	if err != nil {
		return nil, fmt.Errorf("identity provider JWKS %s: %w", jwksURL, err)
	}
	keys, err := keyfunc.New(keyfunc.Options{Ctx: ctx, Storage: set})
	if err != nil {
		return nil, err
	}
	return &provider{
		keys: keys, skew: c.ClockSkew,
		issuer: c.Issuer, audience: c.Audience, role: c.RoleClaim, subject: c.SubjectClaim,
	}, nil
}

// discover reads the provider's OpenID configuration for its JWKS address.
func discover(ctx context.Context, client *http.Client, issuer string) (string, error) {
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("discovery: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("discovery: %s answered %s", u, resp.Status)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(&doc); err != nil {
		return "", fmt.Errorf("discovery: %w", err)
	}
	if doc.Issuer != issuer {
		return "", fmt.Errorf("discovery: the document's issuer is %q, not %q", doc.Issuer, issuer)
	}
	if doc.JWKSURI == "" {
		return "", fmt.Errorf("discovery: no jwks_uri")
	}
	return doc.JWKSURI, nil
}

func (p *provider) verify(token string, now time.Time) (Principal, error) {
	c := jwt.MapClaims{}
	parser := jwt.NewParser(jwt.WithValidMethods(providerAlgs), jwt.WithIssuer(p.issuer),
		jwt.WithAudience(p.audience), jwt.WithExpirationRequired(), jwt.WithLeeway(p.skew), jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return now }))
	if _, err := parser.ParseWithClaims(token, c, p.keys.Keyfunc); err != nil {
		return Principal{}, apperr.Wrap(ErrUnauthenticated, "invalid token: %v", cleanJWTError(err))
	}
	sub, _ := claim(c, p.subject).(string)
	if sub == "" {
		return Principal{}, apperr.Wrap(ErrUnauthenticated, "the token has no %s claim", p.subject)
	}
	role, ok := userRole(claim(c, p.role))
	if !ok {
		return Principal{}, apperr.Wrap(ErrUnauthenticated, "the token's %s claim names no bookwell role (mentee, mentor or admin)", p.role)
	}
	return Principal{Subject: sub, Role: role}, nil
}

// claim finds name in c: a top-level claim of that exact name (namespaced
// claims hold dots: https://example.com/role), else a dotted path into
// nested objects (realm_access.roles).
func claim(c jwt.MapClaims, name string) any {
	if v, ok := c[name]; ok {
		return v
	}
	var cur any = map[string]any(c)
	for part := range strings.SplitSeq(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

// userRole maps the role claim, a string or a list of strings, to the
// highest user role it names. The service role is never taken from a user
// token.
func userRole(v any) (Role, bool) {
	var names []string
	switch x := v.(type) {
	case string:
		names = strings.Fields(x)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				names = append(names, s)
			}
		}
	}
	for _, r := range []Role{RoleAdmin, RoleMentor, RoleMentee} {
		for _, n := range names {
			if Role(n) == r {
				return r, true
			}
		}
	}
	return "", false
}

package identity

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// idp is a local identity provider: an OpenID discovery document and a JWKS
// whose keys the test rotates.
type idp struct {
	srv     *httptest.Server
	mu      sync.Mutex
	keys    map[string]crypto.Signer // by kid, published
	fetches atomic.Int32
}

func newIDP(t testing.TB) *idp {
	t.Helper()
	p := &idp{keys: map[string]crypto.Signer{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": p.srv.URL, "jwks_uri": p.srv.URL + "/jwks"})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		p.fetches.Add(1)
		set := jwkset.NewMemoryStorage()
		p.mu.Lock()
		for kid, k := range p.keys {
			j, err := jwkset.NewJWKFromKey(k.Public(), jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: kid, USE: jwkset.UseSig}})
			if err != nil {
				p.mu.Unlock()
				http.Error(w, err.Error(), 500)
				return
			}
			_ = set.KeyWrite(r.Context(), j)
		}
		p.mu.Unlock()
		b, _ := set.JSONPublic(r.Context())
		_, _ = w.Write(b)
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *idp) publish(kid string, k crypto.Signer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keys[kid] = k
}

func (p *idp) retire(kid string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.keys, kid)
}

func rsaKey(t testing.TB) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ecKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// sign makes a token with method and key, kid in its header.
func sign(t testing.TB, m jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const audience = "https://api.bookwell.test"

func userClaims(iss string, now time.Time, extra map[string]any) jwt.MapClaims {
	c := jwt.MapClaims{"iss": iss, "aud": []string{audience, "other"}, "sub": "auth0|ada",
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "https://bookwell.test/role": "mentor"}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

func providerVerifier(t testing.TB, p *idp, dev bool) *Verifier {
	t.Helper()
	c := Config{Issuer: p.srv.URL, Audience: audience, RoleClaim: "https://bookwell.test/role", SubjectClaim: "sub",
		ClockSkew: 30 * time.Second, JWKSRefresh: time.Hour, JWKSUnknownKIDEvery: 10 * time.Millisecond,
		Dev: dev}
	if !dev {
		_, priv, pub, err := GenerateServiceKey("booking-worker")
		if err != nil {
			t.Fatal(err)
		}
		c.ServiceSigningKey, c.ServiceVerifyKeys = string(priv), string(pub)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	v, err := c.Verifier(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestProviderTokensAreVerifiedAgainstItsRotatingJWKS(t *testing.T) {
	p := newIDP(t)
	old, ec := rsaKey(t), ecKey(t)
	p.publish("2026-01", old)
	p.publish("ec-1", ec)
	v := providerVerifier(t, p, false)
	now := time.Now()

	for name, tok := range map[string]string{
		"RS256": sign(t, jwt.SigningMethodRS256, old, "2026-01", userClaims(p.srv.URL, now, nil)),
		"ES256": sign(t, jwt.SigningMethodES256, ec, "ec-1", userClaims(p.srv.URL, now, nil)),
	} {
		got, err := v.Verify(tok)
		if err != nil || got != (Principal{Subject: "auth0|ada", Role: RoleMentor}) {
			t.Fatalf("%s: %+v, %v", name, got, err)
		}
	}

	// The provider rotates: a token with the new kid fetches the JWKS again.
	fresh := rsaKey(t)
	p.publish("2026-02", fresh)
	before := p.fetches.Load()
	if _, err := v.Verify(sign(t, jwt.SigningMethodRS256, fresh, "2026-02", userClaims(p.srv.URL, now, nil))); err != nil {
		t.Fatalf("a token signed with the rotated-in key: %v", err)
	}
	if p.fetches.Load() == before {
		t.Fatal("an unknown kid did not refresh the JWKS")
	}
	// ... and retires the old key: once the set is fetched again, tokens
	// signed with it are refused.
	p.retire("2026-01")
	time.Sleep(20 * time.Millisecond)
	_, _ = v.Verify(sign(t, jwt.SigningMethodRS256, fresh, "never-published", userClaims(p.srv.URL, now, nil)))
	if _, err := v.Verify(sign(t, jwt.SigningMethodRS256, old, "2026-01", userClaims(p.srv.URL, now, nil))); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("a token signed with the retired key: %v, want unauthenticated", err)
	}
}

func TestProviderTokensThatMustBeRefused(t *testing.T) {
	p := newIDP(t)
	key := rsaKey(t)
	p.publish("k1", key)
	v := providerVerifier(t, p, false)
	now := time.Now()
	pubPEM := func() []byte {
		der, _ := x509.MarshalPKIXPublicKey(key.Public())
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}()
	good := func(extra map[string]any) string {
		return sign(t, jwt.SigningMethodRS256, key, "k1", userClaims(p.srv.URL, now, extra))
	}
	none := func() string {
		s, _ := jwt.NewWithClaims(jwt.SigningMethodNone, userClaims(p.srv.URL, now, nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
		return s
	}()
	for name, tok := range map[string]string{
		"wrong issuer":          good(map[string]any{"iss": "https://evil.test"}),
		"wrong audience":        good(map[string]any{"aud": "https://another-api.test"}),
		"no audience":           good(map[string]any{"aud": nil}),
		"expired":               good(map[string]any{"exp": now.Add(-time.Minute).Unix()}),
		"no expiry":             good(map[string]any{"exp": nil}),
		"not yet valid":         good(map[string]any{"nbf": now.Add(5 * time.Minute).Unix()}),
		"issued in future":      good(map[string]any{"iat": now.Add(5 * time.Minute).Unix()}),
		"alg none":              none,
		"HS256 with the key":    sign(t, jwt.SigningMethodHS256, pubPEM, "k1", userClaims(p.srv.URL, now, nil)),
		"unknown kid":           sign(t, jwt.SigningMethodRS256, rsaKey(t), "k-unknown", userClaims(p.srv.URL, now, nil)),
		"another key, same kid": sign(t, jwt.SigningMethodRS256, rsaKey(t), "k1", userClaims(p.srv.URL, now, nil)),
		"service role":          good(map[string]any{"https://bookwell.test/role": "service"}),
		"no role":               good(map[string]any{"https://bookwell.test/role": nil}),
		"no subject":            good(map[string]any{"sub": nil}),
	} {
		if got, err := v.Verify(tok); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s: %+v, %v; want unauthenticated", name, got, err)
		}
	}
	// Within the clock skew is fine.
	if _, err := v.Verify(good(map[string]any{"exp": now.Add(-10 * time.Second).Unix(), "nbf": now.Add(10 * time.Second).Unix()})); err != nil {
		t.Errorf("10 s of clock skew: %v", err)
	}
}

func TestRoleClaimMapping(t *testing.T) {
	c := jwt.MapClaims{"realm_access": map[string]any{"roles": []any{"offline_access", "mentee", "mentor"}},
		"https://x.test/role": "admin", "scope": "openid mentee"}
	for name, want := range map[string]Role{"realm_access.roles": RoleMentor, "https://x.test/role": RoleAdmin, "scope": RoleMentee} {
		if got, ok := userRole(claim(c, name)); !ok || got != want {
			t.Errorf("%s: %q %v, want %q", name, got, ok, want)
		}
	}
	if _, ok := userRole([]any{"service"}); ok {
		t.Error("the service role was mapped from a user token")
	}
}

func TestServiceRoleNeedsTheServicesOwnKey(t *testing.T) {
	worker, _, pub, err := GenerateServiceKey("booking-worker")
	if err != nil {
		t.Fatal(err)
	}
	intruder, _, _, _ := GenerateServiceKey("booking-worker")
	keys, err := ParseServiceVerifyKeys(pub)
	if err != nil {
		t.Fatal(err)
	}
	prod := &Verifier{services: keys, skew: 30 * time.Second}
	now := time.Now()
	tok, _ := worker.Mint(time.Minute, now)
	if got, err := prod.Verify(tok); err != nil || got != (Principal{Subject: "booking-worker", Role: RoleService}) {
		t.Fatalf("the worker's own token: %+v, %v", got, err)
	}
	devTok, _ := DevServiceKey("booking-worker").Mint(time.Minute, now)
	forged, _ := intruder.Mint(time.Minute, now)
	expired, _ := worker.Mint(time.Minute, now.Add(-10*time.Minute))
	// A key naming another service: signed by booking-worker's key, claiming to be payments.
	renamed := sign(t, jwt.SigningMethodEdDSA, worker.private, "booking-worker", jwt.MapClaims{"iss": ServiceIssuer,
		"aud": serviceAudience, "sub": "paymentsd", "exp": now.Add(time.Minute).Unix()})
	userHS, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": Issuer, "sub": "booking-worker",
		"role": "service", "exp": now.Add(time.Minute).Unix()}).SignedString([]byte(DevSecret))
	for name, tok := range map[string]string{
		"the development key outside development mode": devTok,
		"another key with the worker's name":           forged,
		"expired":                                      expired,
		"a subject other than the key's":               renamed,
		"an HS256 user token with role service":        userHS,
	} {
		if got, err := prod.Verify(tok); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s: %+v, %v; want unauthenticated", name, got, err)
		}
	}
	// In development mode the development key works, an HS256 token still
	// cannot carry the service role.
	dev := DevVerifier(DevSecret)
	if got, err := dev.Verify(devTok); err != nil || got.Role != RoleService {
		t.Errorf("development key in development mode: %+v, %v", got, err)
	}
	if _, err := dev.Verify(userHS); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("HS256 role=service in development mode: %v", err)
	}
	// Rotation: while both public keys are listed, both keys' tokens pass.
	next, _, nextPub, _ := GenerateServiceKey("booking-worker")
	both, err := ParseServiceVerifyKeys(append(append([]byte{}, pub...), nextPub...))
	if err != nil {
		t.Fatal(err)
	}
	rotating := &Verifier{services: both, skew: 30 * time.Second}
	nextTok, _ := next.Mint(time.Minute, now)
	for _, tok := range []string{tok, nextTok} {
		if _, err := rotating.Verify(tok); err != nil {
			t.Errorf("during a rotation: %v", err)
		}
	}
	if _, err := Mint(DevSecret, Principal{Subject: "x", Role: RoleService}, time.Minute, now); err == nil {
		t.Error("Mint made a service token")
	}
}

func TestOutsideDevelopmentModeAProcessNeedsRealSettings(t *testing.T) {
	err := Config{}.Check()
	if !errors.Is(err, ErrNotConfigured) || !strings.Contains(err.Error(), "AUTH_ISSUER") || !strings.Contains(err.Error(), "SERVICE_SIGNING_KEY") {
		t.Fatalf("no settings: %v", err)
	}
	if err := (Config{Dev: true}).Check(); err != nil {
		t.Fatalf("development mode needs no settings: %v", err)
	}
	if _, err := (Config{}).Verifier(context.Background()); !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("verifier without settings: %v", err)
	}
	if _, err := (Config{}).ServiceKey("x"); !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("service key without settings: %v", err)
	}
	err = Config{JWTSecret: "s", Issuer: "https://idp", Audience: "a", ServiceSigningKey: "k", ServiceVerifyKeys: "k"}.Check()
	if err == nil || !strings.Contains(err.Error(), "AUTH_JWT_SECRET") {
		t.Fatalf("a development secret in production: %v", err)
	}
	// HS256 tokens are refused by a production verifier.
	p := newIDP(t)
	p.publish("k1", rsaKey(t))
	v := providerVerifier(t, p, false)
	tok, _ := Mint(DevSecret, Principal{Subject: "ada", Role: RoleAdmin}, time.Hour, time.Now())
	if _, err := v.Verify(tok); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("a development token in production: %v", err)
	}
}

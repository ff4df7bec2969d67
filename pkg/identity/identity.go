// Package identity is who is calling: a bearer JWT with a subject and a
// role, verified by every service's gRPC server, so that a direct gRPC
// caller cannot skip the check the gateway makes. The gateway forwards the
// Authorization header as gRPC metadata. Users' tokens come from the
// marketplace's identity provider (RS256 or ES256, checked against its
// JWKS); services calling each other sign short-lived tokens with their own
// Ed25519 keys, the only way to the service role; in development mode,
// HS256 tokens signed with a development secret stand in for the provider's
// (see docs/security.md).
package identity

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// Role is what a caller may do.
type Role string

// The roles.
const (
	RoleMentee  Role = "mentee"
	RoleMentor  Role = "mentor"
	RoleAdmin   Role = "admin"
	RoleService Role = "service" // another bookwell service
)

func (r Role) valid() bool {
	switch r {
	case RoleMentee, RoleMentor, RoleAdmin, RoleService:
		return true
	}
	return false
}

// Principal is an authenticated caller.
type Principal struct {
	Subject string
	Role    Role
}

// Errors of authentication.
var (
	ErrUnauthenticated = apperr.New(apperr.KindUnauthenticated, "UNAUTHENTICATED", "a valid bearer token is required")
	ErrForbidden       = apperr.New(apperr.KindPermissionDenied, "FORBIDDEN", "you may not do this")
)

// Verifier checks bearer tokens of three kinds, told apart by their
// algorithm and each checked only its own way:
//
//   - EdDSA, issuer ServiceIssuer: a service token, signed by the key of
//     the service it names (ServiceKey); the only way to the service role;
//   - RS256 or ES256: a user's token from the identity provider (issuer,
//     audience, expiry and not-before checked, role from the configured
//     claim);
//   - HS256: a development user token (Mint), in development mode only.
//
// Any other algorithm ("none" among them) is refused, and neither a user
// token nor a development token can carry the service role.
type Verifier struct {
	provider *provider                      // nil: no identity provider
	dev      []byte                         // HS256 secret; nil outside development mode
	services map[string][]ed25519.PublicKey // by service name (kid); two while rotating
	skew     time.Duration
}

// DevVerifier is the verifier of development mode with secret as the HS256
// secret (tests: DevSecret) and the development service key, plus extra
// services' keys.
func DevVerifier(secret string, services ...*ServiceKey) *Verifier {
	v := &Verifier{dev: []byte(secret), services: map[string][]ed25519.PublicKey{devServiceKID: {devServiceKey().Public}}, skew: 30 * time.Second}
	for _, k := range services {
		v.services[k.Name] = append(v.services[k.Name], k.Public)
	}
	return v
}

// Verify parses and checks a token.
func (v *Verifier) Verify(token string) (Principal, error) {
	return v.VerifyAt(token, time.Now())
}

// VerifyAt checks token as of now.
func (v *Verifier) VerifyAt(token string, now time.Time) (Principal, error) {
	var head struct {
		Alg string `json:"alg"`
	}
	if err := decodeHeader(token, &head); err != nil {
		return Principal{}, apperr.Wrap(ErrUnauthenticated, "invalid token: malformed")
	}
	var (
		p   Principal
		err error
	)
	switch head.Alg {
	case jwt.SigningMethodEdDSA.Alg():
		p, err = v.verifyService(token, now)
	case jwt.SigningMethodHS256.Alg():
		if v.dev == nil {
			return Principal{}, apperr.Wrap(ErrUnauthenticated, "invalid token: HS256 tokens are accepted in development mode only")
		}
		p, err = v.verifyDev(token, now)
	case jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg():
		if v.provider == nil {
			return Principal{}, apperr.Wrap(ErrUnauthenticated, "invalid token: no identity provider is configured")
		}
		p, err = v.provider.verify(token, now)
	default:
		return Principal{}, apperr.Wrap(ErrUnauthenticated, "invalid token: algorithm %q is not accepted", head.Alg)
	}
	if err != nil {
		return Principal{}, err
	}
	return p, nil
}

// decodeHeader reads a JWT's header, unverified, to choose how to verify it.
func decodeHeader(token string, head any) error {
	h, _, ok := strings.Cut(token, ".")
	if !ok {
		return errors.New("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, head)
}

func (v *Verifier) verifyDev(token string, now time.Time) (Principal, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return v.dev, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer), jwt.WithExpirationRequired(), jwt.WithLeeway(v.skew),
		jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return Principal{}, apperr.Wrap(ErrUnauthenticated, "invalid token: %v", cleanJWTError(err))
	}
	if c.Role == RoleService {
		return Principal{}, apperr.Wrap(ErrUnauthenticated, "a user token cannot carry the service role")
	}
	if c.Subject == "" || !c.Role.valid() {
		return Principal{}, apperr.Wrap(ErrUnauthenticated, "the token has no subject or an unknown role")
	}
	return Principal{Subject: c.Subject, Role: c.Role}, nil
}

func cleanJWTError(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "not valid yet"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "wrong issuer"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "wrong audience"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "bad signature"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "unknown key"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed"
	}
	return "rejected"
}

type ctxKey struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the caller, or ErrUnauthenticated.
func From(ctx context.Context) (Principal, error) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	if !ok {
		return Principal{}, ErrUnauthenticated
	}
	return p, nil
}

// Token reads the bearer token from incoming gRPC metadata.
func Token(ctx context.Context) string {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		if t, ok := strings.CutPrefix(v, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
	}
	return ""
}

// public methods need no token: health checks and reflection.
func public(method string) bool {
	return strings.HasPrefix(method, "/grpc.health.v1.") || strings.HasPrefix(method, "/grpc.reflection.")
}

// SelfAuthenticated is the set of gRPC methods (full names) that check their
// caller themselves, with a signature over the request (an email's action
// link): the interceptor lets them through without a caller.
type SelfAuthenticated map[string]bool

// UnaryServerInterceptor authenticates every call but health checks,
// reflection and the self-authenticated methods, and puts the caller in the
// context. A call without a valid token fails with ErrUnauthenticated, which
// the server's error interceptor (pkg/grpcserver) turns into UNAUTHENTICATED.
func UnaryServerInterceptor(v *Verifier, self ...SelfAuthenticated) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if public(info.FullMethod) || selfAuthenticated(self, info.FullMethod) {
			return handler(ctx, req)
		}
		tok := Token(ctx)
		if tok == "" {
			return nil, ErrUnauthenticated
		}
		p, err := v.Verify(tok)
		if err != nil {
			return nil, err
		}
		return handler(With(ctx, p), req)
	}
}

func selfAuthenticated(sets []SelfAuthenticated, method string) bool {
	for _, s := range sets {
		if s[method] {
			return true
		}
	}
	return false
}

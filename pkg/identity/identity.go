// Package identity is who is calling: a bearer JWT (HS256) with a subject and
// a role, verified by every service's gRPC server, so that a direct gRPC
// caller cannot skip the check the gateway makes. The gateway forwards the
// Authorization header as gRPC metadata; services calling each other mint
// short-lived tokens with the service role.
package identity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// Issuer is the iss claim of bookwell's tokens.
const Issuer = "bookwell"

// DevSecret is the signing secret when AUTH_JWT_SECRET is not set: fine for
// `make dev` and tests, never for production.
const DevSecret = "bookwell-dev-secret-do-not-use-in-production"

// Config is where the signing secret comes from.
type Config struct {
	JWTSecret string `env:"AUTH_JWT_SECRET" envDefault:"bookwell-dev-secret-do-not-use-in-production"`
}

// Errors of authentication.
var (
	ErrUnauthenticated = apperr.New(apperr.KindUnauthenticated, "UNAUTHENTICATED", "a valid bearer token is required")
	ErrForbidden       = apperr.New(apperr.KindPermissionDenied, "FORBIDDEN", "you may not do this")
)

type claims struct {
	Role Role `json:"role"`
	jwt.RegisteredClaims
}

// Mint signs a token for p that expires after ttl.
func Mint(secret string, p Principal, ttl time.Duration, now time.Time) (string, error) {
	if p.Subject == "" || !p.Role.valid() {
		return "", fmt.Errorf("identity: a token needs a subject and a role (mentee, mentor, admin or service)")
	}
	c := claims{Role: p.Role, RegisteredClaims: jwt.RegisteredClaims{
		Subject: p.Subject, Issuer: Issuer,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(secret))
}

// Verifier checks tokens.
type Verifier struct{ secret []byte }

// NewVerifier returns a verifier for tokens signed with secret.
func NewVerifier(secret string) *Verifier { return &Verifier{secret: []byte(secret)} }

// Verify parses and checks a token.
func (v *Verifier) Verify(token string) (Principal, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return v.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer), jwt.WithExpirationRequired())
	if err != nil {
		return Principal{}, apperr.Wrap(ErrUnauthenticated, "invalid token: %v", cleanJWTError(err))
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
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "bad signature"
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

// UnaryServerInterceptor authenticates every call but health checks and
// reflection, and puts the caller in the context.
func UnaryServerInterceptor(v *Verifier, log *slog.Logger) grpc.UnaryServerInterceptor {
	toStatus := func(ctx context.Context, err error) error { return apperr.ToStatus(ctx, log, err) }
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if public(info.FullMethod) {
			return handler(ctx, req)
		}
		tok := Token(ctx)
		if tok == "" {
			return nil, toStatus(ctx, ErrUnauthenticated)
		}
		p, err := v.Verify(tok)
		if err != nil {
			return nil, toStatus(ctx, err)
		}
		return handler(With(ctx, p), req)
	}
}

// ServiceCredentials authenticate a bookwell service's calls to another with
// a token minted per call for the service role.
type ServiceCredentials struct {
	Secret string
	Name   string // the calling service, the token's subject
}

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (c ServiceCredentials) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	tok, err := Mint(c.Secret, Principal{Subject: c.Name, Role: RoleService}, time.Minute, time.Now())
	if err != nil {
		return nil, err
	}
	return map[string]string{"authorization": "Bearer " + tok}, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials; the
// services talk over the loopback or a private network.
func (ServiceCredentials) RequireTransportSecurity() bool { return false }

package identity

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"
)

// Config is where identities come from: the marketplace's identity provider
// for users, a key per service for services, and in development mode the
// public development secret. A process that is not in development mode
// refuses to start without the provider's issuer and audience and its own
// service key (Check).
type Config struct {
	// Dev is development mode (make dev, the end-to-end tests): user tokens
	// may be HS256 with JWTSecret (default DevSecret), and a service without
	// a key of its own signs with the public development service key.
	Dev bool `env:"BOOKWELL_DEV" envDefault:"false"`
	// JWTSecret signs development user tokens (make token). Development
	// mode only.
	JWTSecret string `env:"AUTH_JWT_SECRET"`

	// Issuer is the identity provider's issuer URL: its JWKS is found at
	// Issuer/.well-known/openid-configuration unless JWKSURL is set, and
	// a user token's iss must be exactly this.
	Issuer string `env:"AUTH_ISSUER"`
	// Audience is what a user token's aud must contain (the API's
	// identifier at the provider).
	Audience string `env:"AUTH_AUDIENCE"`
	// JWKSURL overrides the discovered JWKS address.
	JWKSURL string `env:"AUTH_JWKS_URL"`
	// RoleClaim names the claim holding the user's bookwell role (mentee,
	// mentor or admin), a string or a list of strings; a dotted path
	// (realm_access.roles) reaches into objects.
	RoleClaim string `env:"AUTH_ROLE_CLAIM" envDefault:"role"`
	// SubjectClaim names the claim holding the user's id.
	SubjectClaim string `env:"AUTH_SUBJECT_CLAIM" envDefault:"sub"`
	// ClockSkew is the leeway on exp, nbf and iat.
	ClockSkew time.Duration `env:"AUTH_CLOCK_SKEW" envDefault:"30s"`
	// JWKSRefresh is how often the JWKS is fetched again; a token with an
	// unknown kid fetches it at once, at most once per JWKSUnknownKIDEvery.
	JWKSRefresh         time.Duration `env:"AUTH_JWKS_REFRESH" envDefault:"1h"`
	JWKSUnknownKIDEvery time.Duration `env:"AUTH_JWKS_UNKNOWN_KID_EVERY" envDefault:"10s"`

	// ServiceSigningKey is this service's Ed25519 private key (PEM,
	// PKCS #8, with a "Service: <name>" header naming it): it signs the
	// service tokens the process calls other services with.
	ServiceSigningKey string `env:"SERVICE_SIGNING_KEY"`
	// ServiceVerifyKeys are the services' public keys (PEM "PUBLIC KEY"
	// blocks, each with its "Service: <name>" header): a service token is
	// accepted when signed by the key of the service it names.
	ServiceVerifyKeys string `env:"SERVICE_VERIFY_KEYS"`
}

// ErrNotConfigured is why a process outside development mode will not start.
var ErrNotConfigured = errors.New("identity is not configured")

// Check reports what a process outside development mode is missing. In
// development mode everything has a default.
func (c Config) Check() error {
	if c.Dev {
		return nil
	}
	var missing []error
	if c.JWTSecret != "" {
		missing = append(missing, errors.New("AUTH_JWT_SECRET signs development tokens and is refused outside development mode (BOOKWELL_DEV=true); users' tokens come from the identity provider (AUTH_ISSUER, AUTH_AUDIENCE)"))
	}
	if c.Issuer == "" || c.Audience == "" {
		missing = append(missing, errors.New("set AUTH_ISSUER and AUTH_AUDIENCE to the identity provider's issuer URL and this API's audience (or BOOKWELL_DEV=true on a development machine)"))
	}
	if c.ServiceSigningKey == "" || c.ServiceVerifyKeys == "" {
		missing = append(missing, errors.New("set SERVICE_SIGNING_KEY (this service's Ed25519 key) and SERVICE_VERIFY_KEYS (every service's public key); `go run ./deploy/cmd/servicekeys` makes them"))
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %w", ErrNotConfigured, errors.Join(missing...))
	}
	return nil
}

// Verifier builds the verifier c describes: the identity provider's tokens
// when Issuer is set, the services' tokens, and in development mode the
// HS256 development tokens and the development service key. ctx bounds the
// discovery and ends the JWKS's refreshing.
func (c Config) Verifier(ctx context.Context) (*Verifier, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	v := &Verifier{skew: c.ClockSkew, services: map[string][]ed25519.PublicKey{}}
	if c.Dev {
		v.dev = []byte(c.devSecret())
		if c.ServiceVerifyKeys == "" {
			// No keys of their own: the services sign with the public
			// development key, which only this case accepts.
			v.services[devServiceKID] = []ed25519.PublicKey{devServiceKey().Public}
		}
	}
	if c.ServiceVerifyKeys != "" {
		keys, err := ParseServiceVerifyKeys([]byte(c.ServiceVerifyKeys))
		if err != nil {
			return nil, fmt.Errorf("SERVICE_VERIFY_KEYS: %w", err)
		}
		for name, k := range keys {
			v.services[name] = append(v.services[name], k...)
		}
	}
	if c.Issuer != "" {
		if c.Audience == "" {
			return nil, fmt.Errorf("%w: AUTH_ISSUER is set without AUTH_AUDIENCE", ErrNotConfigured)
		}
		p, err := newProvider(ctx, c)
		if err != nil {
			return nil, err
		}
		v.provider = p
	}
	return v, nil
}

// ServiceKey is the key this process signs its service tokens with, named
// name unless the key names itself: SERVICE_SIGNING_KEY, or in development
// mode without one the public development service key.
func (c Config) ServiceKey(name string) (*ServiceKey, error) {
	if c.ServiceSigningKey == "" {
		if !c.Dev {
			return nil, fmt.Errorf("%w: SERVICE_SIGNING_KEY is not set", ErrNotConfigured)
		}
		return DevServiceKey(name), nil
	}
	k, err := ParseServiceKey([]byte(c.ServiceSigningKey), name)
	if err != nil {
		return nil, fmt.Errorf("SERVICE_SIGNING_KEY: %w", err)
	}
	return k, nil
}

// DevSigningSecret is the HS256 secret development tokens are signed with
// (AUTH_JWT_SECRET or DevSecret); empty outside development mode.
func (c Config) DevSigningSecret() string {
	if !c.Dev {
		return ""
	}
	return c.devSecret()
}

func (c Config) devSecret() string {
	if c.JWTSecret != "" {
		return c.JWTSecret
	}
	return DevSecret
}

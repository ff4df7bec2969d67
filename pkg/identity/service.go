package identity

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// ServiceIssuer is the iss claim of service tokens.
const ServiceIssuer = "bookwell-service"

// serviceAudience is the aud claim of service tokens: they are for bookwell
// services' gRPC APIs only.
const serviceAudience = "bookwell-services"

// serviceHeader is the PEM header naming the service a key belongs to.
const serviceHeader = "Service"

// devServiceKID is the kid of tokens signed with the development service key.
const devServiceKID = "bookwell-dev"

// ServiceKey is a service's own Ed25519 key: it signs the service tokens
// the service calls others with. Name is the service (the tokens' subject
// and key id), Public what its peers verify with.
type ServiceKey struct {
	Name    string
	Public  ed25519.PublicKey
	private ed25519.PrivateKey
	kid     string

	mu     sync.Mutex
	cached string
	until  time.Time
}

// GenerateServiceKey makes a new key for the service name and returns it
// with its private (PKCS #8) and public (PKIX) PEM, both carrying the
// "Service: name" header.
func GenerateServiceKey(name string) (k *ServiceKey, privPEM, pubPEM []byte, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, nil, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, nil, nil, err
	}
	h := map[string]string{serviceHeader: name}
	return newServiceKey(name, priv, name),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: h, Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Headers: h, Bytes: pubDER}), nil
}

func newServiceKey(name string, priv ed25519.PrivateKey, kid string) *ServiceKey {
	return &ServiceKey{Name: name, Public: priv.Public().(ed25519.PublicKey), private: priv, kid: kid}
}

// DevServiceKey is the public development service key, named name: what a
// service in development mode signs with when it has no key of its own, and
// what a verifier in development mode accepts for any service. Never
// accepted outside development mode.
func DevServiceKey(name string) *ServiceKey {
	k := devServiceKey()
	return newServiceKey(name, k.private, devServiceKID)
}

func devServiceKey() *ServiceKey {
	seed := sha256.Sum256([]byte("bookwell development service key: public, never for production"))
	return newServiceKey(devServiceKID, ed25519.NewKeyFromSeed(seed[:]), devServiceKID)
}

// ParseServiceKey reads a PEM PKCS #8 Ed25519 private key; its "Service"
// header names the service, else name does.
func ParseServiceKey(pemKey []byte, name string) (*ServiceKey, error) {
	b, _ := pem.Decode(pemKey)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PEM \"PRIVATE KEY\" block")
	}
	key, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an Ed25519 key", key)
	}
	if n := b.Headers[serviceHeader]; n != "" {
		name = n
	}
	if name == "" {
		return nil, errors.New("the key names no service (a \"Service: <name>\" PEM header)")
	}
	return newServiceKey(name, priv, name), nil
}

// ParseServiceVerifyKeys reads PEM "PUBLIC KEY" Ed25519 blocks, each named by
// its "Service" header, into the keys of each service (two while one is
// rotated).
func ParseServiceVerifyKeys(pemKeys []byte) (map[string][]ed25519.PublicKey, error) {
	out := map[string][]ed25519.PublicKey{}
	rest := pemKeys
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		name := b.Headers[serviceHeader]
		if b.Type != "PUBLIC KEY" || name == "" {
			return nil, fmt.Errorf("each key must be a PEM \"PUBLIC KEY\" block with a \"Service: <name>\" header (found %q named %q)", b.Type, name)
		}
		key, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		pub, ok := key.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%s: a %T, not an Ed25519 key", name, key)
		}
		out[name] = append(out[name], pub)
	}
	if len(out) == 0 && strings.TrimSpace(string(pemKeys)) != "" {
		return nil, errors.New("no PEM block found")
	}
	return out, nil
}

// serviceTTL is how long a service token lasts; one is reused until it has
// less than half of it left.
const serviceTTL = 2 * time.Minute

// Mint signs a service token valid for ttl from now.
func (k *ServiceKey) Mint(ttl time.Duration, now time.Time) (string, error) {
	c := jwt.RegisteredClaims{
		Subject: k.Name, Issuer: ServiceIssuer, Audience: jwt.ClaimStrings{serviceAudience},
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = k.kid
	return t.SignedString(k.private)
}

// token is a current service token, minted again when half spent.
func (k *ServiceKey) token() (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := time.Now()
	if k.cached != "" && now.Before(k.until) {
		return k.cached, nil
	}
	tok, err := k.Mint(serviceTTL, now)
	if err != nil {
		return "", err
	}
	k.cached, k.until = tok, now.Add(serviceTTL/2)
	return tok, nil
}

// verifyService checks a service token: EdDSA, issued by ServiceIssuer for
// serviceAudience, signed by the key its kid names, whose subject is that
// service (or anything, for the development key).
func (v *Verifier) verifyService(token string, now time.Time) (Principal, error) {
	var c jwt.RegisteredClaims
	var kid string
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		kid, _ = t.Header["kid"].(string)
		keys := v.services[kid]
		if len(keys) == 0 {
			return nil, fmt.Errorf("no key for service %q", kid)
		}
		set := jwt.VerificationKeySet{}
		for _, k := range keys {
			set.Keys = append(set.Keys, k)
		}
		return set, nil
	},
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(ServiceIssuer), jwt.WithAudience(serviceAudience),
		jwt.WithExpirationRequired(), jwt.WithLeeway(v.skew),
		jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return Principal{}, apperr.Wrap(ErrUnauthenticated, "invalid service token: %v", cleanJWTError(err))
	}
	if c.Subject == "" || (kid != devServiceKID && c.Subject != kid) {
		return Principal{}, apperr.Wrap(ErrUnauthenticated, "invalid service token: signed by %q for %q", kid, c.Subject)
	}
	return Principal{Subject: c.Subject, Role: RoleService}, nil
}

// ServiceCredentials authenticate a bookwell service's calls to another with
// a short-lived token signed by its own key.
type ServiceCredentials struct{ Key *ServiceKey }

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (c ServiceCredentials) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	tok, err := c.Key.token()
	if err != nil {
		return nil, err
	}
	return map[string]string{"authorization": "Bearer " + tok}, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials; the
// services talk over the loopback or a private network, with TLS when
// GRPC_TLS_* is set.
func (ServiceCredentials) RequireTransportSecurity() bool { return false }

// PublicPEM is the key's public half as a PEM "PUBLIC KEY" block with its
// "Service" header: an entry of SERVICE_VERIFY_KEYS.
func (k *ServiceKey) PublicPEM() ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(k.Public)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Headers: map[string]string{serviceHeader: k.Name}, Bytes: der}), nil
}

package identity

import (
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issuer is the iss claim of development user tokens.
const Issuer = "bookwell"

// DevSecret is the HS256 secret of development mode when AUTH_JWT_SECRET is
// not set: public, so never accepted outside development mode.
const DevSecret = "bookwell-dev-secret-do-not-use-in-production"

type claims struct {
	Role Role `json:"role"`
	jwt.RegisteredClaims
}

// Mint signs a development user token for p that expires after ttl (make
// token, the console's development sign-in, tests). The service role is not
// minted this way: services sign their own tokens (ServiceKey).
func Mint(secret string, p Principal, ttl time.Duration, now time.Time) (string, error) {
	if p.Subject == "" || !p.Role.valid() {
		return "", fmt.Errorf("identity: a token needs a subject and a role (mentee, mentor or admin)")
	}
	if p.Role == RoleService {
		return "", fmt.Errorf("identity: service tokens are signed with a service's own key (ServiceKey.Mint)")
	}
	c := claims{Role: p.Role, RegisteredClaims: jwt.RegisteredClaims{
		Subject: p.Subject, Issuer: Issuer,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(secret))
}

// DevToken is a development token for p: Mint for a user, a token signed
// with the development service key for the service role (tests).
func DevToken(secret string, p Principal, ttl time.Duration, now time.Time) (string, error) {
	if p.Role == RoleService {
		return DevServiceKey(p.Subject).Mint(ttl, now)
	}
	return Mint(secret, p, ttl, now)
}

// Package actionlink signs and checks the action links of bookwell's emails:
// "Approve", "Reject", "Suggest another time" in a mentor's new-request
// email, "Accept" and "Decline" in a proposal. A link is a JWT
// (github.com/golang-jwt/jwt/v5) signed with Ed25519: it names the booking,
// the recipient (user id and role), the action, its own id and when it
// expires. Notifications holds the private key and signs; booking holds only
// the public keys and checks, so the service that carries the action out
// cannot make links.
//
// The link's own checks are here: the signature (EdDSA only: no other
// algorithm is accepted, so neither a bearer token nor a forged "none"
// token passes), its audience (a link is not a bearer token, and a bearer
// token is not a link), the key id and the expiry. That a link is used once
// is the booking service's (it records the ids of links used).
package actionlink

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// Action is what a link does.
type Action string

// The actions a link may carry.
const (
	Approve Action = "approve" // the mentor approves a request
	Reject  Action = "reject"  // the mentor rejects a request, with a reason
	Propose Action = "propose" // the mentor suggests another time
	Accept  Action = "accept"  // the reader accepts the other side's proposal
	Decline Action = "decline" // the reader declines it
)

// Valid reports whether a is one of the actions.
func (a Action) Valid() bool {
	switch a {
	case Approve, Reject, Propose, Accept, Decline:
		return true
	}
	return false
}

// Role is the recipient's side of the booking.
type Role string

// The roles a link's recipient may have.
const (
	Mentor Role = "mentor"
	Mentee Role = "mentee"
)

// Link is what a link says.
type Link struct {
	ID        string // unique per link: the booking service records it once used
	BookingID string
	UserID    string // the recipient, who acts
	Role      Role
	Action    Action
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Audience is the aud claim of every link.
const Audience = "bookwell-action-link"

// The refusals a link can get from Verify.
var (
	ErrInvalid = apperr.New(apperr.KindUnauthenticated, "ACTION_LINK_INVALID",
		"this link is not valid: it was not made by bookwell, or it was changed")
	ErrExpired = apperr.New(apperr.KindUnauthenticated, "ACTION_LINK_EXPIRED",
		"this link has expired: open the booking in bookwell instead")
)

type claims struct {
	Booking string `json:"bkg"`
	Role    Role   `json:"role"`
	Action  Action `json:"act"`
	jwt.RegisteredClaims
}

// Signer signs links with one Ed25519 private key.
type Signer struct {
	key ed25519.PrivateKey
	kid string
}

// NewSigner reads a PKCS #8 PEM Ed25519 private key ("PRIVATE KEY", as
// `openssl genpkey -algorithm ed25519` writes it, or GenerateKey).
func NewSigner(pemKey []byte) (*Signer, error) {
	block, _ := pem.Decode(pemKey)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("actionlink: the signing key must be a PEM \"PRIVATE KEY\" (PKCS #8) block")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("actionlink: signing key: %w", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("actionlink: the signing key is a %T, not Ed25519", k)
	}
	return &Signer{key: priv, kid: keyID(priv.Public().(ed25519.PublicKey))}, nil
}

// Sign returns the token of l. Ed25519 signatures are deterministic, so the
// same link signs to the same token.
func (s *Signer) Sign(l Link) (string, error) {
	if l.ID == "" || l.BookingID == "" || l.UserID == "" || !l.Action.Valid() || (l.Role != Mentor && l.Role != Mentee) || l.ExpiresAt.IsZero() {
		return "", fmt.Errorf("actionlink: incomplete link %+v", l)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims{
		Booking: l.BookingID, Role: l.Role, Action: l.Action,
		RegisteredClaims: jwt.RegisteredClaims{
			ID: l.ID, Subject: l.UserID, Audience: jwt.ClaimStrings{Audience},
			IssuedAt: jwt.NewNumericDate(l.IssuedAt), ExpiresAt: jwt.NewNumericDate(l.ExpiresAt),
		},
	})
	t.Header["kid"] = s.kid
	return t.SignedString(s.key)
}

// Verifier checks links against one or more public keys (several while a
// new signing key is rolled out: links signed with the old one stay good
// until they expire).
type Verifier struct {
	keys map[string]ed25519.PublicKey // by key id
}

// NewVerifier reads one or more PEM "PUBLIC KEY" (PKIX) Ed25519 blocks.
func NewVerifier(pemKeys []byte) (*Verifier, error) {
	v := &Verifier{keys: map[string]ed25519.PublicKey{}}
	for rest := pemKeys; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "PUBLIC KEY" {
			return nil, fmt.Errorf("actionlink: verification keys must be PEM \"PUBLIC KEY\" blocks, not %q", block.Type)
		}
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("actionlink: verification key: %w", err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("actionlink: a verification key is a %T, not Ed25519", k)
		}
		v.keys[keyID(pub)] = pub
	}
	if len(v.keys) == 0 {
		return nil, errors.New("actionlink: no PEM \"PUBLIC KEY\" block among the verification keys")
	}
	return v, nil
}

// MaxTokenLength bounds what Verify reads; links are about 400 characters.
const MaxTokenLength = 2048

// Verify checks token at now and returns its link: ErrInvalid for anything
// bookwell did not sign as a link (or that was changed since), ErrExpired for
// a link past its expiry.
func (v *Verifier) Verify(token string, now time.Time) (Link, error) {
	if token == "" || len(token) > MaxTokenLength {
		return Link{}, ErrInvalid
	}
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k, ok := v.keys[kid]; ok {
			return k, nil
		}
		return nil, errors.New("unknown key")
	}, jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}), jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }))
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return Link{}, ErrExpired
	case err != nil:
		return Link{}, ErrInvalid
	}
	l := Link{ID: c.ID, BookingID: c.Booking, UserID: c.Subject, Role: c.Role, Action: c.Action,
		ExpiresAt: c.ExpiresAt.Time}
	if c.IssuedAt != nil {
		l.IssuedAt = c.IssuedAt.Time
	}
	if l.ID == "" || l.BookingID == "" || l.UserID == "" || !l.Action.Valid() || (l.Role != Mentor && l.Role != Mentee) {
		return Link{}, ErrInvalid
	}
	return l, nil
}

// keyID names a public key: the first 12 bytes of its SHA-256, base64url.
func keyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// GenerateKey makes a new key pair as PEM: the private key (PKCS #8) for
// notifications, the public key (PKIX) for booking. For make dev and tests;
// production keys come from the secret store.
func GenerateKey() (private, public []byte, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	p8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, err
	}
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}), nil
}

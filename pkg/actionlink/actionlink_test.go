package actionlink

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bookwell/bookwell/pkg/identity"
)

func keys(t *testing.T) (*Signer, []byte) {
	t.Helper()
	priv, pub, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, pub
}

var now = time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)

func link() Link {
	return Link{ID: "7d1f6b2e-0000-4000-8000-000000000001", BookingID: "b-1", UserID: "mentor-1", Role: Mentor,
		Action: Approve, IssuedAt: now, ExpiresAt: now.Add(7 * 24 * time.Hour)}
}

func TestALinkSignedByNotificationsIsReadByBookingUntilItExpires(t *testing.T) {
	s, pub := keys(t)
	v, err := NewVerifier(pub)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Sign(link())
	if err != nil {
		t.Fatal(err)
	}
	again, _ := s.Sign(link())
	if again != tok {
		t.Error("the same link signed twice gave two tokens: a re-rendered email would carry another link")
	}
	got, err := v.Verify(tok, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := link()
	if got.ID != want.ID || got.BookingID != want.BookingID || got.UserID != want.UserID || got.Role != want.Role ||
		got.Action != want.Action || !got.ExpiresAt.Equal(want.ExpiresAt) || !got.IssuedAt.Equal(want.IssuedAt) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := v.Verify(tok, want.ExpiresAt.Add(time.Second)); !errors.Is(err, ErrExpired) {
		t.Errorf("past its expiry: %v, want ErrExpired", err)
	}
}

func TestAnythingButAnUnchangedLinkIsRefused(t *testing.T) {
	s, pub := keys(t)
	other, _ := keys(t)
	v, _ := NewVerifier(pub)
	tok, _ := s.Sign(link())
	parts := strings.Split(tok, ".")

	// The same claims naming another booking, with the first signature.
	var c map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	_ = json.Unmarshal(raw, &c)
	c["bkg"] = "b-2"
	swapped, _ := json.Marshal(c)
	otherBooking := parts[0] + "." + base64.RawURLEncoding.EncodeToString(swapped) + "." + parts[2]

	sig := []byte(parts[2])
	sig[10] ^= 1
	flipped := parts[0] + "." + parts[1] + "." + string(sig)

	byOtherKey, _ := other.Sign(link())
	pubBlock, _ := pem.Decode(pub)
	// A token signed with HS256 using the public key as the secret (the
	// classic confusion of algorithms) and one with "alg": "none".
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"aud": Audience, "sub": "mentor-1", "bkg": "b-1",
		"act": "approve", "role": "mentor", "jti": "x", "exp": now.Add(time.Hour).Unix()})
	hs.Header["kid"] = s.kid
	hsTok, _ := hs.SignedString(pubBlock.Bytes)
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"aud": Audience, "sub": "mentor-1", "bkg": "b-1",
		"act": "approve", "role": "mentor", "jti": "x", "exp": now.Add(time.Hour).Unix()})
	noneTok, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	// A person's bearer token is not a link.
	bearer, _ := identity.Mint(identity.DevSecret, identity.Principal{Subject: "mentor-1", Role: identity.RoleMentor}, time.Hour, now)

	for name, tok := range map[string]string{
		"another booking's id in the claims": otherBooking,
		"a flipped bit in the signature":     flipped,
		"signed with another key":            byOtherKey,
		"HS256 with the public key":          hsTok,
		"alg none":                           noneTok,
		"a bearer token":                     bearer,
		"empty":                              "",
		"garbage":                            "not-a-link",
		"too long":                           strings.Repeat("a", MaxTokenLength+1),
	} {
		if _, err := v.Verify(tok, now); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

func TestLinksOfAnOldKeyStayGoodWhileBothKeysAreListed(t *testing.T) {
	oldS, oldPub := keys(t)
	newS, newPub := keys(t)
	v, err := NewVerifier(append(append([]byte{}, newPub...), oldPub...))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Signer{oldS, newS} {
		tok, _ := s.Sign(link())
		if _, err := v.Verify(tok, now); err != nil {
			t.Errorf("signed with %s: %v", s.kid, err)
		}
	}
}

func TestKeysAreReadStrictly(t *testing.T) {
	priv, pub, _ := GenerateKey()
	if _, err := NewSigner(pub); err == nil {
		t.Error("a public key was taken as the signing key")
	}
	if _, err := NewVerifier(priv); err == nil {
		t.Error("a private key was taken as a verification key")
	}
	if _, err := NewVerifier([]byte("not pem")); err == nil {
		t.Error("no key at all was accepted")
	}
	s, _ := NewSigner(priv)
	if _, err := s.Sign(Link{BookingID: "b", UserID: "u", Role: Mentor, Action: "delete", ExpiresAt: now}); err == nil {
		t.Error("signed a link without an id and with an unknown action")
	}
}

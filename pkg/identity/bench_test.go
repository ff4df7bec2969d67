package identity

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// What checking one token costs, per kind: a request pays it at the gateway
// and again at each service it reaches.
func BenchmarkVerify(b *testing.B) {
	p := newIDP(b)
	key := rsaKey(b)
	p.publish("k1", key)
	v := providerVerifier(b, p, true)
	now := time.Now()
	worker, _, pub, err := GenerateServiceKey("booking-worker")
	if err != nil {
		b.Fatal(err)
	}
	keys, _ := ParseServiceVerifyKeys(pub)
	for name, k := range keys {
		v.services[name] = k
	}
	svc, _ := worker.Mint(time.Minute, now)
	dev, _ := Mint(DevSecret, Principal{Subject: "ada", Role: RoleMentee}, time.Hour, now)
	user := sign(b, jwt.SigningMethodRS256, key, "k1", userClaims(p.srv.URL, now, nil))
	for name, tok := range map[string]string{"provider RS256": user, "service EdDSA": svc, "development HS256": dev} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := v.VerifyAt(tok, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package e2e

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/bookwell/bookwell/pkg/actionlink"
	"github.com/bookwell/bookwell/pkg/identity"
)

// localIDP is the marketplace's identity provider on this machine: an
// OpenID discovery document and a JWKS with an RSA and an EC key.
type localIDP struct {
	srv  *httptest.Server
	mux  *http.ServeMux
	mu   sync.Mutex
	keys map[string]crypto.Signer
}

const (
	idpAudience  = "https://api.bookwell.test"
	idpRoleClaim = "https://bookwell.test/roles"
)

func newLocalIDP(t *testing.T) *localIDP {
	t.Helper()
	p := &localIDP{keys: map[string]crypto.Signer{}, mux: http.NewServeMux()}
	mux := p.mux
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": p.srv.URL, "jwks_uri": p.srv.URL + "/jwks",
			// the sign-in (console_oidc_test.go's signIn serves these two)
			"authorization_endpoint": p.srv.URL + "/authorize", "token_endpoint": p.srv.URL + "/token",
			"response_types_supported": []string{"code"}, "code_challenge_methods_supported": []string{"S256"},
			"id_token_signing_alg_values_supported": []string{"RS256", "ES256"}})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		var keys []map[string]string
		b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
		for kid, k := range p.keys {
			switch pub := k.Public().(type) {
			case *rsa.PublicKey:
				keys = append(keys, map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
					"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())})
			case *ecdsa.PublicKey:
				raw, _ := pub.Bytes() // 0x04 || X || Y
				keys = append(keys, map[string]string{"kty": "EC", "kid": kid, "use": "sig", "alg": "ES256", "crv": "P-256",
					"x": b64(raw[1:33]), "y": b64(raw[33:])})
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p.keys["rsa-1"], p.keys["ec-1"] = rk, ek
	return p
}

// env points the stack's processes at this provider.
func (p *localIDP) env() map[string]string {
	return map[string]string{"AUTH_ISSUER": p.srv.URL, "AUTH_AUDIENCE": idpAudience, "AUTH_ROLE_CLAIM": idpRoleClaim}
}

// token signs claims (the defaults of a good token for sub with role, then
// changes: a nil value removes the claim) with the key kid.
func (p *localIDP) token(t *testing.T, kid, sub, role string, changes map[string]any) string {
	t.Helper()
	now := time.Now()
	c := jwt.MapClaims{"iss": p.srv.URL, "aud": idpAudience, "sub": sub, "iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(), idpRoleClaim: []string{"offline_access", role}}
	for k, v := range changes {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	p.mu.Lock()
	key := p.keys[kid]
	p.mu.Unlock()
	m := jwt.SigningMethod(jwt.SigningMethodRS256)
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		m = jwt.SigningMethodES256
	}
	tok := jwt.NewWithClaims(m, c)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSecurity is the security suite: users' tokens from the identity
// provider, every wrong token refused with 401 (at the gateway and at the
// services directly) and nothing changed, the service role only for the
// services' own keys, and email action links refused when replayed,
// expired, or someone else's.
func TestSecurity(t *testing.T) {
	idp := newLocalIDP(t)
	// A short after-care: a person may be erased once their bookings' is over.
	w := start(t, idp.env(), map[string]string{"RATE_LIMIT_RPS": "10000", "RATE_LIMIT_BURST": "10000", "BOOKING_AFTER_CARE": "3s"})
	env := w.services.Env()
	const mentorID = "idp-sec-mentor"
	asIDP := func(tok string) user { return user{t: t, w: w, id: "idp", token: tok} }
	mentor := asIDP(idp.token(t, "rsa-1", mentorID, "mentor", nil))
	offerings := func() int {
		return len(asList(get(mentor.ok("GET", "/v1/mentors/"+url.PathEscape(mentorID)+"/offerings", nil), "offerings")))
	}

	t.Run("the provider's RS256 and ES256 tokens are accepted, with the role from its claim", func(t *testing.T) {
		mentor.t = t
		mentor.ok("POST", "/v1/mentors/"+url.PathEscape(mentorID)+"/offerings", paidOffering(60, 1))
		mentee := asIDP(idp.token(t, "ec-1", "idp-sec-mentee", "mentee", nil))
		mentee.t = t
		mentee.ok("GET", "/v1/mentors/"+url.PathEscape(mentorID)+"/offerings", nil)
		// The mentee's role is theirs: creating an offering is a mentor's.
		mentee.refused("POST", "/v1/mentors/"+url.PathEscape(mentorID)+"/offerings", paidOffering(30, 1), http.StatusForbidden, "")
	})

	before := offerings()
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	pubDER, _ := x509.MarshalPKIXPublicKey(idp.keys["rsa-1"].Public())
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	now := time.Now()
	sign := func(m jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
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
	good := jwt.MapClaims{"iss": idp.srv.URL, "aud": idpAudience, "sub": mentorID, "exp": now.Add(time.Hour).Unix(), idpRoleClaim: "mentor"}
	bad := map[string]string{
		"wrong issuer":              idp.token(t, "rsa-1", mentorID, "mentor", map[string]any{"iss": "https://evil.test"}),
		"wrong audience":            idp.token(t, "rsa-1", mentorID, "mentor", map[string]any{"aud": "https://another-api.test"}),
		"expired":                   idp.token(t, "rsa-1", mentorID, "mentor", map[string]any{"exp": now.Add(-5 * time.Minute).Unix()}),
		"not yet valid":             idp.token(t, "rsa-1", mentorID, "mentor", map[string]any{"nbf": now.Add(10 * time.Minute).Unix()}),
		"alg none":                  sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "rsa-1", good),
		"HS256 with the public key": sign(jwt.SigningMethodHS256, pubPEM, "rsa-1", good),
		"unknown kid":               sign(jwt.SigningMethodRS256, otherKey, "rsa-unknown", good),
		"another key, known kid":    sign(jwt.SigningMethodRS256, otherKey, "rsa-1", good),
		"no bookwell role":          idp.token(t, "rsa-1", mentorID, "mentor", map[string]any{idpRoleClaim: []string{"offline_access"}}),
		"the service role":          idp.token(t, "rsa-1", mentorID, "mentor", map[string]any{idpRoleClaim: "service"}),
	}
	t.Run("wrong tokens are refused with 401 at the gateway and nothing changes", func(t *testing.T) {
		for name, tok := range bad {
			u := asIDP(tok)
			u.t = t
			if r := u.call("POST", "/v1/mentors/"+url.PathEscape(mentorID)+"/offerings", paidOffering(45, 1)); r.status != http.StatusUnauthorized {
				t.Errorf("%s: %d %s, want 401", name, r.status, r.raw)
			}
		}
		if after := offerings(); after != before {
			t.Fatalf("refused tokens changed the mentor's offerings: %d, were %d", after, before)
		}
	})

	// Every service's gRPC API, called directly: the check is theirs too.
	serviceOnly := map[string]string{
		"BOOKING_GRPC_ADDR":       "/bookwell.booking.v1.BookingService/MarkPaid",
		"SCHEDULING_GRPC_ADDR":    "/bookwell.scheduling.v1.SchedulingService/HoldReservation",
		"PAYMENTS_GRPC_ADDR":      "/bookwell.payments.v1.PaymentsService/AuthorizePayment",
		"NOTIFICATIONS_GRPC_ADDR": "/bookwell.notifications.v1.NotificationService/UpsertRecipient",
		"REPUTATION_GRPC_ADDR":    "/bookwell.reputation.v1.ReputationService/GetMenteeHistory",
	}
	invoke := func(t *testing.T, addrEnv, tok string) codes.Code {
		t.Helper()
		conn, err := grpc.NewClient(env[addrEnv], grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
		err = conn.Invoke(ctx, serviceOnly[addrEnv], &emptypb.Empty{}, &emptypb.Empty{})
		return status.Code(err)
	}
	t.Run("wrong tokens are refused by every service directly", func(t *testing.T) {
		for addrEnv := range serviceOnly {
			for name, tok := range bad {
				if c := invoke(t, addrEnv, tok); c != codes.Unauthenticated {
					t.Errorf("%s at %s: %v, want Unauthenticated", name, addrEnv, c)
				}
			}
		}
	})

	t.Run("a user token claiming the service role is refused at every service", func(t *testing.T) {
		hs, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": identity.Issuer, "sub": "booking-worker",
			"role": "service", "exp": now.Add(time.Hour).Unix()}).SignedString([]byte(identity.DevSecret))
		if err != nil {
			t.Fatal(err)
		}
		devKey, _ := identity.DevServiceKey("booking-worker").Mint(time.Minute, now)
		keys := filepath.Dir(env["SERVICE_VERIFY_KEYS_FILE"])
		stolenName, _, _, _ := identity.GenerateServiceKey("booking-worker")
		forged, _ := stolenName.Mint(time.Minute, now)
		pemKey, err := os.ReadFile(filepath.Join(keys, "booking-worker.pem"))
		if err != nil {
			t.Fatal(err)
		}
		worker, err := identity.ParseServiceKey(pemKey, "")
		if err != nil {
			t.Fatal(err)
		}
		real, _ := worker.Mint(time.Minute, now)
		for addrEnv := range serviceOnly {
			for name, tok := range map[string]string{
				"HS256 user token with role service (the user secret)": hs,
				"the provider's token with role service":               bad["the service role"],
				"the public development service key":                   devKey,
				"another key under the worker's name":                  forged,
			} {
				if c := invoke(t, addrEnv, tok); c != codes.Unauthenticated {
					t.Errorf("%s at %s: %v, want Unauthenticated", name, addrEnv, c)
				}
			}
			// The worker's own key passes the identity check (the empty
			// request is then the handler's, or its rules', to refuse).
			if c := invoke(t, addrEnv, real); c == codes.Unauthenticated {
				t.Errorf("the worker's own service token at %s: %v", addrEnv, c)
			}
		}
		// ... but not at the public REST API, which is for people.
		svc := asIDP(real)
		svc.t = t
		svc.refused("GET", "/v1/bookings", nil, http.StatusUnauthorized, "UNAUTHENTICATED")
	})

	t.Run("email action links replayed, expired or someone else's are refused and change nothing", func(t *testing.T) {
		m, offering := w.mentorWithOffering(t, "sec-link-mentor", paidOffering(60, 1))
		mentee := w.user(t, "sec-link-mentee", identity.RoleMentee)
		admin := w.user(t, "sec-admin", identity.RoleAdmin)
		id := str(mentee.book(m.id, offering, time.Now().Add(96*time.Hour).Truncate(time.Hour), nil), "booking.id")
		links := w.actionLinks(t, admin, m.id+"@users.bookwell.local", id)
		before := m.ok("GET", "/v1/bookings/"+id, nil)
		nobody := user{t: t, w: w, id: "nobody"}
		expired := w.signActionLink(t, actionlink.Link{ID: uuid.NewString(), BookingID: id, UserID: m.id, Role: actionlink.Mentor,
			Action: actionlink.Approve, IssuedAt: now.Add(-8 * 24 * time.Hour), ExpiresAt: now.Add(-time.Hour)})
		someoneElse := w.signActionLink(t, actionlink.Link{ID: uuid.NewString(), BookingID: id, UserID: "sec-eve", Role: actionlink.Mentor,
			Action: actionlink.Approve, IssuedAt: now, ExpiresAt: now.Add(time.Hour)})
		nobody.refused("POST", "/v1/actionLinks:redeem", map[string]any{"token": tokenOf(expired)}, http.StatusUnauthorized, "ACTION_LINK_EXPIRED")
		nobody.refused("POST", "/v1/actionLinks:redeem", map[string]any{"token": tokenOf(someoneElse)}, http.StatusNotFound, "")
		// Another user's bearer token does not make the mentor's link theirs.
		eve := w.user(t, "sec-eve", identity.RoleMentor)
		eve.refused("POST", "/v1/actionLinks:redeem", map[string]any{"token": eve.token}, http.StatusUnauthorized, "ACTION_LINK_INVALID")
		if now := m.ok("GET", "/v1/bookings/"+id, nil); str(now, "booking.version") != str(before, "booking.version") {
			t.Fatalf("refused links changed the booking: v%s, was v%s", str(now, "booking.version"), str(before, "booking.version"))
		}
		// Used once, then replayed: refused, and the booking stays as the
		// first use left it.
		if r := nobody.call("POST", "/v1/actionLinks:redeem", map[string]any{"token": tokenOf(links["Reject"]), "reason": "no time"}); r.status != http.StatusOK {
			t.Fatalf("redeem: %d %s", r.status, r.raw)
		}
		decided := m.ok("GET", "/v1/bookings/"+id, nil)
		nobody.refused("POST", "/v1/actionLinks:redeem", map[string]any{"token": tokenOf(links["Reject"]), "reason": "again"}, http.StatusConflict, "ACTION_LINK_USED")
		if now := m.ok("GET", "/v1/bookings/"+id, nil); str(now, "booking.version") != str(decided, "booking.version") {
			t.Fatalf("a replayed link changed the booking: v%s, was v%s", str(now, "booking.version"), str(decided, "booking.version"))
		}
	})

	t.Run("an admin erases a person: gone from every context, the money kept under a pseudonym", func(t *testing.T) {
		m, offering := w.mentorWithOffering(t, "er-mentor", paidOffering(60, 1))
		mentee := w.user(t, "er-mentee", identity.RoleMentee)
		admin := w.user(t, "er-admin", identity.RoleAdmin)
		const name, email = "Erin Eraseme", "erin.eraseme@example.com"
		id := str(mentee.book(m.id, offering, time.Now().Add(120*time.Hour).Truncate(time.Hour),
			map[string]any{"menteeName": name, "menteeEmail": email}), "booking.id")
		m.ok("POST", "/v1/bookings/"+id+":approve", map[string]any{})
		erase := func(u user) response {
			return u.call("POST", "/v1/users/"+mentee.id+":erase", map[string]any{"reason": "ticket GDPR-7"})
		}
		// A booking that may still change: refused, nothing changed.
		admin.refused("POST", "/v1/users/"+mentee.id+":erase", map[string]any{"reason": "ticket GDPR-7"}, http.StatusConflict, "ERASURE_NOT_YET")
		m.refused("POST", "/v1/users/"+mentee.id+":erase", map[string]any{"reason": "x"}, http.StatusForbidden, "NOT_ALLOWED_FOR_ROLE")
		mentee.ok("POST", "/v1/bookings/"+id+":cancel", map[string]any{"reason": "plans changed"})
		paid := admin.ok("GET", "/v1/bookings/"+id+"/payment", nil)
		eventually(t, 60*time.Second, "an email to the mentee", func() bool {
			return len(asList(get(admin.ok("GET", "/v1/devmailbox/messages?pageSize=50&to="+url.QueryEscape(email), nil), "messages"))) > 0
		})

		// Once the after-care is over: erased.
		var r response
		eventually(t, 30*time.Second, "the erasure", func() bool { r = erase(admin); return r.status == http.StatusOK })
		pseudonym := str(r.body, "erasure.pseudonym")
		if pseudonym == "" || str(r.body, "erasure.requestedBy") != admin.id || str(r.body, "erasure.reason") != "ticket GDPR-7" || get(r.body, "erasure.bookings") != float64(1) {
			t.Fatalf("the audit record: %s", r.raw)
		}
		if again := erase(admin); again.status != http.StatusOK || str(again.body, "erasure.id") != str(r.body, "erasure.id") {
			t.Fatalf("erasing again: %d %s", again.status, again.raw)
		}
		b := admin.ok("GET", "/v1/bookings/"+id, nil)
		if str(b, "booking.menteeId") != pseudonym || str(b, "booking.menteeName") != "" || str(b, "booking.menteeEmail") != "" ||
			str(b, "booking.mentorId") != m.id || str(b, "booking.price.amountMinor") == "" {
			t.Fatalf("the booking after erasure: %v", b["booking"])
		}
		if list := asList(get(admin.ok("GET", "/v1/bookings?menteeId="+mentee.id, nil), "bookings")); len(list) != 0 {
			t.Fatalf("the erased mentee still has %d bookings", len(list))
		}
		eventually(t, 30*time.Second, "payments, notifications and the mailbox forget the mentee", func() bool {
			p := admin.ok("GET", "/v1/bookings/"+id+"/payment", nil)
			mail := asList(get(admin.ok("GET", "/v1/devmailbox/messages?pageSize=50&to="+url.QueryEscape(email), nil), "messages"))
			inbox := admin.call("GET", "/v1/users/"+mentee.id+"/notifications", nil)
			return str(p, "payment.menteeId") == pseudonym && str(p, "payment.cardLast4") == "" &&
				str(p, "payment.amount") == str(paid, "payment.amount") && str(p, "payment.capturedAmount") == str(paid, "payment.capturedAmount") &&
				str(p, "payment.refundedAmount") == str(paid, "payment.refundedAmount") &&
				len(mail) == 0 && len(asList(get(inbox.body, "notifications"))) == 0
		})
		// What the mentor received no longer names her.
		for _, msg := range asList(get(admin.ok("GET", "/v1/devmailbox/messages?pageSize=200&to="+url.QueryEscape(m.id+"@users.bookwell.local"), nil), "messages")) {
			if text, _ := msg["textBody"].(string); strings.Contains(text, name) || strings.Contains(text, email) {
				t.Fatalf("the mentor's email still names the erased mentee: %s", text)
			}
		}
	})
}

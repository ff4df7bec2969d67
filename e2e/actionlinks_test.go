package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/actionlink"
	"github.com/bookwell/bookwell/pkg/identity"
)

// TestDecideFromTheEmail follows the action links of the emails through the
// real stack: read from the development mailbox, opened on the console's
// page (GET changes nothing), confirmed (POST acts once), and refused when
// used, expired, changed, or signed for someone who is not a side of the
// booking.
func TestDecideFromTheEmail(t *testing.T) {
	w := start(t)
	mentor, offering := w.mentorWithOffering(t, "mail-mentor", paidOffering(60, 1))
	mentee := w.user(t, "mail-mentee", identity.RoleMentee)
	admin := w.user(t, "mail-admin", identity.RoleAdmin)
	base := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	book := func(h int) string {
		return str(mentee.book(mentor.id, offering, base.Add(time.Duration(h)*time.Hour), nil), "booking.id")
	}
	booking := func(id string) map[string]any { return mentor.ok("GET", "/v1/bookings/"+id, nil) }
	mentorMail := mentor.id + "@users.bookwell.local"

	t.Run("approve: the page asks, a prefetch changes nothing, the form acts once", func(t *testing.T) {
		id := book(0)
		links := w.actionLinks(t, admin, mentorMail, id)
		for _, want := range []string{"Approve", "Reject", "Suggest another time"} {
			if links[want] == "" {
				t.Fatalf("the new-request email has no %q link: %v", want, links)
			}
		}
		before := booking(id)
		for range 2 { // a mail client's prefetch, then the mentor
			status, page := w.linkPage(t, "GET", links["Approve"], nil)
			if status != 200 || !strings.Contains(page, "Approve Deep dive with Ada Lovelace?") || !strings.Contains(page, `<form method="post">`) {
				t.Fatalf("GET approve: %d\n%s", status, page)
			}
		}
		if after := booking(id); str(after, "booking.status") != "BOOKING_STATUS_PENDING" || str(after, "booking.version") != str(before, "booking.version") {
			t.Fatalf("opening the link changed the booking: %s v%s", str(after, "booking.status"), str(after, "booking.version"))
		}

		status, page := w.linkPage(t, "POST", links["Approve"], url.Values{})
		if status != 200 || !strings.Contains(page, "Approved") {
			t.Fatalf("POST approve: %d\n%s", status, page)
		}
		approved := booking(id)
		if str(approved, "booking.status") != "BOOKING_STATUS_CONFIRMED" || str(approved, "booking.paymentStatus") != "PAYMENT_STATUS_PAID" {
			t.Fatalf("after the link: %s %s", str(approved, "booking.status"), str(approved, "booking.paymentStatus"))
		}

		// The same link again, and the request's other links: refused or
		// nothing left to do, and the booking stays as it is.
		status, page = w.linkPage(t, "POST", links["Approve"], url.Values{})
		if status != http.StatusGone || !strings.Contains(page, "This link was used already") || strings.Contains(page, "<form") {
			t.Fatalf("POST approve again: %d\n%s", status, page)
		}
		status, page = w.linkPage(t, "POST", links["Reject"], url.Values{"reason": {"changed my mind"}})
		if status != 200 || !strings.Contains(page, "nothing left to decide here: this booking is confirmed now") {
			t.Fatalf("POST reject of an approved request: %d\n%s", status, page)
		}
		if now := booking(id); str(now, "booking.status") != "BOOKING_STATUS_CONFIRMED" || str(now, "booking.version") != str(approved, "booking.version") {
			t.Fatalf("a used link changed the booking: %s v%s, was v%s", str(now, "booking.status"), str(now, "booking.version"), str(approved, "booking.version"))
		}
	})

	t.Run("reject: the reason is required, then shown to the mentee", func(t *testing.T) {
		id := book(2)
		links := w.actionLinks(t, admin, mentorMail, id)
		status, page := w.linkPage(t, "POST", links["Reject"], url.Values{"reason": {""}})
		if status != http.StatusBadRequest || !strings.Contains(page, "The reason is required") || !strings.Contains(page, `name="reason"`) {
			t.Fatalf("POST reject without a reason: %d\n%s", status, page)
		}
		if st := str(booking(id), "booking.status"); st != "BOOKING_STATUS_PENDING" {
			t.Fatalf("a refused rejection left the booking %s", st)
		}
		status, page = w.linkPage(t, "POST", links["Reject"], url.Values{"reason": {"Outside my expertise"}})
		if status != 200 || !strings.Contains(page, "Rejected") {
			t.Fatalf("POST reject: %d\n%s", status, page)
		}
		b := mentee.ok("GET", "/v1/bookings/"+id, nil)
		if str(b, "booking.status") != "BOOKING_STATUS_REJECTED" || str(b, "booking.outcome.reason") != "Outside my expertise" {
			t.Fatalf("mentee sees %s %q", str(b, "booking.status"), str(b, "booking.outcome.reason"))
		}
	})

	t.Run("suggest another time, then the mentee accepts it from their email", func(t *testing.T) {
		id := book(4)
		links := w.actionLinks(t, admin, mentorMail, id)
		berlin, _ := time.LoadLocation("Europe/Berlin")
		newStart := base.Add(30 * time.Hour).In(berlin)
		status, page := w.linkPage(t, "POST", links["Suggest another time"], url.Values{
			"start": {newStart.Format("2006-01-02T15:04")}, "note": {"mornings suit me better"}})
		if status != 200 || !strings.Contains(page, "Time suggested") {
			t.Fatalf("POST propose: %d\n%s", status, page)
		}
		b := booking(id)
		if str(b, "booking.status") != "BOOKING_STATUS_NEGOTIATING" || str(b, "booking.proposal.startTime") != newStart.UTC().Format(time.RFC3339) {
			t.Fatalf("after the suggestion: %s proposal %v", str(b, "booking.status"), get(b, "booking.proposal"))
		}
		answer := w.actionLinks(t, admin, mentee.id+"@example.com", id)
		if answer["Accept"] == "" || answer["Decline"] == "" || answer["Approve"] != "" {
			t.Fatalf("the mentee's proposal email has links %v; want Accept and Decline", answer)
		}
		status, page = w.linkPage(t, "GET", answer["Accept"], nil)
		if status != 200 || !strings.Contains(page, "Accept ") || !strings.Contains(page, "(America/New_York)") {
			t.Fatalf("GET accept: %d\n%s", status, page)
		}
		status, page = w.linkPage(t, "POST", answer["Accept"], url.Values{})
		if status != 200 || !strings.Contains(page, "Accepted") {
			t.Fatalf("POST accept: %d\n%s", status, page)
		}
		b = booking(id)
		if str(b, "booking.status") != "BOOKING_STATUS_CONFIRMED" || str(b, "booking.startTime") != newStart.UTC().Format(time.RFC3339) {
			t.Fatalf("after accepting: %s at %s", str(b, "booking.status"), str(b, "booking.startTime"))
		}
		if status, _ := w.linkPage(t, "POST", answer["Decline"], url.Values{}); status != 200 {
			t.Fatalf("the decline link of an accepted proposal: %d", status)
		}
		if st := str(booking(id), "booking.status"); st != "BOOKING_STATUS_CONFIRMED" {
			t.Fatalf("declining after accepting left the booking %s", st)
		}
	})

	t.Run("expired, changed and someone else's links are refused and change nothing", func(t *testing.T) {
		id := book(6)
		other := book(8)
		links := w.actionLinks(t, admin, mentorMail, id)
		before := booking(id)

		expired := w.signActionLink(t, actionlink.Link{ID: uuid.NewString(), BookingID: id, UserID: mentor.id, Role: actionlink.Mentor,
			Action: actionlink.Approve, IssuedAt: time.Now().Add(-8 * 24 * time.Hour), ExpiresAt: time.Now().Add(-time.Hour)})
		stranger := w.signActionLink(t, actionlink.Link{ID: uuid.NewString(), BookingID: id, UserID: "mail-eve", Role: actionlink.Mentor,
			Action: actionlink.Approve, IssuedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)})
		cases := []struct {
			name, link, title string
			status            int
		}{
			{"expired", expired, "This link has expired", http.StatusGone},
			{"signed for another mentor", stranger, "This link cannot be used", http.StatusNotFound},
			{"its claims naming another booking", withClaim(t, links["Approve"], "bkg", other), "This link is not valid", http.StatusBadRequest},
			{"its claims naming another user", withClaim(t, links["Approve"], "sub", "mail-eve"), "This link is not valid", http.StatusBadRequest},
			{"a bit of its signature flipped", flipSignature(links["Approve"]), "This link is not valid", http.StatusBadRequest},
		}
		for _, c := range cases {
			for _, method := range []string{"GET", "POST"} {
				status, page := w.linkPage(t, method, c.link, url.Values{})
				if status != c.status || !strings.Contains(page, c.title) || strings.Contains(page, "<form") {
					t.Errorf("%s, %s: %d\n%s", c.name, method, status, page)
				}
			}
		}
		for _, b := range []string{id, other} {
			if now := booking(b); str(now, "booking.status") != "BOOKING_STATUS_PENDING" || (b == id && str(now, "booking.version") != str(before, "booking.version")) {
				t.Fatalf("a refused link changed booking %s: %s v%s", b, str(now, "booking.status"), str(now, "booking.version"))
			}
		}
		// The same refusals through the REST routes, with their reasons.
		nobody := user{t: t, w: w, id: "nobody"}
		nobody.refused("POST", "/v1/actionLinks:redeem", map[string]any{"token": tokenOf(expired)}, http.StatusUnauthorized, "ACTION_LINK_EXPIRED")
		nobody.refused("POST", "/v1/actionLinks:describe", map[string]any{"token": tokenOf(flipSignature(links["Approve"]))}, http.StatusUnauthorized, "ACTION_LINK_INVALID")
		nobody.refused("POST", "/v1/actionLinks:redeem", map[string]any{"token": tokenOf(stranger)}, http.StatusNotFound, "BOOKING_NOT_FOUND")
		// A bearer token is not a link, however powerful.
		admin.refused("POST", "/v1/actionLinks:redeem", map[string]any{"token": admin.token}, http.StatusUnauthorized, "ACTION_LINK_INVALID")
		// The real link still works, once.
		if r := nobody.call("POST", "/v1/actionLinks:redeem", map[string]any{"token": tokenOf(links["Approve"])}); r.status != 200 || str(r.body, "booking.status") != "BOOKING_STATUS_CONFIRMED" {
			t.Fatalf("redeem the real link: %d %s", r.status, r.raw)
		}
		nobody.refused("POST", "/v1/actionLinks:describe", map[string]any{"token": tokenOf(links["Approve"])}, http.StatusConflict, "ACTION_LINK_USED")
	})
}

// ---- helpers, for this test and the security suite: links from the
// development mailbox, links signed with the stack's own key, and the
// console's page of a link.

// actionLinks waits for the email to the address to that asks for a
// decision on booking bookingID, and returns its action links by label
// ("Approve", "Reject", "Suggest another time", "Accept", "Decline").
func (w *world) actionLinks(t *testing.T, admin user, to, bookingID string) map[string]string {
	t.Helper()
	links := map[string]string{}
	eventually(t, 20*time.Second, "an email to "+to+" with action links for "+bookingID, func() bool {
		msgs := asList(get(admin.ok("GET", "/v1/devmailbox/messages?pageSize=200&to="+url.QueryEscape(to), nil), "messages"))
		for _, m := range msgs { // newest first
			text, _ := m["textBody"].(string)
			if !strings.Contains(text, bookingID) || !strings.Contains(text, "/act/") {
				continue
			}
			for _, line := range strings.Split(text, "\n") {
				label, link, ok := strings.Cut(strings.TrimSpace(line), ": ")
				if ok && strings.Contains(link, "/act/") {
					links[label] = link
				}
			}
			return true
		}
		return false
	})
	return links
}

// signActionLink makes a link the way notifications does, with the stack's
// signing key: to reach cases an email cannot (expired, someone else's).
func (w *world) signActionLink(t *testing.T, l actionlink.Link) string {
	t.Helper()
	pem, err := os.ReadFile(w.services.Env()["ACTION_LINK_SIGNING_KEY_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	s, err := actionlink.NewSigner(pem)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Sign(l)
	if err != nil {
		t.Fatal(err)
	}
	return w.console + "/act/" + tok
}

// linkPage opens (GET) or confirms (POST, with form) a link's page on the
// console, as a browser would, and returns its status and HTML.
func (w *world) linkPage(t *testing.T, method, link string, form url.Values) (int, string) {
	t.Helper()
	var body io.Reader
	if method == "POST" {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, link, body)
	if err != nil {
		t.Fatal(err)
	}
	if method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// tokenOf is the link's token: the last part of its address.
func tokenOf(link string) string { return link[strings.LastIndex(link, "/")+1:] }

// withClaim returns link with one claim of its token changed and the
// signature kept: what someone editing a link would try.
func withClaim(t *testing.T, link, claim, value string) string {
	t.Helper()
	tok := tokenOf(link)
	parts := strings.Split(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	c[claim] = value
	changed, _ := json.Marshal(c)
	return strings.TrimSuffix(link, tok) + fmt.Sprintf("%s.%s.%s", parts[0], base64.RawURLEncoding.EncodeToString(changed), parts[2])
}

// flipSignature returns link with one bit of its signature changed.
func flipSignature(link string) string {
	b := []byte(link)
	i := len(b) - 10
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

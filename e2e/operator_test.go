package e2e

import (
	"context"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bookwell/bookwell/deploy/stack"
	"github.com/bookwell/bookwell/pkg/identity"
)

// TestOperatorCommandsFromTheCLI runs bookwell-admin against the whole stack:
// a message no consumer can read is dead-lettered by every consumer of its
// stream, listed, and refused on redrive; an email is re-sent once per
// request id; a booking's row rebuilt from its workflow is already up to
// date; a non-admin's token is refused.
func TestOperatorCommandsFromTheCLI(t *testing.T) {
	w := start(t, map[string]string{"RATE_LIMIT_RPS": "10000", "RATE_LIMIT_BURST": "10000"})
	root, err := stack.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "bookwell-admin")
	build := exec.Command("go", "build", "-o", bin, "./services/gateway/cmd/bookwell-admin")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build bookwell-admin: %v\n%s", err, out)
	}
	admin := w.user(t, "admin-ops", identity.RoleAdmin)
	cli := func(token string, args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{"BOOKWELL_URL=" + w.base, "BOOKWELL_TOKEN=" + token}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	// Garbage on the BOOKING stream: notifications and reputation both give up.
	if _, err := w.js.Publish(context.Background(), "booking.requested", []byte("{not an event")); err != nil {
		t.Fatal(err)
	}
	var listed string
	eventually(t, 30*time.Second, "notifications lists the dead letter", func() bool {
		listed, _ = cli(admin.token, "dead-letters", "list", "-service", "notifications")
		return strings.Contains(listed, "booking.requested")
	})
	if !strings.Contains(listed, "malformed") {
		t.Errorf("the list does not say why:\n%s", listed)
	}
	eventually(t, 30*time.Second, "reputation lists it too", func() bool {
		out, _ := cli(admin.token, "dead-letters", "list", "-service", "reputation")
		return strings.Contains(out, "booking.requested")
	})
	id := regexp.MustCompile(`(?m)^([0-9a-f-]{36})\s`).FindStringSubmatch(listed)
	if id == nil {
		t.Fatalf("no dead letter id in:\n%s", listed)
	}
	out, err := cli(admin.token, "dead-letters", "redrive", "-service", "notifications", id[1])
	if err == nil || !strings.Contains(out, "DEAD_LETTER_STILL_FAILS") {
		t.Fatalf("redriving garbage: %v\n%s", err, out)
	}
	if out, _ := cli(admin.token, "dead-letters", "list", "-service", "notifications"); !strings.Contains(out, id[1]) {
		t.Fatalf("the dead letter left the list after a failed redrive:\n%s", out)
	}
	mentor := w.user(t, "mentor-cli", identity.RoleMentor)
	if out, err := cli(mentor.token, "dead-letters", "list", "-service", "notifications"); err == nil || !strings.Contains(out, "403") {
		t.Fatalf("a mentor's token: %v\n%s", err, out)
	}

	// A booking: its row is what its workflow holds; its mentee's email goes again.
	m, offering := w.mentorWithOffering(t, "mentor-cli-2", paidOffering(60, 1))
	ada := w.user(t, "mentee-cli", identity.RoleMentee)
	bookingID := str(ada.book(m.id, offering, time.Now().Add(72*time.Hour).Truncate(time.Hour), nil), "booking.id")
	if out, err := cli(admin.token, "rebuild-booking-view", bookingID); err != nil || !strings.Contains(out, "already up to date") {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
	var notification, to string
	eventually(t, 20*time.Second, "the mentor is told of the request", func() bool {
		for _, n := range asList(get(m.ok("GET", "/v1/users/"+m.id+"/notifications", nil), "notifications")) {
			if n["bookingId"] == bookingID && str(n, "email.to") != "" {
				notification, to = str(n, "id"), str(n, "email.to")
			}
		}
		return notification != ""
	})
	mails := func() int {
		return len(asList(get(admin.ok("GET", "/v1/devmailbox/messages?to="+url.QueryEscape(to), nil), "messages")))
	}
	eventually(t, 20*time.Second, "the first email", func() bool { return mails() >= 1 })
	before := mails()
	for range 2 {
		if out, err := cli(admin.token, "resend-email", "-request-id", "ticket-1", notification); err != nil || !strings.Contains(out, "EMAIL_STATUS_") {
			t.Fatalf("resend: %v\n%s", err, out)
		}
	}
	eventually(t, 20*time.Second, "one more email", func() bool { return mails() == before+1 })
	time.Sleep(2 * time.Second)
	if got := mails(); got != before+1 {
		t.Fatalf("%d emails after resending twice with one request id, want %d", got, before+1)
	}
}

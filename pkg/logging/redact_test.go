package logging

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// Whatever a line carries (a message, an attribute, an error, text or JSON),
// an email address, a card number or a person's name under its key never
// reaches the output; ids, numbers and the rest stay readable.
func TestPersonalDataNeverReachesALogLine(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		var out bytes.Buffer
		log := NewWriter(&out, "test", format, "debug")
		log.Info("delivery to ada.lovelace@example.com failed",
			"email_id", "7f1c0d1e-1a2b-4c3d-8e9f-001122334455",
			"to_addr", "ada.lovelace@example.com",
			"mentee_name", "Ada Lovelace",
			"display_name", "Ada Lovelace",
			"card", "4242424242424242",
			"err", errors.New("smtp: 550 <ada.lovelace@example.com>: mailbox unavailable"),
			"detail", "card 4000 0000 0000 9995 declined",
			"authorization", "Bearer eyJhbGciOi",
			"booking_id", "b-1234567890123",
			"amount", 5000,
			"started", "2030-01-07T09:00:00Z",
			slog.Group("grpc", "error", "invalid menteeEmail grace@example.org"),
		)
		got := out.String()
		for _, personal := range []string{"ada.lovelace@example.com", "grace@example.org", "Ada Lovelace", "4242424242424242",
			"4000 0000 0000 9995", "eyJhbGciOi"} {
			if strings.Contains(got, personal) {
				t.Errorf("%s: %q in %s", format, personal, got)
			}
		}
		for _, kept := range []string{"7f1c0d1e-1a2b-4c3d-8e9f-001122334455", "b-1234567890123", "5000", "2030-01-07T09:00:00Z", "delivery to", "550"} {
			if !strings.Contains(got, kept) {
				t.Errorf("%s: %q lost from %s", format, kept, got)
			}
		}
	}
}

func TestRedactKeepsNumbersThatAreNotCards(t *testing.T) {
	for in, want := range map[string]string{
		"order 1234567890123 shipped": "order 1234567890123 shipped", // fails the Luhn check
		"card 4242 4242 4242 4242":    "card " + Redacted,
		"mail x.y+z@sub.example.co":   "mail " + Redacted,
		"at 2030-01-07 09:00":         "at 2030-01-07 09:00",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

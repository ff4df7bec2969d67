package logging

import (
	"log/slog"
	"regexp"
	"strings"
)

// Personal data never reaches a log line (docs/security.md): every
// process's logger passes each attribute, the message included, through
// redact. Values under keys that hold personal data are replaced whole;
// anywhere else, email addresses and card numbers (13 to 19 digits that
// pass the Luhn check, spaces or dashes allowed) are replaced where they
// appear, in error messages too. Ids are not personal data here: they are
// what an operator follows.

// Redacted stands where personal data was.
const Redacted = "[redacted]"

// personalKeys are attribute keys whose value is personal data (compared in
// lower case, without '_', '-' and '.').
var personalKeys = map[string]bool{
	"email": true, "toaddr": true, "replyto": true, "recipient": true,
	"menteeemail": true, "mentoremail": true, "menteename": true, "mentorname": true,
	"displayname": true, "toname": true, "fullname": true, "phone": true,
	"card": true, "cardnumber": true, "cardtoken": true, "pan": true,
	"authorization": true, "token": true, "password": true, "body": true, "text": true,
}

var (
	emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	digitsRun    = regexp.MustCompile(`\d(?:[ \-]?\d){12,18}`)
)

// Redact removes email addresses and card numbers from s.
func Redact(s string) string {
	if strings.Contains(s, "@") {
		s = emailPattern.ReplaceAllString(s, Redacted)
	}
	return digitsRun.ReplaceAllStringFunc(s, func(run string) string {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, run)
		if len(digits) >= 13 && len(digits) <= 19 && luhn(digits) {
			return Redacted
		}
		return run
	})
}

func luhn(digits string) bool {
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// redact is the handlers' ReplaceAttr.
func redact(_ []string, a slog.Attr) slog.Attr {
	key := strings.NewReplacer("_", "", "-", "", ".", "").Replace(strings.ToLower(a.Key))
	if personalKeys[key] {
		return slog.String(a.Key, Redacted)
	}
	switch v := a.Value.Resolve(); v.Kind() {
	case slog.KindString:
		if s := v.String(); s != "" {
			if r := Redact(s); r != s {
				return slog.String(a.Key, r)
			}
		}
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, Redact(err.Error()))
		}
		if s, ok := v.Any().(interface{ String() string }); ok {
			if r := Redact(s.String()); r != s.String() {
				return slog.String(a.Key, r)
			}
		}
	}
	return a
}

package domain

import (
	"time"

	"github.com/google/uuid"
)

var sessionNamespace = uuid.MustParse("0b6d2c1e-6a57-4d1b-8c3e-7f1a2b3c4d5e")

// SessionID names one session of an offering: a mentor's offering at one
// start time. Every booking of a class at that time has the same one.
func SessionID(mentorID, offeringID string, start time.Time) string {
	if start.IsZero() {
		return ""
	}
	return uuid.NewSHA1(sessionNamespace, []byte(mentorID+"\x00"+offeringID+"\x00"+start.UTC().Format(time.RFC3339))).String()
}

package app

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// fingerprintInput is what a request's fingerprint hashes. Its JSON is the
// fingerprint's definition: running workflows keep the fingerprint of the
// request that started them and compare a retry's to it, so the fields, their
// names and their order never change.
type fingerprintInput struct {
	MentorID        string            `json:"MentorID"`
	MenteeID        string            `json:"MenteeID"`
	OfferingID      string            `json:"OfferingID"`
	Start           time.Time         `json:"Start"`
	PreferredStarts []time.Time       `json:"PreferredStarts"`
	Message         string            `json:"Message"`
	IntakeAnswers   map[string]string `json:"IntakeAnswers"`
	PartySize       int               `json:"PartySize"`
	Attendees       []string          `json:"Attendees"`
	PaymentMethod   string            `json:"PaymentMethod"`
	BundleID        string            `json:"BundleID"`
	MenteeName      string            `json:"MenteeName"`
	MenteeEmail     string            `json:"MenteeEmail"`
	MenteeTZ        string            `json:"MenteeTZ"`
}

func toFingerprintInput(r domain.Request) fingerprintInput {
	prefs := make([]time.Time, len(r.PreferredStarts))
	for i, t := range r.PreferredStarts {
		prefs[i] = t.UTC()
	}
	return fingerprintInput{
		MentorID: r.MentorID, MenteeID: r.MenteeID, OfferingID: r.OfferingID, Start: r.Start.UTC(),
		PreferredStarts: prefs, Message: r.Message, IntakeAnswers: r.IntakeAnswers, PartySize: r.PartySize,
		Attendees: r.Attendees, PaymentMethod: string(r.PaymentMethod), BundleID: r.BundleID,
		MenteeName: r.MenteeName, MenteeEmail: r.MenteeEmail, MenteeTZ: r.MenteeTZ,
	}
}

// fingerprint identifies what a request asks for, so that a retry with the
// same request_id can be told from a different request.
func fingerprint(r domain.Request) string {
	b, _ := json.Marshal(toFingerprintInput(r)) // plain data: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// Erasure is the audit record of erasing a person's personal data on their
// request. It keeps a hash of their id, never the id: whether someone was
// erased can be answered only by who knows the id.
type Erasure struct {
	ID string
	// SubjectHash is ErasureSubjectHash of the person's id.
	SubjectHash string
	// Pseudonym replaced the person's id in every context.
	Pseudonym   string
	RequestedBy string
	Reason      string
	CreatedAt   time.Time
	// Bookings is how many of the person's bookings were anonymised.
	Bookings int
}

// ErrErasureNotYet refuses to erase someone whose bookings may still change:
// a booking that has not ended, or ended less than its policy's after-care
// ago, would write the person's data back.
var ErrErasureNotYet = apperr.New(apperr.KindConflict, "ERASURE_NOT_YET",
	"this person has bookings that may still change; erase them once every booking has ended and its after-care is over")

// NewErasure starts the audit record of erasing userID, asked by an admin for
// reason, with a fresh pseudonym.
func NewErasure(userID, requestedBy, reason string, now time.Time) (Erasure, error) {
	var v apperr.Violations
	if userID == "" {
		v.Add("user_id", "is required")
	}
	if reason == "" {
		v.Add("reason", "is required: the request's reference, kept in the audit record")
	}
	if len(reason) > 500 {
		v.Add("reason", "must be at most 500 characters")
	}
	if err := v.Err(); err != nil {
		return Erasure{}, err
	}
	return Erasure{
		ID: uuid.NewString(), SubjectHash: ErasureSubjectHash(userID),
		Pseudonym: "erased-" + uuid.NewString()[:18], RequestedBy: requestedBy, Reason: reason, CreatedAt: now,
	}, nil
}

// ErasureSubjectHash is the hash an erasure keeps of the person's id.
func ErasureSubjectHash(userID string) string {
	h := sha256.Sum256([]byte("bookwell erasure\x00" + userID))
	return hex.EncodeToString(h[:])
}

// Anonymise removes from b the personal data of the person whose id is
// userID, replacing the id with pseudonym: the mentee's name, email, time
// zone, message, answers and attendees when they were the mentee; free text
// either side wrote (notes, proposal notes, the outcome's reason, the
// continuation's reason) and the calendar links, which carry names, always.
// Money (price, refunds, payment) and dates stay.
func (b *Booking) Anonymise(userID, pseudonym string) {
	if b.menteeID == userID {
		b.menteeID = pseudonym
		b.menteeName, b.menteeEmail, b.menteeTZ = "", "", ""
		b.message, b.intakeAnswers, b.attendees = "", nil, nil
	}
	if b.mentorID == userID {
		b.mentorID = pseudonym
	}
	b.mentorNotes, b.continuationReason, b.meetingURL = "", "", ""
	b.calendar = CalendarLinks{}
	if b.proposal != nil {
		p := *b.proposal
		p.Note = ""
		b.proposal = &p
	}
	if b.outcome != nil {
		o := *b.outcome
		o.Reason = ""
		b.outcome = &o
	}
}

package domain

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// Request is what a mentee asks for.
type Request struct {
	MentorID   string
	MenteeID   string
	OfferingID string
	// Start is the one time asked for; or PreferredStarts lists up to three,
	// and the mentor picks one when approving.
	Start           time.Time
	PreferredStarts []time.Time
	Message         string
	IntakeAnswers   map[string]string
	PartySize       int
	Attendees       []string
	PaymentMethod   PaymentMethod
	BundleID        string
	MenteeName      string
	MenteeEmail     string
	MenteeTZ        string
}

// Limits on a request's fields.
const (
	MaxIDLength        = 128
	MaxMessageLength   = 4000
	MaxPreferredStarts = 3
	MaxPartySize       = 100
	MaxIntakeAnswers   = 30
	MaxNameLength      = 200
	MaxReasonLength    = 1000
	MaxNoteLength      = 10000
)

// Validate checks a request against the clock; it returns every problem at
// once as field violations.
func (r Request) Validate(now time.Time) error {
	var v apperr.Violations
	for _, f := range []struct{ name, val string }{
		{"mentor_id", r.MentorID}, {"mentee_id", r.MenteeID}, {"offering_id", r.OfferingID},
	} {
		switch {
		case strings.TrimSpace(f.val) == "":
			v.Add(f.name, "is required")
		case len(f.val) > MaxIDLength:
			v.Add(f.name, fmt.Sprintf("must be at most %d characters", MaxIDLength))
		}
	}
	if r.MentorID != "" && r.MentorID == r.MenteeID {
		v.Add("mentee_id", "a mentor cannot book a session with themselves")
	}
	switch {
	case r.Start.IsZero() && len(r.PreferredStarts) == 0:
		v.Add("start_time", "is required (or give preferred_start_times)")
	case !r.Start.IsZero() && len(r.PreferredStarts) > 0:
		v.Add("preferred_start_times", "give either start_time or preferred_start_times, not both")
	case !r.Start.IsZero() && !r.Start.After(now):
		v.Add("start_time", "must be in the future")
	case len(r.PreferredStarts) > MaxPreferredStarts:
		v.Add("preferred_start_times", fmt.Sprintf("at most %d times", MaxPreferredStarts))
	default:
		for i, t := range r.PreferredStarts {
			if !t.After(now) {
				v.Add(fmt.Sprintf("preferred_start_times[%d]", i), "must be in the future")
			}
			if slices.ContainsFunc(r.PreferredStarts[:i], t.Equal) {
				v.Add(fmt.Sprintf("preferred_start_times[%d]", i), "is given twice")
			}
		}
	}
	if len(r.Message) > MaxMessageLength {
		v.Add("message", fmt.Sprintf("must be at most %d characters", MaxMessageLength))
	}
	if len(r.IntakeAnswers) > MaxIntakeAnswers {
		v.Add("intake_answers", fmt.Sprintf("at most %d answers", MaxIntakeAnswers))
	}
	for q, a := range r.IntakeAnswers {
		if strings.TrimSpace(q) == "" || len(q) > MaxNameLength || len(a) > MaxMessageLength {
			v.Add("intake_answers", "each question must be 1 to 200 characters and each answer at most 4000")
			break
		}
	}
	if r.PartySize < 0 || r.PartySize > MaxPartySize {
		v.Add("party_size", fmt.Sprintf("must be between 1 and %d", MaxPartySize))
	}
	if n := max(r.PartySize, 1); len(r.Attendees) > n-1 {
		v.Add("attendee_names", fmt.Sprintf("a party of %d has at most %d other attendees", n, n-1))
	}
	for i, a := range r.Attendees {
		if strings.TrimSpace(a) == "" || len(a) > MaxNameLength {
			v.Add(fmt.Sprintf("attendee_names[%d]", i), "must be 1 to 200 characters")
		}
	}
	switch r.PaymentMethod {
	case "", PaymentNone, PaymentCard, PaymentBankTransfer, PaymentPayPal, PaymentVenmo, PaymentCash:
	case PaymentBundle:
		if r.BundleID == "" {
			v.Add("bundle_id", "is required to pay with a bundle")
		}
	default:
		v.Add("payment_method", "is not a payment method")
	}
	if len(r.MenteeName) > MaxNameLength {
		v.Add("mentee_name", "must be at most 200 characters")
	}
	if r.MenteeEmail != "" {
		if a, err := mail.ParseAddress(r.MenteeEmail); err != nil || a.Address != r.MenteeEmail {
			v.Add("mentee_email", "is not an email address")
		}
	}
	if r.MenteeTZ != "" {
		if _, err := time.LoadLocation(r.MenteeTZ); err != nil {
			v.Add("mentee_time_zone", "is not an IANA time zone")
		}
	}
	return v.Err()
}

// NewBooking returns the booking a valid request asks for, not yet requested:
// the offering comes from scheduling (ApplyOffering) and the payment from
// payments (Requested).
func NewBooking(id string, r Request, policy Policy, now time.Time) (*Booking, error) {
	if err := r.Validate(now); err != nil {
		return nil, err
	}
	prefs := make([]time.Time, len(r.PreferredStarts))
	for i, t := range r.PreferredStarts {
		prefs[i] = t.UTC()
	}
	slices.SortFunc(prefs, func(a, b time.Time) int { return a.Compare(b) })
	method := r.PaymentMethod
	if method == "" {
		method = PaymentNone
	}
	now = now.UTC()
	b := &Booking{
		id: id, mentorID: r.MentorID, menteeID: r.MenteeID, offeringID: r.OfferingID,
		preferredStarts: prefs, message: r.Message, intakeAnswers: r.IntakeAnswers,
		partySize: max(r.PartySize, 1), attendees: r.Attendees,
		menteeName: r.MenteeName, menteeEmail: r.MenteeEmail, menteeTZ: r.MenteeTZ,
		paymentMethod: method, paymentStatus: PaymentStatusNone, bundleID: r.BundleID,
		policy: policy, createdAt: now, updatedAt: now,
	}
	if !r.Start.IsZero() {
		b.start = r.Start.UTC()
	}
	return b, nil
}

// Offering is what scheduling says of the offering booked.
type Offering struct {
	Kind     OfferingKind
	Name     string
	Duration time.Duration
	// Price is per seat; the booking's price covers the whole party.
	Price    Money
	MentorTZ string
}

// ApplyOffering fills in what the offering decides. A free offering needs no
// payment; a paid one needs a method.
func (b *Booking) ApplyOffering(o Offering) error {
	if b.status != "" {
		return wrongState(b, "the offering is fixed when the booking is requested")
	}
	b.offeringKind, b.offeringName, b.duration, b.mentorTZ = o.Kind, o.Name, o.Duration, o.MentorTZ
	b.price = Money{Currency: o.Price.Currency, Amount: o.Price.Amount * int64(b.partySize)}
	b.refunded = Money{Currency: o.Price.Currency}
	if !b.start.IsZero() {
		b.end = b.start.Add(o.Duration)
	}
	if b.price.Amount == 0 {
		b.paymentMethod = PaymentNone
		return nil
	}
	if b.paymentMethod == PaymentNone {
		var v apperr.Violations
		v.Add("payment_method", "is required: this session is paid")
		return v.Err()
	}
	return nil
}

// Requested makes the booking a PENDING request with its expiry: the
// approval window, never past the session start.
func (b *Booking) Requested(payment PaymentStatus) error {
	if b.status != "" {
		return wrongState(b, "the booking was already requested")
	}
	b.status = StatusPending
	b.paymentStatus = payment
	b.expiresAt = b.createdAt.Add(b.policy.ApprovalWindow)
	if first := b.SortTime(); !first.IsZero() && first.Before(b.expiresAt) {
		b.expiresAt = first
	}
	b.version = 1
	return nil
}

// AutoApproves reports whether b is approved as soon as it is requested.
func (b *Booking) AutoApproves() bool {
	return b.policy.AutoApprove || (b.policy.AutoApproveBundle && b.paymentMethod == PaymentBundle)
}

// Price is what the whole party pays.
func (b *Booking) Price() Money { return b.price }

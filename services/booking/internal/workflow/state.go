package workflow

import (
	"time"

	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// The types in this file are what the workflow writes into its history: its
// input, its updates' arguments and answers, its state. Their field names are
// their wire format (JSON): recorded histories and running workflows hold
// them, so a field is never renamed or retyped; a new field is added with a
// default that means "as before". They change only through toState/fromState
// and the other converters here, never by following the domain's types.

// Input starts a booking's workflow.
type Input struct {
	// Booking is the request, validated, not yet held or paid.
	Booking State `json:"Booking"`
	// Fingerprint identifies the request, to tell a retry from a reuse of
	// its request_id.
	Fingerprint string `json:"Fingerprint"`
	// CardToken authorizes a card payment; it goes to payments only.
	CardToken string `json:"CardToken"`
}

// Command is the argument of every update: who asks, and what they give.
type Command struct {
	Actor Actor `json:"Actor"`
	// Start: the time picked on approval, or proposed.
	Start time.Time `json:"Start"`
	// Reason: of a rejection, cancellation or continuation refusal.
	Reason string `json:"Reason"`
	// Note: with a proposal or a refund.
	Note string `json:"Note"`
	// Amount: of a refund, in minor units; 0 is all that is left.
	Amount int64 `json:"Amount"`
	// Approve: the continuation decision.
	Approve bool `json:"Approve"`
	// Text: private notes, or a message's body.
	Text string `json:"Text"`
	// Fingerprint: of a create.
	Fingerprint string `json:"Fingerprint"`
	// Payment: what the card processor reported (UpdatePayment).
	Payment *PaymentReport `json:"Payment,omitempty"`
}

// PaymentReport is a change to the booking's card payment that the card
// processor reported to payments (payments.v1.PaymentReconciled).
type PaymentReport struct {
	// Kind is AUTHENTICATED, AUTHENTICATION_FAILED, AUTHORIZATION_CANCELED,
	// REFUNDED or DISPUTED.
	Kind string `json:"Kind"`
	// Status is where the payment stands now (a booking PaymentStatus).
	Status string `json:"Status"`
	// Refunded is all that went back to the mentee so far.
	Refunded int64 `json:"Refunded"`
	// HoldLapses is when the card hold lapses (AUTHENTICATED).
	HoldLapses time.Time `json:"HoldLapses"`
}

// Actor is who sends a command.
type Actor struct {
	ID   string `json:"ID"`
	Role string `json:"Role"`
}

func (c Command) actor() domain.Actor {
	return domain.Actor{ID: c.Actor.ID, Role: domain.Role(c.Actor.Role)}
}

func toActor(a domain.Actor) Actor { return Actor{ID: a.ID, Role: string(a.Role)} }

// State is a booking as the workflow holds it: its input, the answer of every
// update and of the booking query.
type State struct {
	ID                 string            `json:"ID"`
	MentorID           string            `json:"MentorID"`
	MenteeID           string            `json:"MenteeID"`
	OfferingID         string            `json:"OfferingID"`
	Status             string            `json:"Status"`
	Start              time.Time         `json:"Start"`
	End                time.Time         `json:"End"`
	PreferredStarts    []time.Time       `json:"PreferredStarts"`
	Duration           time.Duration     `json:"Duration"`
	Message            string            `json:"Message"`
	IntakeAnswers      map[string]string `json:"IntakeAnswers"`
	PartySize          int               `json:"PartySize"`
	Attendees          []string          `json:"Attendees"`
	MenteeName         string            `json:"MenteeName"`
	MenteeEmail        string            `json:"MenteeEmail"`
	MenteeTZ           string            `json:"MenteeTZ"`
	MentorTZ           string            `json:"MentorTZ"`
	OfferingKind       string            `json:"OfferingKind"`
	OfferingName       string            `json:"OfferingName"`
	PaymentMethod      string            `json:"PaymentMethod"`
	PaymentStatus      string            `json:"PaymentStatus"`
	Price              Money             `json:"Price"`
	Refunded           Money             `json:"Refunded"`
	BundleID           string            `json:"BundleID"`
	PaymentAction      *PaymentAction    `json:"PaymentAction,omitempty"`
	PaymentDisputed    bool              `json:"PaymentDisputed,omitempty"`
	MeetingURL         string            `json:"MeetingURL"`
	Calendar           CalendarLinks     `json:"Calendar"`
	Proposal           *Proposal         `json:"Proposal"`
	Policy             Policy            `json:"Policy"`
	ExpiresAt          time.Time         `json:"ExpiresAt"`
	Outcome            *Outcome          `json:"Outcome"`
	Continuation       string            `json:"Continuation"`
	ContinuationReason string            `json:"ContinuationReason"`
	MentorNotes        string            `json:"MentorNotes"`
	CreatedAt          time.Time         `json:"CreatedAt"`
	UpdatedAt          time.Time         `json:"UpdatedAt"`
	FirstResponseAt    time.Time         `json:"FirstResponseAt"`
	RemindedAt         time.Time         `json:"RemindedAt"`
	SessionRemindedAt  time.Time         `json:"SessionRemindedAt"`
	Version            int64             `json:"Version"`
}

// PaymentAction is what the mentee needs to authenticate the card.
type PaymentAction struct {
	ClientSecret string    `json:"ClientSecret"`
	RedirectURL  string    `json:"RedirectURL"`
	ExpiresAt    time.Time `json:"ExpiresAt"`
}

// Money is an amount in a currency's minor unit.
type Money struct {
	Currency string `json:"Currency"`
	Amount   int64  `json:"Amount"`
}

// CalendarLinks add a session to a calendar.
type CalendarLinks struct {
	Google  string `json:"Google"`
	Yahoo   string `json:"Yahoo"`
	Outlook string `json:"Outlook"`
	ICS     string `json:"ICS"`
}

// Proposal is another time one side suggested.
type Proposal struct {
	Start time.Time `json:"Start"`
	By    string    `json:"By"`
	Note  string    `json:"Note"`
	At    time.Time `json:"At"`
}

// Outcome is how a booking ended.
type Outcome struct {
	EndedBy string    `json:"EndedBy"`
	Reason  string    `json:"Reason"`
	At      time.Time `json:"At"`
	Money   string    `json:"Money"`
	Late    bool      `json:"Late"`
}

// Policy is the booking's policy, fixed when it was requested.
type Policy struct {
	Version               int64         `json:"Version,omitempty"`
	AutoApprove           bool          `json:"AutoApprove"`
	AutoApproveBundle     bool          `json:"AutoApproveBundle"`
	ApprovalWindow        time.Duration `json:"ApprovalWindow"`
	ReminderAfter         time.Duration `json:"ReminderAfter"`
	FreeCancelBefore      time.Duration `json:"FreeCancelBefore"`
	LateMenteeCancel      string        `json:"LateMenteeCancel"`
	MentorMayCancel       bool          `json:"MentorMayCancel"`
	LateMentorWindow      time.Duration `json:"LateMentorWindow"`
	AutoCompleteAfter     time.Duration `json:"AutoCompleteAfter"`
	CommissionBps         int           `json:"CommissionBps"`
	SessionReminderBefore time.Duration `json:"SessionReminderBefore"`
	AfterCare             time.Duration `json:"AfterCare"`
	AuthenticationTimeout time.Duration `json:"AuthenticationTimeout,omitempty"`
}

// ToState converts a booking into the workflow's state (for the workflow's
// input, its answers and tests).
func ToState(b *domain.Booking) State { return toState(b) }

// FromState rebuilds the booking a workflow's state holds (for the answers
// of updates and queries).
func FromState(s State) *domain.Booking { return fromState(s) }

func toState(b *domain.Booking) State {
	s := b.Snapshot()
	st := State{
		ID: s.ID, MentorID: s.MentorID, MenteeID: s.MenteeID, OfferingID: s.OfferingID, Status: string(s.Status),
		Start: s.Start, End: s.End, PreferredStarts: s.PreferredStarts, Duration: s.Duration, Message: s.Message,
		IntakeAnswers: s.IntakeAnswers, PartySize: s.PartySize, Attendees: s.Attendees, MenteeName: s.MenteeName,
		MenteeEmail: s.MenteeEmail, MenteeTZ: s.MenteeTZ, MentorTZ: s.MentorTZ, OfferingKind: string(s.OfferingKind),
		OfferingName: s.OfferingName, PaymentMethod: string(s.PaymentMethod), PaymentStatus: string(s.PaymentStatus),
		Price: Money(s.Price), Refunded: Money(s.Refunded), BundleID: s.BundleID, MeetingURL: s.MeetingURL,
		PaymentAction: (*PaymentAction)(s.PaymentAction), PaymentDisputed: s.PaymentDisputed,
		Calendar: CalendarLinks(s.Calendar), ExpiresAt: s.ExpiresAt, Continuation: string(s.Continuation),
		ContinuationReason: s.ContinuationReason, MentorNotes: s.MentorNotes, CreatedAt: s.CreatedAt,
		UpdatedAt: s.UpdatedAt, FirstResponseAt: s.FirstResponseAt, RemindedAt: s.RemindedAt,
		SessionRemindedAt: s.SessionRemindedAt, Version: s.Version,
		Policy: Policy{
			Version:     s.Policy.Version,
			AutoApprove: s.Policy.AutoApprove, AutoApproveBundle: s.Policy.AutoApproveBundle,
			ApprovalWindow: s.Policy.ApprovalWindow, ReminderAfter: s.Policy.ReminderAfter,
			FreeCancelBefore: s.Policy.FreeCancelBefore, LateMenteeCancel: string(s.Policy.LateMenteeCancel),
			MentorMayCancel: s.Policy.MentorMayCancel, LateMentorWindow: s.Policy.LateMentorWindow,
			AutoCompleteAfter: s.Policy.AutoCompleteAfter, CommissionBps: s.Policy.CommissionBps,
			SessionReminderBefore: s.Policy.SessionReminderBefore, AfterCare: s.Policy.AfterCare,
			AuthenticationTimeout: s.Policy.AuthenticationTimeout,
		},
	}
	if p := s.Proposal; p != nil {
		st.Proposal = &Proposal{Start: p.Start, By: string(p.By), Note: p.Note, At: p.At}
	}
	if o := s.Outcome; o != nil {
		st.Outcome = &Outcome{EndedBy: string(o.EndedBy), Reason: o.Reason, At: o.At, Money: o.Money, Late: o.Late}
	}
	return st
}

func fromState(st State) *domain.Booking {
	s := domain.Snapshot{
		ID: st.ID, MentorID: st.MentorID, MenteeID: st.MenteeID, OfferingID: st.OfferingID, Status: domain.Status(st.Status),
		Start: st.Start, End: st.End, PreferredStarts: st.PreferredStarts, Duration: st.Duration, Message: st.Message,
		IntakeAnswers: st.IntakeAnswers, PartySize: st.PartySize, Attendees: st.Attendees, MenteeName: st.MenteeName,
		MenteeEmail: st.MenteeEmail, MenteeTZ: st.MenteeTZ, MentorTZ: st.MentorTZ,
		OfferingKind: domain.OfferingKind(st.OfferingKind), OfferingName: st.OfferingName,
		PaymentMethod: domain.PaymentMethod(st.PaymentMethod), PaymentStatus: domain.PaymentStatus(st.PaymentStatus),
		Price: domain.Money(st.Price), Refunded: domain.Money(st.Refunded), BundleID: st.BundleID, MeetingURL: st.MeetingURL,
		PaymentAction: (*domain.PaymentAction)(st.PaymentAction), PaymentDisputed: st.PaymentDisputed,
		Calendar: domain.CalendarLinks(st.Calendar), ExpiresAt: st.ExpiresAt, Continuation: domain.Continuation(st.Continuation),
		ContinuationReason: st.ContinuationReason, MentorNotes: st.MentorNotes, CreatedAt: st.CreatedAt,
		UpdatedAt: st.UpdatedAt, FirstResponseAt: st.FirstResponseAt, RemindedAt: st.RemindedAt,
		SessionRemindedAt: st.SessionRemindedAt, Version: st.Version,
		Policy: domain.Policy{
			Version:     st.Policy.Version,
			AutoApprove: st.Policy.AutoApprove, AutoApproveBundle: st.Policy.AutoApproveBundle,
			ApprovalWindow: st.Policy.ApprovalWindow, ReminderAfter: st.Policy.ReminderAfter,
			FreeCancelBefore: st.Policy.FreeCancelBefore, LateMenteeCancel: domain.LateCancellation(st.Policy.LateMenteeCancel),
			MentorMayCancel: st.Policy.MentorMayCancel, LateMentorWindow: st.Policy.LateMentorWindow,
			AutoCompleteAfter: st.Policy.AutoCompleteAfter, CommissionBps: st.Policy.CommissionBps,
			SessionReminderBefore: st.Policy.SessionReminderBefore, AfterCare: st.Policy.AfterCare,
			AuthenticationTimeout: st.Policy.AuthenticationTimeout,
		},
	}
	if p := st.Proposal; p != nil {
		s.Proposal = &domain.Proposal{Start: p.Start, By: domain.Role(p.By), Note: p.Note, At: p.At}
	}
	if o := st.Outcome; o != nil {
		s.Outcome = &domain.Outcome{EndedBy: domain.Role(o.EndedBy), Reason: o.Reason, At: o.At, Money: o.Money, Late: o.Late}
	}
	return domain.Restore(s)
}

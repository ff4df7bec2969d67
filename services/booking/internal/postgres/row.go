package postgres

import (
	"time"

	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// row is a booking as the read model stores it: the snapshot column (jsonb)
// and, through toRow, the columns lists filter on. Rows written since the
// first release hold this JSON, so a field is never renamed or retyped; a new
// field is added with a default that means "as before".
type row struct {
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
	Price              moneyRow          `json:"Price"`
	Refunded           moneyRow          `json:"Refunded"`
	BundleID           string            `json:"BundleID"`
	PaymentAction      *paymentActionRow `json:"PaymentAction,omitempty"`
	PaymentDisputed    bool              `json:"PaymentDisputed,omitempty"`
	MeetingURL         string            `json:"MeetingURL"`
	Calendar           calendarRow       `json:"Calendar"`
	Proposal           *proposalRow      `json:"Proposal"`
	Policy             policyRow         `json:"Policy"`
	ExpiresAt          time.Time         `json:"ExpiresAt"`
	Outcome            *outcomeRow       `json:"Outcome"`
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

// moneyRow is an amount in a currency's minor unit.
type moneyRow struct {
	Currency string `json:"Currency"`
	Amount   int64  `json:"Amount"`
}

// paymentActionRow is what the mentee needs to authenticate the card.
type paymentActionRow struct {
	ClientSecret string    `json:"ClientSecret"`
	RedirectURL  string    `json:"RedirectURL"`
	ExpiresAt    time.Time `json:"ExpiresAt"`
}

// calendarRow adds a session to a calendar.
type calendarRow struct {
	Google  string `json:"Google"`
	Yahoo   string `json:"Yahoo"`
	Outlook string `json:"Outlook"`
	ICS     string `json:"ICS"`
}

// proposalRow is another time one side suggested.
type proposalRow struct {
	Start time.Time `json:"Start"`
	By    string    `json:"By"`
	Note  string    `json:"Note"`
	At    time.Time `json:"At"`
}

// outcomeRow is how a booking ended.
type outcomeRow struct {
	EndedBy string    `json:"EndedBy"`
	Reason  string    `json:"Reason"`
	At      time.Time `json:"At"`
	Money   string    `json:"Money"`
	Late    bool      `json:"Late"`
}

// policyRow is a policy: a booking's, fixed when it was requested, or a
// mentor's settings (mentor_settings.policy).
type policyRow struct {
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

func toRow(b *domain.Booking) row {
	s := b.Snapshot()
	r := row{
		ID: s.ID, MentorID: s.MentorID, MenteeID: s.MenteeID, OfferingID: s.OfferingID, Status: string(s.Status),
		Start: s.Start, End: s.End, PreferredStarts: s.PreferredStarts, Duration: s.Duration, Message: s.Message,
		IntakeAnswers: s.IntakeAnswers, PartySize: s.PartySize, Attendees: s.Attendees, MenteeName: s.MenteeName,
		MenteeEmail: s.MenteeEmail, MenteeTZ: s.MenteeTZ, MentorTZ: s.MentorTZ, OfferingKind: string(s.OfferingKind),
		OfferingName: s.OfferingName, PaymentMethod: string(s.PaymentMethod), PaymentStatus: string(s.PaymentStatus),
		Price: moneyRow(s.Price), Refunded: moneyRow(s.Refunded), BundleID: s.BundleID, MeetingURL: s.MeetingURL,
		PaymentAction: (*paymentActionRow)(s.PaymentAction), PaymentDisputed: s.PaymentDisputed,
		Calendar: calendarRow(s.Calendar), ExpiresAt: s.ExpiresAt, Continuation: string(s.Continuation),
		ContinuationReason: s.ContinuationReason, MentorNotes: s.MentorNotes, CreatedAt: s.CreatedAt,
		UpdatedAt: s.UpdatedAt, FirstResponseAt: s.FirstResponseAt, RemindedAt: s.RemindedAt,
		SessionRemindedAt: s.SessionRemindedAt, Version: s.Version,
		Policy: toPolicyRow(s.Policy),
	}
	if p := s.Proposal; p != nil {
		r.Proposal = &proposalRow{Start: p.Start, By: string(p.By), Note: p.Note, At: p.At}
	}
	if o := s.Outcome; o != nil {
		r.Outcome = &outcomeRow{EndedBy: string(o.EndedBy), Reason: o.Reason, At: o.At, Money: o.Money, Late: o.Late}
	}
	return r
}

func fromRow(r row) *domain.Booking {
	s := domain.Snapshot{
		ID: r.ID, MentorID: r.MentorID, MenteeID: r.MenteeID, OfferingID: r.OfferingID, Status: domain.Status(r.Status),
		Start: r.Start, End: r.End, PreferredStarts: r.PreferredStarts, Duration: r.Duration, Message: r.Message,
		IntakeAnswers: r.IntakeAnswers, PartySize: r.PartySize, Attendees: r.Attendees, MenteeName: r.MenteeName,
		MenteeEmail: r.MenteeEmail, MenteeTZ: r.MenteeTZ, MentorTZ: r.MentorTZ,
		OfferingKind: domain.OfferingKind(r.OfferingKind), OfferingName: r.OfferingName,
		PaymentMethod: domain.PaymentMethod(r.PaymentMethod), PaymentStatus: domain.PaymentStatus(r.PaymentStatus),
		Price: domain.Money(r.Price), Refunded: domain.Money(r.Refunded), BundleID: r.BundleID, MeetingURL: r.MeetingURL,
		PaymentAction: (*domain.PaymentAction)(r.PaymentAction), PaymentDisputed: r.PaymentDisputed,
		Calendar: domain.CalendarLinks(r.Calendar), ExpiresAt: r.ExpiresAt, Continuation: domain.Continuation(r.Continuation),
		ContinuationReason: r.ContinuationReason, MentorNotes: r.MentorNotes, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, FirstResponseAt: r.FirstResponseAt, RemindedAt: r.RemindedAt,
		SessionRemindedAt: r.SessionRemindedAt, Version: r.Version,
		Policy: fromPolicyRow(r.Policy),
	}
	if p := r.Proposal; p != nil {
		s.Proposal = &domain.Proposal{Start: p.Start, By: domain.Role(p.By), Note: p.Note, At: p.At}
	}
	if o := r.Outcome; o != nil {
		s.Outcome = &domain.Outcome{EndedBy: domain.Role(o.EndedBy), Reason: o.Reason, At: o.At, Money: o.Money, Late: o.Late}
	}
	return domain.Restore(s)
}

// toPolicyRow converts a policy for the snapshot and for a mentor's settings.
func toPolicyRow(p domain.Policy) policyRow {
	return policyRow{
		Version:     p.Version,
		AutoApprove: p.AutoApprove, AutoApproveBundle: p.AutoApproveBundle, ApprovalWindow: p.ApprovalWindow,
		ReminderAfter: p.ReminderAfter, FreeCancelBefore: p.FreeCancelBefore, LateMenteeCancel: string(p.LateMenteeCancel),
		MentorMayCancel: p.MentorMayCancel, LateMentorWindow: p.LateMentorWindow, AutoCompleteAfter: p.AutoCompleteAfter,
		CommissionBps: p.CommissionBps, SessionReminderBefore: p.SessionReminderBefore, AfterCare: p.AfterCare,
		AuthenticationTimeout: p.AuthenticationTimeout,
	}
}

func fromPolicyRow(p policyRow) domain.Policy {
	return domain.Policy{
		Version:     p.Version,
		AutoApprove: p.AutoApprove, AutoApproveBundle: p.AutoApproveBundle, ApprovalWindow: p.ApprovalWindow,
		ReminderAfter: p.ReminderAfter, FreeCancelBefore: p.FreeCancelBefore, LateMenteeCancel: domain.LateCancellation(p.LateMenteeCancel),
		MentorMayCancel: p.MentorMayCancel, LateMentorWindow: p.LateMentorWindow, AutoCompleteAfter: p.AutoCompleteAfter,
		CommissionBps: p.CommissionBps, SessionReminderBefore: p.SessionReminderBefore, AfterCare: p.AfterCare,
	}
}

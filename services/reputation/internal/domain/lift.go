package domain

import (
	"time"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// ErrNothingToLift is a lift of a mentor who is neither suspended nor
// deactivated.
var ErrNothingToLift = apperr.New(apperr.KindConflict, "NOTHING_TO_LIFT", "the mentor is neither suspended nor deactivated: there is nothing to lift")

// Lift is an operator's lift of a mentor's suspension or deactivation, as
// the audit keeps it. The mentor's cancellations and late changes before At
// no longer count.
type Lift struct {
	ID         uuid.UUID
	MentorID   string
	Previous   Standing
	Reason     string
	OperatorID string
	At         time.Time
}

// Lift makes a suspended or deactivated mentor ACTIVE again, by operator
// for reason, at: the lift to record and the standing change to announce.
func (m *Mentor) Lift(operator, reason string, at time.Time) (Lift, StandingChange, error) {
	if !m.Standing.Sticky() {
		return Lift{}, StandingChange{}, ErrNothingToLift
	}
	l := Lift{ID: uuid.New(), MentorID: m.ID, Previous: m.Standing, Reason: reason, OperatorID: operator, At: at}
	c := StandingChange{
		MentorID: m.ID, Previous: m.Standing, Actual: StandingActive,
		Reason:     "lifted by " + operator + ": " + reason,
		EventID:    l.ID, // one announcement per lift
		OperatorID: operator,
		At:         at,
	}
	m.Standing, m.StandingReason = StandingActive, c.Reason
	return l, c, nil
}

package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrInvalidEvent marks an event that can never be turned into notifications:
// a booking without ids, a message without text. Retrying cannot fix it.
var ErrInvalidEvent = errors.New("invalid event")

// Notice is one reader's notification about an event: the template it is
// rendered with and who reads it.
type Notice struct {
	Kind     string // the template: the event's Change
	Reader   Role   // RoleMentor or RoleMentee
	UserID   string
	Calendar bool // attach the session as an .ics file
}

// Plan says who hears about ev. It returns no notices for a fact nobody is
// told about (a session that ended, or a change it does not know), and
// ErrInvalidEvent for an event that lacks what its readers must be told.
func Plan(ev BookingEvent) ([]Notice, error) {
	b := ev.Booking
	if b.ID == "" || b.MentorID == "" || b.MenteeID == "" {
		return nil, fmt.Errorf("%w: %s: booking id, mentor_id and mentee_id are required", ErrInvalidEvent, ev.Subject)
	}
	kind := string(ev.Change)
	mentor := Notice{Kind: kind, Reader: RoleMentor, UserID: b.MentorID}
	mentee := Notice{Kind: kind, Reader: RoleMentee, UserID: b.MenteeID}
	needStart := func() error {
		if b.Start.IsZero() {
			return fmt.Errorf("%w: %s: booking start_time is required", ErrInvalidEvent, ev.Subject)
		}
		return nil
	}
	switch ev.Change {
	case ChangeRequested, ChangeReminder:
		return []Notice{mentor}, nil
	case ChangeApproved:
		if err := needStart(); err != nil {
			return nil, err
		}
		mentor.Calendar, mentee.Calendar = true, true
		return []Notice{mentee, mentor}, nil
	case ChangeRejected, ChangeExpired, ChangeCompleted, ChangeNoShow, ChangeContinuationDecided:
		return []Notice{mentee}, nil
	case ChangeSessionReminder:
		if err := needStart(); err != nil {
			return nil, err
		}
		return []Notice{mentee, mentor}, nil
	case ChangeMarkedPaid:
		if err := needStart(); err != nil {
			return nil, err
		}
		mentee.Calendar = true
		return []Notice{mentee}, nil
	case ChangeProposed:
		if b.Proposal == nil || b.Proposal.Start.IsZero() {
			return nil, fmt.Errorf("%w: %s: booking proposal.start_time is required", ErrInvalidEvent, ev.Subject)
		}
		by := b.Proposal.ProposedBy
		if by != RoleMentor && by != RoleMentee {
			by = ev.ActorRole
		}
		return otherSide(by, mentor, mentee), nil
	case ChangeRescheduled:
		if err := needStart(); err != nil {
			return nil, err
		}
		mentor.Calendar, mentee.Calendar = true, true
		return otherSide(ev.ActorRole, mentor, mentee), nil
	case ChangeProposalDeclined:
		return otherSide(ev.ActorRole, mentor, mentee), nil
	case ChangeCancelled:
		by := b.Outcome.EndedBy
		if by == "" {
			by = ev.ActorRole
		}
		return otherSide(by, mentor, mentee), nil
	case ChangeMessageSent:
		if strings.TrimSpace(ev.Text) == "" {
			return nil, fmt.Errorf("%w: %s: text is required", ErrInvalidEvent, ev.Subject)
		}
		return []Notice{mentee}, nil
	default: // ChangeSessionEnded; ChangeRefunded (payment.refunded tells the
		// mentee, with the amount, whichever way the refund came); changes
		// added after this service
		return nil, nil
	}
}

// otherSide is the side that did not act; both when an admin or the system did.
func otherSide(actor Role, mentor, mentee Notice) []Notice {
	switch actor {
	case RoleMentor:
		return []Notice{mentee}
	case RoleMentee:
		return []Notice{mentor}
	default:
		return []Notice{mentee, mentor}
	}
}

// Location is the time zone named tz, or UTC when tz is empty or unknown.
func Location(tz string) *time.Location {
	if tz == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}

// FormatTime renders t for a reader in the time zone tz, naming the zone:
// "Monday 2 March 2026, 15:00 CET (Europe/Berlin)".
func FormatTime(t time.Time, tz string) string {
	if t.IsZero() {
		return "a time still to be agreed"
	}
	loc := Location(tz)
	return t.In(loc).Format("Monday 2 January 2006, 15:04 MST") + " (" + loc.String() + ")"
}

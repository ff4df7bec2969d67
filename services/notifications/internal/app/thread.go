package app

import (
	"context"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
)

// Thread returns a booking's messages, oldest first, to its mentor or mentee
// (the caller; userID, if given, must be them) or an admin.
func (a *Service) Thread(ctx context.Context, bookingID, userID string) ([]domain.ThreadMessage, error) {
	if _, err := a.party(ctx, bookingID, userID); err != nil {
		return nil, err
	}
	return a.Store.Thread(ctx, bookingID)
}

// Reply records the mentee's reply on a booking's thread and tells the
// mentor, in the inbox and by email, in one transaction. The mentee is the
// caller (userID, if given, must be them; an admin names the mentee). A
// retry with the same requestID returns the first reply and adds nothing.
func (a *Service) Reply(ctx context.Context, bookingID, userID, text, requestID string) (domain.ThreadMessage, error) {
	text = strings.TrimSpace(text)
	var v apperr.Violations
	if text == "" {
		v.Add("text", "is required")
	} else if utf8.RuneCountInString(text) > 5000 {
		v.Add("text", "must be at most 5000 characters")
	}
	if len(requestID) > 128 {
		v.Add("request_id", "must be at most 128 characters")
	}
	if bookingID == "" {
		v.Add("booking_id", "is required")
	}
	if err := v.Err(); err != nil {
		return domain.ThreadMessage{}, err
	}
	b, err := a.party(ctx, bookingID, userID)
	if err != nil {
		return domain.ThreadMessage{}, err
	}
	if userID, err = actingUser(ctx, userID); err != nil {
		return domain.ThreadMessage{}, err
	}
	if userID != b.MenteeID {
		return domain.ThreadMessage{}, ErrNotTheMentee
	}
	m := domain.ThreadMessage{
		ID: uuid.NewString(), BookingID: bookingID, AuthorRole: domain.RoleMentee,
		AuthorID: userID, Text: text, CreatedAt: a.now().UTC(),
	}
	if requestID != "" {
		m.ID = derivedID("reply", bookingID, userID, requestID)
	}
	err = a.Store.InTx(ctx, func(tx Tx) error {
		added, err := tx.AddThreadMessage(ctx, m)
		if err != nil || !added {
			return err
		}
		mentor, mentee, err := a.sides(ctx, tx, b)
		if err != nil {
			return err
		}
		ev := domain.BookingEvent{ID: m.ID, Subject: domain.KindThreadReply, OccurredAt: m.CreatedAt, Booking: b,
			ActorRole: domain.RoleMentee, ActorID: userID, Text: text}
		return a.notify(ctx, tx, ev, domain.Notice{Kind: "thread_reply", Reader: domain.RoleMentor, UserID: b.MentorID}, mentor, mentee, domain.Money{})
	})
	if err != nil {
		return domain.ThreadMessage{}, err
	}
	return a.Store.ThreadMessage(ctx, m.ID)
}

// party returns the booking if the caller is one of its sides or an admin.
func (a *Service) party(ctx context.Context, bookingID, userID string) (domain.Booking, error) {
	p, _, err := threadUser(ctx, userID)
	if err != nil {
		return domain.Booking{}, err
	}
	if bookingID == "" {
		var v apperr.Violations
		v.Add("booking_id", "is required")
		return domain.Booking{}, v.Err()
	}
	b, err := a.Store.Booking(ctx, bookingID)
	if err != nil {
		return domain.Booking{}, err
	}
	return b, mayReadThread(p, b)
}

// actingUser is the user a thread call acts for (see threadUser).
func actingUser(ctx context.Context, named string) (string, error) {
	_, u, err := threadUser(ctx, named)
	return u, err
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

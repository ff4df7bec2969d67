package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/postgres"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// UpcomingWindow is how far ahead the upcoming list looks (seed 001).
const UpcomingWindow = 72 * time.Hour

// ListQuery is a list request.
type ListQuery struct {
	postgres.Filter
	// Upcoming: approved sessions in the next 72 hours.
	Upcoming bool
	// Unpaid: manual payments not yet received.
	Unpaid bool
}

// List returns a page of the caller's bookings.
func (s *Service) List(ctx context.Context, q ListQuery) ([]domain.Booking, string, error) {
	f, a, err := s.scope(ctx, q)
	if err != nil {
		return nil, "", err
	}
	if f.PageSize > 200 || f.PageSize < 0 {
		var v apperr.Violations
		v.Add("page_size", "must be between 1 and 200")
		return nil, "", v.Err()
	}
	bs, next, err := s.store.List(ctx, f)
	for i := range bs {
		bs[i] = bs[i].VisibleTo(a)
	}
	return bs, next, err
}

// scope narrows a query to what the caller may see.
func (s *Service) scope(ctx context.Context, q ListQuery) (postgres.Filter, domain.Actor, error) {
	a, err := actor(ctx)
	if err != nil {
		return postgres.Filter{}, a, err
	}
	f := q.Filter
	switch a.Role {
	case domain.RoleMentee:
		if f.MenteeID != "" && f.MenteeID != a.ID {
			return f, a, apperr.Wrap(domain.ErrNotAllowedForRole, "a mentee lists their own bookings")
		}
		f.MenteeID = a.ID
	case domain.RoleMentor:
		if f.MentorID != "" && f.MentorID != a.ID {
			return f, a, apperr.Wrap(domain.ErrNotAllowedForRole, "a mentor lists their own bookings")
		}
		f.MentorID = a.ID
	}
	if !f.StartAfter.IsZero() && !f.StartBefore.IsZero() && !f.StartAfter.Before(f.StartBefore) {
		var v apperr.Violations
		v.Add("start_before", "must be after start_after")
		return f, a, v.Err()
	}
	if q.Upcoming {
		now := s.now()
		f.StartAfter, f.StartBefore = now, now.Add(UpcomingWindow)
		f.Statuses = []domain.Status{domain.StatusConfirmed, domain.StatusAwaitingPayment}
	}
	if q.Unpaid {
		f.PaymentStatus = domain.PaymentStatusUnpaid
	}
	return f, a, nil
}

// maxExportRows bounds one export.
const maxExportRows = 50000

// Export writes the selected bookings as CSV, one row each, with times in UTC
// (RFC 3339) and amounts in major units, which spreadsheets open as they are.
func (s *Service) Export(ctx context.Context, q ListQuery) ([]byte, error) {
	f, a, err := s.scope(ctx, q)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // a BOM, so spreadsheets read UTF-8 names right
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"booking_id", "status", "start_time_utc", "end_time_utc", "mentor_id", "mentee_id",
		"mentee_name", "mentee_email", "offering", "party_size", "attendees", "payment_method", "payment_status",
		"price", "refunded", "currency", "created_utc"})
	f.PageSize, f.PageToken = 500, ""
	rows := 0
	for {
		bs, next, err := s.store.List(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			b = b.VisibleTo(a)
			_ = w.Write([]string{b.ID, string(b.Status), csvTime(b.Start), csvTime(b.End), b.MentorID, b.MenteeID,
				csvSafe(b.MenteeName), csvSafe(b.MenteeEmail), csvSafe(b.OfferingName), strconv.Itoa(b.PartySize),
				csvSafe(strings.Join(b.Attendees, "; ")), string(b.PaymentMethod), string(b.PaymentStatus),
				major(b.Price.Amount), major(b.Refunded.Amount), b.Price.Currency, csvTime(b.CreatedAt)})
		}
		rows += len(bs)
		if next == "" || rows >= maxExportRows {
			break
		}
		f.PageToken = next
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func major(minor int64) string { return fmt.Sprintf("%d.%02d", minor/100, minor%100) }

// csvSafe keeps a spreadsheet from running a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CompleteSession completes every booking of one class session that is not
// marked no-show, in one call (seed 002's "Complete all").
func (s *Service) CompleteSession(ctx context.Context, sessionID string) ([]domain.Booking, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	f := postgres.Filter{SessionID: sessionID, PageSize: 500}
	if a.Role == domain.RoleMentor {
		f.MentorID = a.ID
	}
	bs, _, err := s.store.List(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(bs) == 0 || a.Role == domain.RoleMentee {
		return nil, apperr.Wrap(domain.ErrNotFound, "session not found")
	}
	out := make([]domain.Booking, 0, len(bs))
	for _, b := range bs {
		if b.Status == domain.StatusPendingConfirmation || b.Status.Upcoming() {
			nb, err := s.Command(ctx, b.ID, workflow.UpdateComplete, workflow.Command{})
			if err != nil {
				return nil, fmt.Errorf("booking %s: %w", b.ID, err)
			}
			b = nb
		}
		out = append(out, b.VisibleTo(a))
	}
	return out, nil
}

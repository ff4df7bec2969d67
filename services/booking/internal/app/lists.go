package app

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/money"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// UpcomingWindow is how far ahead the upcoming list looks (docs/product.md).
const UpcomingWindow = 72 * time.Hour

// ListQuery is a list request.
type ListQuery struct {
	Filter
	// Upcoming: approved sessions in the next 72 hours.
	Upcoming bool
	// Unpaid: manual payments not yet received.
	Unpaid bool
}

// List returns a page of the caller's bookings.
func (s *Service) List(ctx context.Context, q ListQuery) ([]*domain.Booking, string, error) {
	f, a, err := s.filter(ctx, q)
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

// filter is the store's filter for q as the caller may see it.
func (s *Service) filter(ctx context.Context, q ListQuery) (Filter, domain.Actor, error) {
	f, a, err := scope(ctx, q.Filter)
	if err != nil {
		return f, a, err
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

// Export writes the selected bookings to w as CSV, one row each, with times
// in UTC (RFC 3339) and amounts in major units with the currency's decimals
// ("5000" JPY, "19.99" USD, "1.500" KWD), which spreadsheets open as they
// are. With bom, the file begins with a UTF-8 byte-order mark, which Excel
// needs to read non-ASCII names right and which simple CSV parsers take for
// part of the first column's name; without, it begins with the header.
// Rows are written as the store reads them, so memory does not grow with the
// export.
func (s *Service) Export(ctx context.Context, q ListQuery, bom bool, w io.Writer) error {
	f, a, err := s.filter(ctx, q)
	if err != nil {
		return err
	}
	if bom {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"booking_id", "status", "start_time_utc", "end_time_utc", "mentor_id", "mentee_id",
		"mentee_name", "mentee_email", "offering", "party_size", "attendees", "payment_method", "payment_status",
		"price", "refunded", "currency", "created_utc"})
	rows := 0
	err = s.store.Each(ctx, f, func(bk *domain.Booking) error {
		if rows == maxExportRows {
			return errEnough
		}
		rows++
		b := bk.VisibleTo(a).Snapshot()
		return cw.Write([]string{b.ID, string(b.Status), csvTime(b.Start), csvTime(b.End), b.MentorID, b.MenteeID,
			csvSafe(b.MenteeName), csvSafe(b.MenteeEmail), csvSafe(b.OfferingName), strconv.Itoa(b.PartySize),
			csvSafe(strings.Join(b.Attendees, "; ")), string(b.PaymentMethod), string(b.PaymentStatus),
			money.Decimal(b.Price.Currency, b.Price.Amount), money.Decimal(b.Price.Currency, b.Refunded.Amount), b.Price.Currency, csvTime(b.CreatedAt)})
	})
	if err != nil && err != errEnough {
		return err
	}
	cw.Flush()
	return cw.Error()
}

var errEnough = fmt.Errorf("export row limit reached")

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// csvSafe keeps a spreadsheet from running a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CompleteSession completes every booking of one class session that is not
// marked no-show, in one call ("complete all").
func (s *Service) CompleteSession(ctx context.Context, sessionID string) ([]*domain.Booking, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	f := Filter{SessionID: sessionID, PageSize: 500}
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
	out := make([]*domain.Booking, 0, len(bs))
	for _, b := range bs {
		if b.Status() == domain.StatusPendingConfirmation || b.Status().Upcoming() {
			nb, err := s.command(ctx, b.ID(), workflow.UpdateComplete, workflow.Command{})
			if err != nil {
				return nil, fmt.Errorf("booking %s: %w", b.ID(), err)
			}
			b = nb
		}
		out = append(out, b.VisibleTo(a))
	}
	return out, nil
}

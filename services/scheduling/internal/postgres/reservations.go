package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/services/scheduling/internal/app"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
	"github.com/bookwell/bookwell/services/scheduling/internal/protoconv"
)

const reservationCols = `booking_id, mentor_id, offering_id, mentee_id, kind, status, start_at, end_at, party_size, mentee_time_zone, meeting_url, version, created_at, updated_at`

func scanReservation(row pgx.Row) (domain.Reservation, error) {
	var r domain.Reservation
	var offering uuid.UUID
	err := row.Scan(&r.BookingID, &r.MentorID, &offering, &r.MenteeID, &r.Kind, &r.Status, &r.Start, &r.End,
		&r.PartySize, &r.MenteeTimeZone, &r.MeetingURL, &r.Version, &r.CreatedAt, &r.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, domain.ErrReservationNotFound
	}
	r.OfferingID = offering.String()
	return r, err
}

// Reservation returns a booking's reservation.
func (s *Store) Reservation(ctx context.Context, bookingID string) (domain.Reservation, error) {
	return scanReservation(s.Pool.QueryRow(ctx, `SELECT `+reservationCols+` FROM reservations WHERE booking_id = $1`, bookingID))
}

// inTx runs fn in a transaction, retrying a few times when Postgres picks it
// as the victim of a deadlock or a serialisation failure (two moves crossing
// over each other's sessions can deadlock on the exclusion constraint).
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	var err error
	for range 5 {
		err = pgx.BeginFunc(ctx, s.Pool, fn)
		if code, _ := pgCode(err); code != "40P01" && code != "40001" {
			return err
		}
	}
	return err
}

// lock takes a transaction-scoped advisory lock on key: the booking (so one
// booking's calls run one after the other) or the mentee (so intro quotas are
// counted without a race).
func lock(ctx context.Context, tx pgx.Tx, key string) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key)
	return err
}

func lockedReservation(ctx context.Context, tx pgx.Tx, bookingID string) (domain.Reservation, error) {
	if err := lock(ctx, tx, "booking:"+bookingID); err != nil {
		return domain.Reservation{}, err
	}
	return scanReservation(tx.QueryRow(ctx, `SELECT `+reservationCols+` FROM reservations WHERE booking_id = $1 FOR UPDATE`, bookingID))
}

// holdState reads what the rules need, in tx. For intro sessions it locks the
// mentee and counts their intros in the session's month and with this mentor,
// other than bookingID's: the lock makes two concurrent intro holds of one
// mentee count one after the other, so neither the quota nor one intro per
// mentor (when the policy has it) can be passed by racing.
func holdState(ctx context.Context, tx pgx.Tx, o domain.Offering, menteeID, menteeZone, bookingID string, start time.Time, party int, now time.Time) (domain.HoldState, error) {
	st := domain.HoldState{Offering: o, Start: start, PartySize: party, Now: now}
	var err error
	if st.Availability, err = availability(ctx, tx, o.MentorID); err != nil {
		return st, err
	}
	if st.Standing, err = standing(ctx, tx, o.MentorID); err != nil {
		return st, err
	}
	end := start.Add(o.Duration + st.Availability.Buffer)
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM external_busy WHERE mentor_id = $1 AND period && tstzrange($2, $3))`,
		o.MentorID, start, end).Scan(&st.BusyElsewhere); err != nil {
		return st, err
	}
	if o.Kind != domain.KindIntro {
		return st, nil
	}
	loc, err := time.LoadLocation(menteeZone)
	if err != nil {
		loc = time.UTC
	}
	if err := lock(ctx, tx, "intro:"+menteeID); err != nil {
		return st, err
	}
	err = tx.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE intro_month = $2),
			count(*) FILTER (WHERE mentor_id = $3) > 0
		FROM reservations WHERE mentee_id = $1 AND kind = 'INTRO' AND status <> 'RELEASED' AND booking_id <> $4`,
		menteeID, domain.IntroMonth(start, loc), o.MentorID, bookingID).Scan(&st.IntrosInMonth, &st.IntroWithMentor)
	return st, err
}

// takeSeats adds party seats to the mentor's session of o at start, creating
// it if needed, and returns its id. The constraints on sessions decide: a
// session overlapping another of the mentor fails with SLOT_TAKEN, one over
// capacity with OVER_CAPACITY (SLOT_TAKEN for one-to-one sessions).
func takeSeats(ctx context.Context, tx pgx.Tx, o domain.Offering, start time.Time, buffer time.Duration, party int) (int64, error) {
	end := start.Add(o.Duration)
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO sessions (mentor_id, offering_id, start_at, end_at, block, capacity, seats_taken)
		VALUES ($1, $2, $3, $4, tstzrange($3, $5), $6, $7)
		ON CONFLICT (mentor_id, offering_id, start_at) DO UPDATE SET
			end_at = CASE WHEN sessions.seats_taken = 0 THEN excluded.end_at ELSE sessions.end_at END,
			block = CASE WHEN sessions.seats_taken = 0 THEN excluded.block ELSE sessions.block END,
			capacity = CASE WHEN sessions.seats_taken = 0 THEN excluded.capacity ELSE sessions.capacity END,
			seats_taken = sessions.seats_taken + excluded.seats_taken
		RETURNING id`,
		o.MentorID, o.ID, start, end, end.Add(buffer), o.Capacity, party).Scan(&id)
	switch code, constraint := pgCode(err); {
	case code == "23P01":
		return 0, domain.ErrSlotTaken
	case code == "23514" && constraint == "sessions_within_capacity":
		if o.Capacity == 1 {
			return 0, domain.ErrSlotTaken
		}
		return 0, domain.ErrOverCapacity
	}
	return id, err
}

func freeSeats(ctx context.Context, tx pgx.Tx, bookingID string, party int) error {
	_, err := tx.Exec(ctx, `UPDATE sessions SET seats_taken = seats_taken - $2 WHERE id = (SELECT session_id FROM reservations WHERE booking_id = $1)`, bookingID, party)
	return err
}

func addEvent(ctx context.Context, tx pgx.Tx, t schedulingv1.EventType, r domain.Reservation, previousStart time.Time) error {
	ev, err := protoconv.ReservationEventToProto(t, r, previousStart)
	if err != nil {
		return err
	}
	return outbox.Add(ctx, tx, ev)
}

// Hold holds a slot for h.BookingID. When the booking already has a
// reservation it is returned as it is, with existed true, and nothing
// changes. Otherwise check decides on the rules, the session's constraints on
// the time, and the reservation and its reservation.held event are stored in
// one transaction.
func (s *Store) Hold(ctx context.Context, h domain.Hold, now time.Time, check app.Checker) (r domain.Reservation, existed bool, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		existed = false
		var err error
		r, err = lockedReservation(ctx, tx, h.BookingID)
		if err == nil {
			existed = true
			return nil
		}
		if !errors.Is(err, domain.ErrReservationNotFound) {
			return err
		}
		if uuid.Validate(h.OfferingID) != nil {
			return domain.ErrOfferingNotFound
		}
		o, err := scanOffering(tx.QueryRow(ctx, `SELECT `+offeringCols+` FROM offerings WHERE id = $1 AND mentor_id = $2 AND deleted_at IS NULL`, h.OfferingID, h.MentorID))
		if err != nil {
			return err
		}
		if o.Kind == domain.KindIntro && h.IntroLength > 0 {
			o.Duration = h.IntroLength // the policy's, not the offering's
		}
		st, err := holdState(ctx, tx, o, h.MenteeID, h.MenteeTimeZone, h.BookingID, h.Start, h.PartySize, now)
		if err != nil {
			return err
		}
		if err := check(st); err != nil {
			return err
		}
		session, err := takeSeats(ctx, tx, o, h.Start, st.Availability.Buffer, h.PartySize)
		if err != nil {
			return err
		}
		loc, err := time.LoadLocation(h.MenteeTimeZone)
		if err != nil {
			loc = time.UTC
		}
		r = domain.Reservation{
			BookingID: h.BookingID, MentorID: h.MentorID, OfferingID: o.ID, MenteeID: h.MenteeID, Kind: o.Kind,
			Status: domain.StatusHeld, Start: h.Start, End: h.Start.Add(o.Duration), PartySize: h.PartySize,
			MenteeTimeZone: h.MenteeTimeZone, Version: 1, CreatedAt: now, UpdatedAt: now,
		}
		_, err = tx.Exec(ctx, `INSERT INTO reservations (booking_id, session_id, mentor_id, offering_id, mentee_id, kind, status, start_at, end_at, block,
				party_size, mentee_time_zone, intro_month, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, tstzrange($8, $10), $11, $12, $13, $14, $15, $15)`,
			r.BookingID, session, r.MentorID, r.OfferingID, r.MenteeID, r.Kind, r.Status, r.Start, r.End, r.End.Add(st.Availability.Buffer),
			r.PartySize, r.MenteeTimeZone, domain.IntroMonth(r.Start, loc), r.Version, now)
		if err != nil {
			return err
		}
		return addEvent(ctx, tx, schedulingv1.EventType_EVENT_TYPE_RESERVATION_HELD, r, time.Time{})
	})
	return r, existed, err
}

// Move moves a booking's reservation to newStart in one transaction: the old
// seats are given back and the new ones taken, so when the new time cannot be
// held the transaction rolls back and the old time is kept.
func (s *Store) Move(ctx context.Context, bookingID string, newStart, now time.Time, check app.Checker) (r domain.Reservation, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		r, err = lockedReservation(ctx, tx, bookingID)
		if err != nil {
			return err
		}
		if r.Status == domain.StatusReleased {
			return domain.ErrReservationReleased
		}
		if r.Start.Equal(newStart) {
			return nil
		}
		// A withdrawn offering's bookings can still be moved.
		o, err := scanOffering(tx.QueryRow(ctx, `SELECT `+offeringCols+` FROM offerings WHERE id = $1`, r.OfferingID))
		if err != nil {
			return err
		}
		if o.Kind == domain.KindIntro {
			o.Duration = r.End.Sub(r.Start) // an intro keeps the length it was held with
		}
		st, err := holdState(ctx, tx, o, r.MenteeID, r.MenteeTimeZone, r.BookingID, newStart, r.PartySize, now)
		if err != nil {
			return err
		}
		st.IntroWithMentor = false // it is this very intro
		if err := check(st); err != nil {
			return err
		}
		if err := freeSeats(ctx, tx, bookingID, r.PartySize); err != nil {
			return err
		}
		session, err := takeSeats(ctx, tx, o, newStart, st.Availability.Buffer, r.PartySize)
		if err != nil {
			return err
		}
		loc, err := time.LoadLocation(r.MenteeTimeZone)
		if err != nil {
			loc = time.UTC
		}
		previous := r.Start
		r.Start, r.End = newStart, newStart.Add(o.Duration)
		r.Version++
		r.UpdatedAt = now
		if _, err := tx.Exec(ctx, `UPDATE reservations SET session_id = $2, start_at = $3, end_at = $4, block = tstzrange($3, $5), intro_month = $6, version = $7, updated_at = $8
			WHERE booking_id = $1`, bookingID, session, r.Start, r.End, r.End.Add(st.Availability.Buffer), domain.IntroMonth(r.Start, loc), r.Version, now); err != nil {
			return err
		}
		return addEvent(ctx, tx, schedulingv1.EventType_EVENT_TYPE_RESERVATION_MOVED, r, previous)
	})
	return r, err
}

// Confirm confirms a held reservation and sets its meeting link (unless it
// has one). A confirmed reservation is returned unchanged.
func (s *Store) Confirm(ctx context.Context, bookingID, meetingURL string, now time.Time) (r domain.Reservation, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		r, err = lockedReservation(ctx, tx, bookingID)
		if err != nil {
			return err
		}
		switch r.Status {
		case domain.StatusReleased:
			return domain.ErrReservationReleased
		case domain.StatusConfirmed:
			return nil
		}
		r.Status = domain.StatusConfirmed
		if r.MeetingURL == "" {
			r.MeetingURL = meetingURL
		}
		r.Version++
		r.UpdatedAt = now
		if _, err := tx.Exec(ctx, `UPDATE reservations SET status = $2, meeting_url = $3, version = $4, updated_at = $5 WHERE booking_id = $1`,
			bookingID, r.Status, r.MeetingURL, r.Version, now); err != nil {
			return err
		}
		return addEvent(ctx, tx, schedulingv1.EventType_EVENT_TYPE_RESERVATION_CONFIRMED, r, time.Time{})
	})
	return r, err
}

// Release frees a booking's seats. It returns nil when the booking never held
// a reservation, and a released reservation unchanged.
func (s *Store) Release(ctx context.Context, bookingID string, now time.Time) (*domain.Reservation, error) {
	var out *domain.Reservation
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		out = nil
		r, err := lockedReservation(ctx, tx, bookingID)
		if errors.Is(err, domain.ErrReservationNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		out = &r
		if r.Status == domain.StatusReleased {
			return nil
		}
		if err := freeSeats(ctx, tx, bookingID, r.PartySize); err != nil {
			return err
		}
		r.Status = domain.StatusReleased
		r.Version++
		r.UpdatedAt = now
		if _, err := tx.Exec(ctx, `UPDATE reservations SET status = $2, version = $3, updated_at = $4 WHERE booking_id = $1`,
			bookingID, r.Status, r.Version, now); err != nil {
			return err
		}
		return addEvent(ctx, tx, schedulingv1.EventType_EVENT_TYPE_RESERVATION_RELEASED, r, time.Time{})
	})
	return out, err
}

// Conflicts lists the bookings whose held or confirmed reservations overlap
// [start, end) plus the mentor's buffer, other than excludingBookingID and
// the bookings sharing its (class) session.
func (s *Store) Conflicts(ctx context.Context, mentorID string, start, end time.Time, excludingBookingID string) ([]string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT booking_id FROM reservations
		WHERE mentor_id = $1 AND status <> 'RELEASED'
		  AND block && tstzrange($2::timestamptz, $3::timestamptz + make_interval(mins => COALESCE((SELECT buffer_minutes FROM availability WHERE mentor_id = $1), 0)))
		  AND booking_id <> $4
		  AND session_id <> COALESCE((SELECT session_id FROM reservations WHERE booking_id = $4 AND status <> 'RELEASED'), 0)
		ORDER BY start_at, booking_id`, mentorID, start, end, excludingBookingID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Busy returns the mentor's sessions with seats taken whose blocks overlap
// [from, to).
func (s *Store) Busy(ctx context.Context, mentorID string, from, to time.Time) ([]domain.Busy, error) {
	rows, err := s.Pool.Query(ctx, `SELECT offering_id::text, start_at, lower(block), upper(block), seats_taken, capacity FROM sessions
		WHERE mentor_id = $1 AND seats_taken > 0 AND block && tstzrange($2, $3) ORDER BY lower(block)`, mentorID, from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Busy, error) {
		var b domain.Busy
		err := row.Scan(&b.OfferingID, &b.Start, &b.Block.Start, &b.Block.End, &b.SeatsTaken, &b.Capacity)
		return b, err
	})
}

// ConfirmedSessions lists a mentor's sessions with confirmed reservations
// that end after since, in time order.
func (s *Store) ConfirmedSessions(ctx context.Context, mentorID string, since time.Time) ([]app.ConfirmedSession, error) {
	rows, err := s.Pool.Query(ctx, `SELECT s.id, s.start_at, s.end_at, o.name, s.capacity, sum(r.party_size)::int, min(r.booking_id), max(r.meeting_url), max(r.updated_at)
		FROM reservations r JOIN sessions s ON s.id = r.session_id JOIN offerings o ON o.id = r.offering_id
		WHERE r.mentor_id = $1 AND r.status = 'CONFIRMED' AND r.end_at > $2
		GROUP BY s.id, o.name ORDER BY s.start_at, s.id`, mentorID, since)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (app.ConfirmedSession, error) {
		var c app.ConfirmedSession
		err := row.Scan(&c.SessionID, &c.Start, &c.End, &c.Offering, &c.Capacity, &c.Seats, &c.BookingID, &c.MeetingURL, &c.LastChanged)
		return c, err
	})
}

package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
)

// Page is one page of an inbox.
type Page struct {
	Notifications []domain.Notification
	NextPageToken string
	UnreadCount   int
}

// pageToken is where the next page starts: after this notification.
type pageToken struct {
	At time.Time `json:"t"`
	ID string    `json:"id"`
}

// ListNotifications returns a page of userID's inbox, newest first.
func (a *Service) ListNotifications(ctx context.Context, userID string, pageSize int, token string, unreadOnly bool) (Page, error) {
	if err := checkUser(ctx, "user_id", userID); err != nil {
		return Page{}, err
	}
	var v apperr.Violations
	if pageSize < 0 {
		v.Add("page_size", "must not be negative")
	}
	q := ListQuery{UserID: userID, UnreadOnly: unreadOnly, Limit: pageSize}
	if q.Limit == 0 {
		q.Limit = 20
	}
	q.Limit = min(q.Limit, 100)
	if token != "" {
		var t pageToken
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err == nil {
			err = json.Unmarshal(raw, &t)
		}
		if err != nil || t.At.IsZero() || uuid.Validate(t.ID) != nil {
			v.Add("page_token", "is not a token this API returned")
		}
		q.Before, q.BeforeID = t.At, t.ID
	}
	if err := v.Err(); err != nil {
		return Page{}, err
	}
	q.Limit++ // one more tells whether there is a next page
	ns, err := a.Store.ListNotifications(ctx, q)
	if err != nil {
		return Page{}, err
	}
	var p Page
	if len(ns) == q.Limit {
		ns = ns[:q.Limit-1]
		last := ns[len(ns)-1]
		raw, _ := json.Marshal(pageToken{At: last.CreatedAt, ID: last.ID})
		p.NextPageToken = base64.RawURLEncoding.EncodeToString(raw)
	}
	p.Notifications = ns
	if p.UnreadCount, err = a.Store.UnreadCount(ctx, userID); err != nil {
		return Page{}, err
	}
	return p, nil
}

// MarkRead marks one notification (id) or all of userID's notifications
// read; it returns how many changed and how many remain unread.
func (a *Service) MarkRead(ctx context.Context, userID, id string, all bool) (marked, unread int, err error) {
	if err := checkUser(ctx, "user_id", userID); err != nil {
		return 0, 0, err
	}
	var v apperr.Violations
	switch {
	case id == "" && !all:
		v.Add("notification_id", "is required unless all is true")
	case id != "" && all:
		v.Add("all", "must be false when notification_id is given")
	case id != "" && uuid.Validate(id) != nil:
		v.Add("notification_id", "is not a notification id")
	}
	if err := v.Err(); err != nil {
		return 0, 0, err
	}
	if marked, err = a.Store.MarkRead(ctx, userID, id, a.now()); err != nil {
		return 0, 0, err
	}
	unread, err = a.Store.UnreadCount(ctx, userID)
	return marked, unread, err
}

// UpsertRecipient records how a user is reached.
func (a *Service) UpsertRecipient(ctx context.Context, r domain.Recipient) (domain.Recipient, error) {
	if err := checkUser(ctx, "recipient.user_id", r.UserID); err != nil {
		return domain.Recipient{}, err
	}
	var v apperr.Violations
	if !validEmail(r.Email) {
		v.Add("recipient.email", "must be an email address")
	}
	if r.TimeZone != "" {
		if _, err := time.LoadLocation(r.TimeZone); err != nil {
			v.Add("recipient.time_zone", "must be an IANA time zone such as Europe/Berlin")
		}
	}
	if err := v.Err(); err != nil {
		return domain.Recipient{}, err
	}
	return r, a.Store.UpsertRecipient(ctx, r)
}

// DevMailbox lists what the development mailbox received.
func (a *Service) DevMailbox(ctx context.Context, to string, pageSize int) ([]domain.DevMessage, error) {
	if err := checkAdmin(ctx); err != nil {
		return nil, err
	}
	if pageSize < 0 {
		var v apperr.Violations
		v.Add("page_size", "must not be negative")
		return nil, v.Err()
	}
	if pageSize == 0 {
		pageSize = 50
	}
	return a.Store.DevMailbox(ctx, to, min(pageSize, 500))
}

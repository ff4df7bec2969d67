package app

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
)

// ResendEmail queues the email of a notification again, as it was, for an
// admin: the same requestID queues one email however often it is asked.
// It returns the new email's id and delivery.
func (a *Service) ResendEmail(ctx context.Context, notificationID, requestID string) (string, domain.Delivery, error) {
	p, err := identity.Require(ctx)
	if err != nil {
		return "", domain.Delivery{}, err
	}
	var v apperr.Violations
	if _, err := uuid.Parse(notificationID); err != nil {
		v.Add("notification_id", "a notification id (a UUID) is required")
	}
	if requestID == "" || len(requestID) > 200 {
		v.Add("request_id", "required (at most 200 characters): a retry with the same request_id sends no second email")
	}
	if err := v.Err(); err != nil {
		return "", domain.Delivery{}, err
	}
	emailID := derivedID("resend", notificationID, requestID)
	d, err := a.Store.Resend(ctx, notificationID, emailID, fmt.Sprintf("resent by %s (request %s)", p.Subject, requestID))
	if err != nil {
		return "", domain.Delivery{}, err
	}
	return emailID, d, nil
}

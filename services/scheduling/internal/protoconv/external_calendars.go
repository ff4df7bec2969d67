package protoconv

import (
	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// ExternalCalendarToProto converts a mentor's external calendar.
func ExternalCalendarToProto(c domain.ExternalCalendar) *schedulingv1.ExternalCalendar {
	return &schedulingv1.ExternalCalendar{
		Id: c.ID, MentorId: c.MentorID, Name: c.Name, Url: c.URL,
		CreateTime: TimeToProto(c.CreatedAt), FetchTime: TimeToProto(c.FetchedAt),
		LastAttemptTime: TimeToProto(c.LastAttemptAt), LastError: c.LastError, BusyPeriods: int32(c.BusyPeriods),
	}
}

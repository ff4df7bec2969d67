package protoconv

import (
	"google.golang.org/protobuf/types/known/durationpb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// MarketplacePolicyToProto converts the marketplace policy for the API and
// its event.
func MarketplacePolicyToProto(m domain.MarketplacePolicy) *bookingv1.MarketplacePolicy {
	b := m.Booking
	d := durationpb.New
	return &bookingv1.MarketplacePolicy{
		Version: m.Version, Etag: m.Etag(), UpdateTime: ts(m.UpdatedAt), UpdatedBy: m.UpdatedBy,
		ApprovalWindow: d(b.ApprovalWindow), ReminderAfter: d(b.ReminderAfter), FreeCancelBefore: d(b.FreeCancelBefore),
		LateMenteeCancellation: lateToProto[b.LateMenteeCancel], MentorMayCancel: b.MentorMayCancel,
		CommissionBps: int32(b.CommissionBps), LateChangeWindow: d(b.LateMentorWindow),
		LateChangeLimit: int32(m.LateChangeLimit), LateChangePeriod: d(m.LateChangePeriod),
		FlagStreak: int32(m.FlagStreak), DeactivateStreak: int32(m.DeactivateStreak),
		SessionReminderBefore: d(b.SessionReminderBefore), AutoCompleteAfter: d(b.AutoCompleteAfter), AfterCare: d(b.AfterCare),
		AutoApprove: b.AutoApprove, AutoApproveBundleBookings: b.AutoApproveBundle,
		IntroLength: d(m.IntroLength), IntroMinNotice: d(m.IntroMinNotice), IntroHorizon: d(m.IntroHorizon),
		IntroMonthlyQuota: int32(m.IntroMonthlyQuota), IntroOnePerMentor: m.IntroOnePerMentor,
	}
}

// ApplyMarketplacePolicy sets on m the fields of in that has names (by their
// proto names); a late-cancellation value it does not know is left for
// Validate to refuse.
func ApplyMarketplacePolicy(m *domain.MarketplacePolicy, in *bookingv1.MarketplacePolicy, has func(field string, given bool) bool) {
	b := &m.Booking
	set := func(field string, v *durationpb.Duration, apply func(*durationpb.Duration)) {
		if has(field, v != nil) {
			apply(v)
		}
	}
	set("approval_window", in.ApprovalWindow, func(v *durationpb.Duration) { b.ApprovalWindow = v.AsDuration() })
	set("reminder_after", in.ReminderAfter, func(v *durationpb.Duration) { b.ReminderAfter = v.AsDuration() })
	set("free_cancel_before", in.FreeCancelBefore, func(v *durationpb.Duration) { b.FreeCancelBefore = v.AsDuration() })
	set("late_change_window", in.LateChangeWindow, func(v *durationpb.Duration) { b.LateMentorWindow = v.AsDuration() })
	set("late_change_period", in.LateChangePeriod, func(v *durationpb.Duration) { m.LateChangePeriod = v.AsDuration() })
	set("session_reminder_before", in.SessionReminderBefore, func(v *durationpb.Duration) { b.SessionReminderBefore = v.AsDuration() })
	set("auto_complete_after", in.AutoCompleteAfter, func(v *durationpb.Duration) { b.AutoCompleteAfter = v.AsDuration() })
	set("after_care", in.AfterCare, func(v *durationpb.Duration) { b.AfterCare = v.AsDuration() })
	set("intro_length", in.IntroLength, func(v *durationpb.Duration) { m.IntroLength = v.AsDuration() })
	set("intro_min_notice", in.IntroMinNotice, func(v *durationpb.Duration) { m.IntroMinNotice = v.AsDuration() })
	set("intro_horizon", in.IntroHorizon, func(v *durationpb.Duration) { m.IntroHorizon = v.AsDuration() })
	if has("late_mentee_cancellation", in.LateMenteeCancellation != bookingv1.LateCancellation_LATE_CANCELLATION_UNSPECIFIED) {
		b.LateMenteeCancel = LateCancellationFromProto(in.GetLateMenteeCancellation())
	}
	if has("mentor_may_cancel", in.GetMentorMayCancel()) {
		b.MentorMayCancel = in.GetMentorMayCancel()
	}
	if has("commission_bps", in.GetCommissionBps() != 0) {
		b.CommissionBps = int(in.GetCommissionBps())
	}
	if has("late_change_limit", in.GetLateChangeLimit() != 0) {
		m.LateChangeLimit = int(in.GetLateChangeLimit())
	}
	if has("flag_streak", in.GetFlagStreak() != 0) {
		m.FlagStreak = int(in.GetFlagStreak())
	}
	if has("deactivate_streak", in.GetDeactivateStreak() != 0) {
		m.DeactivateStreak = int(in.GetDeactivateStreak())
	}
	if has("auto_approve", in.GetAutoApprove()) {
		b.AutoApprove = in.GetAutoApprove()
	}
	if has("auto_approve_bundle_bookings", in.GetAutoApproveBundleBookings()) {
		b.AutoApproveBundle = in.GetAutoApproveBundleBookings()
	}
	if has("intro_monthly_quota", in.GetIntroMonthlyQuota() != 0) {
		m.IntroMonthlyQuota = int(in.GetIntroMonthlyQuota())
	}
	if has("intro_one_per_mentor", in.GetIntroOnePerMentor()) {
		m.IntroOnePerMentor = in.GetIntroOnePerMentor()
	}
}

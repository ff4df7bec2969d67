package domain

// Badge is a distinction earned from figures.
type Badge string

// The badges.
const (
	BadgeHighApprovalRate Badge = "HIGH_APPROVAL_RATE"
	BadgeFastResponder    Badge = "FAST_RESPONDER"
)

// Badges are the badges f earns under p.
func (p Policy) Badges(f MentorFigures) []Badge {
	var b []Badge
	if f.Decided >= p.ApprovalBadgeMinDecided && f.ApprovalRate() >= p.ApprovalBadgeRate {
		b = append(b, BadgeHighApprovalRate)
	}
	if f.Answered >= p.FastBadgeMinAnswered && f.WithinTargetShare() >= p.FastBadgeShare {
		b = append(b, BadgeFastResponder)
	}
	return b
}

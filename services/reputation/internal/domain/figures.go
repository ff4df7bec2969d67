package domain

import "time"

// MentorFigures are a mentor's figures.
type MentorFigures struct {
	Approved, Decided          int64
	Answered                   int64
	MedianResponse, P90        time.Duration
	WithinTarget, DueResponses int64 // answered within target; answered or expired unanswered
	Streak                     int64
	MentorCancellations        int64
	LateCancellations          int64
	LateReschedules            int64
	Completed, NoShows         int64
	RatingSum, Reviews         int64
}

// ApprovalRate is approved / decided, 0 without decisions.
func (f MentorFigures) ApprovalRate() float64 { return ratio(f.Approved, f.Decided) }

// WithinTargetShare is the share of due requests answered within the target.
func (f MentorFigures) WithinTargetShare() float64 { return ratio(f.WithinTarget, f.DueResponses) }

// NoShowRate is no-shows over sessions held or missed.
func (f MentorFigures) NoShowRate() float64 { return ratio(f.NoShows, f.Completed+f.NoShows) }

// AverageRating is the mean rating received, 0 without reviews.
func (f MentorFigures) AverageRating() float64 { return ratio(f.RatingSum, f.Reviews) }

// LateChanges is late cancellations plus late reschedules in the window.
func (f MentorFigures) LateChanges() int64 { return f.LateCancellations + f.LateReschedules }

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

package domain

// RankingScore is the mentor search ranking, 0 to 100:
//
//	100 × (ws·speed + wa·approval + wr·reliability + wg·rating) / (ws+wa+wr+wg)
//
// speed = max(0, 1 − median response / 24 h); approval = approval rate;
// reliability = 1 − mentor cancellations / (mentor cancellations + completed);
// rating = (average rating − 1) / 4. Without data a part counts 0.5 (speed,
// approval, rating) or 1 (reliability: nothing cancelled). A flagged mentor's
// score is multiplied by FlaggedRankFactor; a suspended or deactivated
// mentor scores 0.
func (p Policy) RankingScore(s Standing, f MentorFigures) float64 {
	if !s.Bookable() {
		return 0
	}
	speed, approval, reliability, rating := 0.5, 0.5, 1.0, 0.5
	if f.Answered > 0 {
		speed = max(0, 1-f.MedianResponse.Hours()/24)
	}
	if f.Decided > 0 {
		approval = f.ApprovalRate()
	}
	if n := f.MentorCancellations + f.Completed; n > 0 {
		reliability = 1 - ratio(f.MentorCancellations, n)
	}
	if f.Reviews > 0 {
		rating = (f.AverageRating() - 1) / 4
	}
	w := p.WeightSpeed + p.WeightApproval + p.WeightReliability + p.WeightRating
	score := 100 * (p.WeightSpeed*speed + p.WeightApproval*approval + p.WeightReliability*reliability + p.WeightRating*rating) / w
	if s == StandingFlagged {
		score *= p.FlaggedRankFactor
	}
	return score
}

// Package reputationclient asks the reputation context about a mentee, for the
// mentor's pending view.
package reputationclient

import (
	"context"

	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// History returns app.Lookups.History over api.
func History(api reputationv1.ReputationServiceClient) func(ctx context.Context, menteeID string) (app.MenteeHistory, error) {
	return func(ctx context.Context, menteeID string) (app.MenteeHistory, error) {
		r, err := api.GetMenteeHistory(ctx, &reputationv1.GetMenteeHistoryRequest{MenteeId: menteeID})
		if err != nil {
			return app.MenteeHistory{}, err
		}
		h := r.GetHistory()
		out := app.MenteeHistory{
			PriorSessions:      int(h.GetPriorSessionCount()),
			AverageRatingGiven: h.GetAverageRatingGiven(),
			NoShows:            int(h.GetNoShowCount()),
		}
		// Spend is kept per currency; the view shows the largest.
		for _, m := range h.GetTotalSpend() {
			if m.GetAmountMinor() > out.TotalSpend.Amount {
				out.TotalSpend = domain.Money{Currency: m.GetCurrency(), Amount: m.GetAmountMinor()}
			}
		}
		return out, nil
	}
}

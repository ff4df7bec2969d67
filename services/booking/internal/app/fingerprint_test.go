package app

import (
	"testing"
	"time"

	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// A request's fingerprint is kept by the workflow it started: a retry made
// after an upgrade must hash to the same value. These were computed by the
// first release's code.
func TestFingerprintsDoNotChangeAcrossReleases(t *testing.T) {
	r := domain.Request{MentorID: "mentor-grace", MenteeID: "mentee-ada", OfferingID: "o-1",
		Start: time.Date(2030, 3, 4, 9, 0, 0, 0, time.FixedZone("x", 3600)), Message: "hi",
		IntakeAnswers: map[string]string{"b": "2", "a": "1"}, PartySize: 2, Attendees: []string{"Ann"},
		PaymentMethod: domain.PaymentCard, MenteeName: "Ada", MenteeEmail: "ada@example.com", MenteeTZ: "Europe/Berlin"}
	p := domain.Request{MentorID: "m", MenteeID: "e", OfferingID: "o",
		PreferredStarts: []time.Time{time.Date(2030, 3, 5, 9, 0, 0, 0, time.UTC), time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)}}
	for _, c := range []struct {
		r    domain.Request
		want string
	}{
		{r, "2c22d462dd07fe0a112f787f4badd36f3d9e90418f54ba1537d29fe4a07577cd"},
		{p, "73891582fc970e15007e77e56ebc9cf3f9bc24ff46f402763360086736675acf"},
	} {
		if got := fingerprint(c.r); got != c.want {
			t.Errorf("fingerprint(%+v) = %s, want %s", c.r, got, c.want)
		}
	}
	other := r
	other.Message = "hello"
	if fingerprint(other) == fingerprint(r) {
		t.Error("a different request has the same fingerprint")
	}
}

package render

import (
	"time"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/actionlink"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
)

// Action is one decision an email offers: a button in the HTML, a line in
// the text, each a signed link to a page that asks the reader to confirm.
type Action struct {
	Label string
	URL   string
}

type actionLinks struct {
	signer *actionlink.Signer
	ttl    time.Duration
}

// linkNamespace derives a link's id from the event, the reader and the
// action, so an email rendered again carries the same links.
var linkNamespace = uuid.MustParse("0c6f2b8e-8f0a-4d36-b0f7-2d7e5a4c9b31")

// actions are the links of the decisions in, if it asks its reader for one:
// a request (and its reminder) asks the mentor to approve, reject or suggest
// another time; a proposal asks the side that did not make it to accept or
// decline it.
func (r *Renderer) actions(in Input) ([]Action, error) {
	if r.links == nil || in.Event.OccurredAt.IsZero() {
		return nil, nil
	}
	b, n := in.Event.Booking, in.Notice
	var want []actionlink.Action
	switch domain.Change(n.Kind) {
	case domain.ChangeRequested, domain.ChangeReminder:
		if n.Reader == domain.RoleMentor && b.Status == "PENDING" {
			want = []actionlink.Action{actionlink.Approve, actionlink.Reject, actionlink.Propose}
		}
	case domain.ChangeProposed:
		if b.Proposal != nil && b.Proposal.ProposedBy != n.Reader && (n.Reader == domain.RoleMentor || n.Reader == domain.RoleMentee) {
			want = []actionlink.Action{actionlink.Accept, actionlink.Decline}
		}
	}
	role := actionlink.Mentee
	if n.Reader == domain.RoleMentor {
		role = actionlink.Mentor
	}
	issued := in.Event.OccurredAt.UTC()
	out := make([]Action, 0, len(want))
	for _, a := range want {
		tok, err := r.links.signer.Sign(actionlink.Link{
			ID:        uuid.NewSHA1(linkNamespace, []byte(in.Event.ID+"\x00"+n.UserID+"\x00"+string(a))).String(),
			BookingID: b.ID, UserID: n.UserID, Role: role, Action: a,
			IssuedAt: issued, ExpiresAt: issued.Add(r.links.ttl),
		})
		if err != nil {
			return nil, err
		}
		out = append(out, Action{Label: actionLabels[a], URL: r.baseURL + "/act/" + tok})
	}
	return out, nil
}

var actionLabels = map[actionlink.Action]string{
	actionlink.Approve: "Approve",
	actionlink.Reject:  "Reject",
	actionlink.Propose: "Suggest another time",
	actionlink.Accept:  "Accept",
	actionlink.Decline: "Decline",
}

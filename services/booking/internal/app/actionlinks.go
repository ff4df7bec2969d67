package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bookwell/bookwell/pkg/actionlink"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// ActionLinks carries out the actions of emails' links (docs/product.md,
// deciding from an email): a link names a booking, its recipient and one
// action, and is signed by notifications. Describing a link changes
// nothing; redeeming it runs the booking's own command as the recipient,
// once.
type ActionLinks struct {
	Service *Service
	// Links checks a link's signature and expiry; nil when no verification
	// key is configured (every link is then refused as invalid).
	Links *actionlink.Verifier
	Used  UsedLinks
	Now   func() time.Time
}

// UsedLinks remembers which links acted.
type UsedLinks interface {
	// LinkUsed returns when the link with id acted, and whether it did.
	LinkUsed(ctx context.Context, id string) (time.Time, bool, error)
	// UseLink records that l acted at at; false when it was recorded already.
	UseLink(ctx context.Context, l actionlink.Link, at time.Time) (bool, error)
}

// ErrActionLinkUsed is a link that already acted.
var ErrActionLinkUsed = apperr.New(apperr.KindConflict, "ACTION_LINK_USED",
	"this link was already used; nothing more was done")

// LinkView is what a link would do.
type LinkView struct {
	Link       actionlink.Link
	Booking    *domain.Booking // as the recipient sees it
	Pending    *PendingView    // the mentor's view of a request, if any
	TimeZone   string          // the recipient's
	Actionable bool
}

// Redemption is the recipient's input to a link's action.
type Redemption struct {
	Reason string    // reject
	Start  time.Time // approve (a preferred time), propose
	Note   string    // propose
}

// Describe says what the link token does, without doing it.
func (a *ActionLinks) Describe(ctx context.Context, token string) (LinkView, error) {
	l, err := a.check(ctx, token)
	if err != nil {
		return LinkView{}, err
	}
	ctx, actor := as(ctx, l)
	bk, _, err := a.Service.visible(ctx, l.BookingID)
	if err != nil {
		return LinkView{}, err
	}
	v := LinkView{Link: l, Booking: bk.VisibleTo(actor), Actionable: actionable(bk, actor, l.Action, a.now())}
	snap := bk.Snapshot()
	v.TimeZone = snap.MenteeTZ
	if l.Role == actionlink.Mentor {
		v.TimeZone = snap.MentorTZ
		if bk.Status().Open() {
			v.Pending = a.Service.pendingView(ctx, bk)
		}
	}
	return v, nil
}

// Redeem carries out the link token's action as its recipient, once. The
// command is sent under an idempotency key of the link, so a redemption
// retried after it took effect but before it was recorded gets the first
// answer (and is recorded then), never a second effect.
func (a *ActionLinks) Redeem(ctx context.Context, token string, in Redemption) (actionlink.Link, *domain.Booking, error) {
	l, err := a.check(ctx, token)
	if err != nil {
		return l, nil, err
	}
	ctx, actor := as(ctx, l)
	ctx = WithIdempotencyKey(ctx, "action-link:"+l.ID)
	var b *domain.Booking
	switch l.Action {
	case actionlink.Approve:
		b, err = a.Service.Approve(ctx, l.BookingID, in.Start)
	case actionlink.Reject:
		b, err = a.Service.Reject(ctx, l.BookingID, in.Reason)
	case actionlink.Propose:
		b, err = a.Service.Propose(ctx, l.BookingID, in.Start, in.Note)
	case actionlink.Accept:
		b, err = a.Service.Accept(ctx, l.BookingID)
	case actionlink.Decline:
		b, err = a.Service.Decline(ctx, l.BookingID)
	default:
		err = actionlink.ErrInvalid
	}
	if err != nil {
		return l, nil, err
	}
	fresh, err := a.Used.UseLink(ctx, l, a.now())
	if err != nil {
		return l, nil, err
	}
	if !fresh {
		// Another redemption of the link recorded it first; its command and
		// this one were the same update, carried out once.
		return l, nil, ErrActionLinkUsed
	}
	return l, b.VisibleTo(actor), nil
}

// check verifies the token and refuses a link that acted already.
func (a *ActionLinks) check(ctx context.Context, token string) (actionlink.Link, error) {
	if a.Links == nil {
		return actionlink.Link{}, actionlink.ErrInvalid
	}
	l, err := a.Links.Verify(token, a.now())
	if err != nil {
		return l, err
	}
	at, used, err := a.Used.LinkUsed(ctx, l.ID)
	if err != nil {
		return l, err
	}
	if used {
		return l, apperr.Wrap(ErrActionLinkUsed, "this link was already used, at %s UTC; nothing more was done",
			at.UTC().Format("2006-01-02 15:04"))
	}
	return l, nil
}

// as is ctx acting as the link's recipient.
func as(ctx context.Context, l actionlink.Link) (context.Context, domain.Actor) {
	p := identity.Principal{Subject: l.UserID, Role: identity.RoleMentee}
	a := domain.Actor{ID: l.UserID, Role: domain.RoleMentee}
	if l.Role == actionlink.Mentor {
		p.Role, a.Role = identity.RoleMentor, domain.RoleMentor
	}
	return identity.With(ctx, p), a
}

// actionable reports whether the booking still is where action applies for
// actor: its command's check refuses nothing but missing input.
func actionable(b *domain.Booking, actor domain.Actor, action actionlink.Action, now time.Time) bool {
	var err error
	switch action {
	case actionlink.Approve:
		err = b.CheckApprove(actor, time.Time{})
	case actionlink.Reject:
		err = b.CheckReject(actor, "")
	case actionlink.Propose:
		err = b.CheckPropose(actor, time.Time{}, now)
	case actionlink.Accept, actionlink.Decline:
		err = b.CheckAnswer(actor)
	default:
		err = fmt.Errorf("unknown action %q", action)
	}
	var invalid *apperr.ValidationError
	return err == nil || errors.As(err, &invalid)
}

func (a *ActionLinks) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

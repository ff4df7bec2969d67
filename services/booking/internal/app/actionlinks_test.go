package app_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/actionlink"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// links are the env's action links: signed with a key made for the test,
// checked by the use case against its public half.
type links struct {
	*app.ActionLinks
	signer *actionlink.Signer
}

func (e env) links(t *testing.T, used app.UsedLinks) links {
	t.Helper()
	priv, pub, err := actionlink.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s, _ := actionlink.NewSigner(priv)
	v, _ := actionlink.NewVerifier(pub)
	if used == nil {
		used = e.store
	}
	return links{ActionLinks: &app.ActionLinks{Service: e.app, Links: v, Used: used}, signer: s}
}

func (l links) sign(t *testing.T, bookingID, user string, role actionlink.Role, action actionlink.Action) string {
	t.Helper()
	tok, err := l.signer.Sign(actionlink.Link{ID: uuid.NewString(), BookingID: bookingID, UserID: user, Role: role,
		Action: action, IssuedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Two clicks on Approve at once (a double click, two devices): the booking
// is approved once, one of them is told so and the other that the link was
// used.
func TestALinkRedeemedTwiceAtOnceActsOnce(t *testing.T) {
	e := newEnv(t)
	l := e.links(t, nil)
	id := e.request(t, "r-1").ID()
	tok := l.sign(t, id, "mentor-grace", actionlink.Mentor, actionlink.Approve)

	var wg sync.WaitGroup
	errs := make([]error, 4)
	versions := make([]int64, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, b, err := l.Redeem(context.Background(), tok, app.Redemption{})
			errs[i] = err
			if b != nil {
				versions[i] = b.Version()
			}
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, app.ErrActionLinkUsed):
			t.Errorf("redemption %d: %v; want success or ACTION_LINK_USED", i, err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d redemptions succeeded, want 1: %v", ok, errs)
	}
	b, _, err := e.app.Get(e.mentor, id)
	if err != nil {
		t.Fatal(err)
	}
	if b.Status() != domain.StatusConfirmed {
		t.Fatalf("booking is %s after the link, want CONFIRMED", b.Status())
	}
	if _, _, err := l.Redeem(context.Background(), tok, app.Redemption{}); !errors.Is(err, app.ErrActionLinkUsed) {
		t.Fatalf("a later click: %v, want ACTION_LINK_USED", err)
	}
}

// lossyUsed loses the first record of a used link, as a process that dies
// after the command took effect and before the link was recorded.
type lossyUsed struct {
	app.UsedLinks
	mu   sync.Mutex
	lost bool
}

func (u *lossyUsed) UseLink(ctx context.Context, l actionlink.Link, at time.Time) (bool, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.lost {
		u.lost = true
		return false, errors.New("connection lost")
	}
	return u.UsedLinks.UseLink(ctx, l, at)
}

// The page is reloaded after an error whose command had in fact taken
// effect: the second click gets that command's answer (not WRONG_STATE, and
// not a second rejection), and the link is used from then on.
func TestALinkWhoseUseWasNotRecordedIsAnsweredByTheCommandThatTookEffect(t *testing.T) {
	e := newEnv(t)
	l := e.links(t, &lossyUsed{UsedLinks: e.store})
	id := e.request(t, "r-1").ID()
	tok := l.sign(t, id, "mentor-grace", actionlink.Mentor, actionlink.Reject)

	if _, _, err := l.Redeem(context.Background(), tok, app.Redemption{Reason: "schedule conflict"}); err == nil {
		t.Fatal("the first redemption's record was lost, yet it answered success")
	}
	_, b, err := l.Redeem(context.Background(), tok, app.Redemption{Reason: "schedule conflict"})
	if err != nil {
		t.Fatalf("the click again: %v; want the rejection's answer", err)
	}
	if b.Status() != domain.StatusRejected {
		t.Fatalf("booking is %s, want REJECTED", b.Status())
	}
	first := b.Version()
	if _, _, err := l.Redeem(context.Background(), tok, app.Redemption{Reason: "schedule conflict"}); !errors.Is(err, app.ErrActionLinkUsed) {
		t.Fatalf("a third click: %v, want ACTION_LINK_USED", err)
	}
	now, _, _ := e.app.Get(e.mentor, id)
	if now.Version() != first {
		t.Fatalf("booking moved from v%d to v%d after the link was used", first, now.Version())
	}
}

// A refusal of the command (no reason given) changes nothing and leaves the
// link usable; describing it changes nothing either.
func TestARefusedActionLeavesTheLinkUsable(t *testing.T) {
	e := newEnv(t)
	l := e.links(t, nil)
	id := e.request(t, "r-1").ID()
	tok := l.sign(t, id, "mentor-grace", actionlink.Mentor, actionlink.Reject)

	v, err := l.Describe(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Actionable || v.Booking.Status() != domain.StatusPending || v.TimeZone != "Europe/Berlin" {
		t.Fatalf("described as actionable=%v %s in %q", v.Actionable, v.Booking.Status(), v.TimeZone)
	}
	var invalid *apperr.ValidationError
	if _, _, err := l.Redeem(context.Background(), tok, app.Redemption{}); !errors.As(err, &invalid) {
		t.Fatalf("a rejection without a reason: %v, want a field violation", err)
	}
	if _, _, err := l.Redeem(context.Background(), tok, app.Redemption{Reason: "outside my expertise"}); err != nil {
		t.Fatalf("the link after a refusal: %v", err)
	}
}

// A link whose booking moved on (approved in the console) is described as
// not actionable, and its action is refused as the command refuses it.
func TestALinkForABookingThatMovedOnIsRefusedByTheCommand(t *testing.T) {
	e := newEnv(t)
	l := e.links(t, nil)
	id := e.request(t, "r-1").ID()
	tok := l.sign(t, id, "mentor-grace", actionlink.Mentor, actionlink.Reject)
	if _, err := e.app.Approve(e.mentor, id, time.Time{}); err != nil {
		t.Fatal(err)
	}
	v, err := l.Describe(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if v.Actionable {
		t.Fatal("a rejection link of a confirmed booking is described as actionable")
	}
	if _, _, err := l.Redeem(context.Background(), tok, app.Redemption{Reason: "too late"}); !errors.Is(err, domain.ErrWrongState) {
		t.Fatalf("rejecting a confirmed booking by link: %v, want WRONG_STATE", err)
	}
}

// A link is its recipient's only: one signed for someone who is not a side
// of the booking finds nothing, and one of the mentee cannot approve.
func TestALinkActsOnlyAsASideOfItsBooking(t *testing.T) {
	e := newEnv(t)
	l := e.links(t, nil)
	id := e.request(t, "r-1").ID()
	for name, tok := range map[string]string{
		"another mentor": l.sign(t, id, "mentor-eve", actionlink.Mentor, actionlink.Approve),
		"another mentee": l.sign(t, id, "mentee-eve", actionlink.Mentee, actionlink.Decline),
	} {
		if _, err := l.Describe(context.Background(), tok); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("%s describes: %v, want BOOKING_NOT_FOUND", name, err)
		}
		if _, _, err := l.Redeem(context.Background(), tok, app.Redemption{}); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("%s redeems: %v, want BOOKING_NOT_FOUND", name, err)
		}
	}
	tok := l.sign(t, id, "mentee-ada", actionlink.Mentee, actionlink.Approve)
	if _, _, err := l.Redeem(context.Background(), tok, app.Redemption{}); err == nil {
		t.Fatal("the mentee approved their own request by a link")
	}
	b, _, _ := e.app.Get(e.mentor, id)
	if b.Status() != domain.StatusPending {
		t.Fatalf("booking is %s, want PENDING", b.Status())
	}
}

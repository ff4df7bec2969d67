package workflow

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// Event types the workflow publishes (through the Record activity's outbox);
// events.proto documents each.
const (
	EventRequested           = "booking.requested"
	EventApproved            = "booking.approved"
	EventRejected            = "booking.rejected"
	EventProposed            = "booking.proposed"
	EventRescheduled         = "booking.rescheduled"
	EventProposalDeclined    = "booking.proposal_declined"
	EventReminder            = "booking.reminder"
	EventSessionReminder     = "booking.session_reminder"
	EventExpired             = "booking.expired"
	EventCancelled           = "booking.cancelled"
	EventMarkedPaid          = "booking.marked_paid"
	EventMarkedRefunded      = "booking.refunded"
	EventSessionEnded        = "booking.session_ended"
	EventCompleted           = "booking.completed"
	EventNoShow              = "booking.no_show"
	EventRefunded            = "booking.refunded"
	EventContinuationDecided = "booking.continuation_decided"
	EventMessageSent         = "booking.message_sent"
)

// activityOptions retries infrastructure failures (a database or service that
// is briefly down) with backoff and without limit; application errors are
// non-retryable and end the attempt at once.
var activityOptions = workflow.ActivityOptions{
	// Short, so that a worker that dies mid-activity is noticed soon; every
	// activity is one or two calls to a local service.
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    200 * time.Millisecond,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// localActivityOptions are for Record: retried like the others.
var localActivityOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy:         activityOptions.RetryPolicy,
}

// BookingWorkflow runs one booking from request to outcome. Commands reach it
// as updates whose validators refuse what the booking's state does not allow,
// so the caller gets the new state or a clear error and a refused command
// leaves no trace. Commands run one at a time; every change is saved to the
// read model, with its event, before the update returns. Timers (reminder,
// expiry, session end, auto-completion) come from the booking's policy. An
// ended booking stays open for its after-care window (goodwill refunds, manual
// refunds, an intro's continuation), then the workflow completes.
func BookingWorkflow(ctx workflow.Context, in Input) error {
	w := &bookingWorkflow{b: in.Booking, fingerprint: in.Fingerprint}
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	if err := w.registerHandlers(ctx); err != nil {
		return err
	}

	w.busy = true
	w.createErr = w.request(ctx, in.CardToken)
	w.created, w.busy = true, false
	if w.createErr == nil && w.b.AutoApproves() {
		w.busy = true
		if err := w.approve(ctx, domain.System, time.Time{}); err != nil {
			workflow.GetLogger(ctx).Warn("auto-approval failed; the request stays pending", "err", err)
		}
		w.busy = false
	}

	for w.createErr == nil {
		version := w.b.Version
		changed := func() bool { return w.b.Version != version }
		deadline := w.b.NextDeadline()
		if d := deadline.Sub(workflow.Now(ctx)); d > 0 {
			if ok, err := workflow.AwaitWithTimeout(ctx, d, changed); err != nil {
				return err
			} else if ok {
				continue
			}
		}
		if err := workflow.Await(ctx, func() bool { return !w.busy }); err != nil {
			return err
		}
		if w.b.Version != version {
			continue // a command got in first
		}
		if w.b.Status.Final() {
			break // after-care is over: the booking's story is told
		}
		w.busy = true
		err := w.onDeadline(ctx)
		w.busy = false
		if err != nil {
			return err
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

type bookingWorkflow struct {
	b           domain.Booking
	fingerprint string
	created     bool  // the request was handled (successfully or not)
	createErr   error // why the request could not be booked
	busy        bool  // a command or timer is changing the booking
}

// request holds the slot (or looks up the offering for preferred times),
// authorizes the payment and records the PENDING booking. If the payment
// fails, the hold is released.
func (w *bookingWorkflow) request(ctx workflow.Context, cardToken string) error {
	var a *Activities
	var offering domain.Offering
	if !w.b.Start.IsZero() {
		if err := workflow.ExecuteActivity(ctx, a.HoldSlot, w.b).Get(ctx, &offering); err != nil {
			return err
		}
	} else if err := workflow.ExecuteActivity(ctx, a.LookUpOffering, w.b).Get(ctx, &offering); err != nil {
		return err
	}
	if err := w.b.ApplyOffering(offering); err != nil {
		w.releaseQuietly(ctx)
		return toApplicationError(err)
	}
	var paid PaymentResult
	if err := workflow.ExecuteActivity(ctx, a.AuthorizePayment, w.b, cardToken).Get(ctx, &paid); err != nil {
		w.releaseQuietly(ctx)
		return err
	}
	w.b.Requested(paid.Status)
	return w.record(ctx, EventRequested, domain.Actor{ID: w.b.MenteeID, Role: domain.RoleMentee}, "")
}

func (w *bookingWorkflow) releaseQuietly(ctx workflow.Context) {
	if w.b.Start.IsZero() {
		return
	}
	var a *Activities
	if err := workflow.ExecuteActivity(ctx, a.ReleaseSlot, w.b.ID).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("releasing the slot of a failed request", "err", err)
	}
}

// handler is one command: check is the domain rule (run by the validator and
// again once the command has its turn), apply does the work.
type handler struct {
	check func(b domain.Booking, c Command, now time.Time) error
	apply func(ctx workflow.Context, c Command) error
}

func (w *bookingWorkflow) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryBooking, func() (domain.Booking, error) { return w.b, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCreate,
		func(ctx workflow.Context, c Command) (domain.Booking, error) {
			if err := workflow.Await(ctx, func() bool { return w.created }); err != nil {
				return domain.Booking{}, err
			}
			if w.createErr != nil {
				return domain.Booking{}, w.createErr
			}
			return w.b.VisibleTo(c.Actor), nil
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, c Command) error {
			if c.Fingerprint != w.fingerprint {
				return toApplicationError(domain.ErrRequestReused)
			}
			return nil
		}}); err != nil {
		return err
	}
	hs := w.handlers()
	// Registration order does not touch the history, but keep it fixed anyway.
	for _, name := range slices.Sorted(maps.Keys(hs)) {
		h := hs[name]
		err := workflow.SetUpdateHandlerWithOptions(ctx, name,
			func(ctx workflow.Context, c Command) (domain.Booking, error) {
				ctx = workflow.WithActivityOptions(ctx, activityOptions)
				if err := workflow.Await(ctx, func() bool { return w.created && !w.busy }); err != nil {
					return domain.Booking{}, err
				}
				// The booking may have changed since the validator ran.
				if err := w.ready(c, h, workflow.Now(ctx)); err != nil {
					return domain.Booking{}, err
				}
				w.busy = true
				defer func() { w.busy = false }()
				if err := h.apply(ctx, c); err != nil {
					return domain.Booking{}, err
				}
				return w.b.VisibleTo(c.Actor), nil
			},
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, c Command) error {
				return w.ready(c, h, workflow.Now(ctx))
			}})
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *bookingWorkflow) ready(c Command, h handler, now time.Time) error {
	if w.created && w.createErr != nil {
		return toApplicationError(apperr.Wrap(domain.ErrNotFound, "this request could not be booked: %v", w.createErr))
	}
	if !w.created {
		return nil // the handler waits for the request to be recorded, then checks again
	}
	return toApplicationError(h.check(w.b, c, now))
}

func (w *bookingWorkflow) handlers() map[string]handler {
	mentorAnswer := func(b domain.Booking, c Command, _ time.Time) error { return b.CheckAnswer(c.Actor) }
	return map[string]handler{
		UpdateApprove: {
			check: func(b domain.Booking, c Command, _ time.Time) error { return b.CheckApprove(c.Actor, c.Start) },
			apply: func(ctx workflow.Context, c Command) error { return w.approve(ctx, c.Actor, c.Start) },
		},
		UpdateReject: {
			check: func(b domain.Booking, c Command, _ time.Time) error { return b.CheckReject(c.Actor, c.Reason) },
			apply: func(ctx workflow.Context, c Command) error {
				paid, money, err := w.giveBack(ctx)
				if err != nil {
					return err
				}
				w.b.Reject(c.Actor, c.Reason, paid.Status, money, workflow.Now(ctx))
				w.b.Refunded.Amount = paid.Refunded
				return w.record(ctx, EventRejected, c.Actor, "")
			},
		},
		UpdatePropose: {
			check: func(b domain.Booking, c Command, now time.Time) error { return b.CheckPropose(c.Actor, c.Start, now) },
			apply: func(ctx workflow.Context, c Command) error {
				w.b.Propose(c.Actor, c.Start, c.Note, workflow.Now(ctx))
				return w.record(ctx, EventProposed, c.Actor, c.Note)
			},
		},
		UpdateAccept: {check: mentorAnswer, apply: w.accept},
		UpdateDecline: {
			check: mentorAnswer,
			apply: func(ctx workflow.Context, c Command) error {
				if !w.b.DeclineEnds() {
					w.b.DeclineProposal(c.Actor, w.b.PaymentStatus, "", workflow.Now(ctx))
					return w.record(ctx, EventProposalDeclined, c.Actor, "")
				}
				paid, money, err := w.giveBack(ctx)
				if err != nil {
					return err
				}
				w.b.DeclineProposal(c.Actor, paid.Status, money, workflow.Now(ctx))
				w.b.Refunded.Amount = paid.Refunded
				ev := EventRejected
				if c.Actor.Role == domain.RoleMentee {
					ev = EventCancelled
				}
				return w.record(ctx, ev, c.Actor, "")
			},
		},
		UpdateCancel: {
			check: func(b domain.Booking, c Command, now time.Time) error {
				_, _, err := b.CheckCancel(c.Actor, c.Reason, now)
				return err
			},
			apply: w.cancel,
		},
		UpdateMarkPaid: {
			check: func(b domain.Booking, c Command, _ time.Time) error { return b.CheckMarkPaid(c.Actor) },
			apply: func(ctx workflow.Context, c Command) error {
				var a *Activities
				var paid PaymentResult
				if err := workflow.ExecuteActivity(ctx, a.MarkPaymentPaid, w.b, c.Actor.ID).Get(ctx, &paid); err != nil {
					return err
				}
				w.b.MarkPaid(workflow.Now(ctx))
				return w.record(ctx, EventMarkedPaid, c.Actor, "")
			},
		},
		UpdateMarkRefunded: {
			check: func(b domain.Booking, c Command, _ time.Time) error { return b.CheckMarkRefunded(c.Actor) },
			apply: func(ctx workflow.Context, c Command) error {
				var a *Activities
				var paid PaymentResult
				if err := workflow.ExecuteActivity(ctx, a.MarkPaymentRefunded, w.b, c.Actor.ID).Get(ctx, &paid); err != nil {
					return err
				}
				w.b.MarkRefunded(workflow.Now(ctx))
				return w.record(ctx, EventMarkedRefunded, c.Actor, "")
			},
		},
		UpdateComplete: {
			check: func(b domain.Booking, c Command, now time.Time) error { return b.CheckAttendance(c.Actor, now) },
			apply: func(ctx workflow.Context, c Command) error { return w.complete(ctx, c.Actor, false) },
		},
		UpdateMarkNoShow: {
			check: func(b domain.Booking, c Command, now time.Time) error { return b.CheckAttendance(c.Actor, now) },
			apply: func(ctx workflow.Context, c Command) error { return w.complete(ctx, c.Actor, true) },
		},
		UpdateRefund: {
			check: func(b domain.Booking, c Command, _ time.Time) error { return b.CheckRefund(c.Actor, c.Amount) },
			apply: func(ctx workflow.Context, c Command) error {
				var a *Activities
				var paid PaymentResult
				if err := workflow.ExecuteActivity(ctx, a.RefundPayment, w.b, c.Amount, c.Note).Get(ctx, &paid); err != nil {
					return err
				}
				w.b.Refund(paid.Refunded, paid.Status, workflow.Now(ctx))
				return w.record(ctx, EventRefunded, c.Actor, c.Note)
			},
		},
		UpdateContinuation: {
			check: func(b domain.Booking, c Command, _ time.Time) error {
				return b.CheckContinuation(c.Actor, c.Approve, c.Reason)
			},
			apply: func(ctx workflow.Context, c Command) error {
				w.b.DecideContinuation(c.Approve, c.Reason, workflow.Now(ctx))
				return w.record(ctx, EventContinuationDecided, c.Actor, "")
			},
		},
		UpdateNotes: {
			check: func(b domain.Booking, c Command, _ time.Time) error { return b.CheckNotes(c.Actor, c.Text) },
			apply: func(ctx workflow.Context, c Command) error {
				w.b.SetNotes(c.Text, workflow.Now(ctx))
				return w.record(ctx, "", c.Actor, "")
			},
		},
		UpdateMessage: {
			check: func(b domain.Booking, c Command, _ time.Time) error { return b.CheckMessage(c.Actor, c.Text) },
			apply: func(ctx workflow.Context, c Command) error {
				w.b.Messaged(workflow.Now(ctx))
				return w.record(ctx, EventMessageSent, c.Actor, c.Text)
			},
		},
	}
}

// approve confirms the slot (holding the picked time first for a request with
// preferred times), takes the payment and records the approval.
func (w *bookingWorkflow) approve(ctx workflow.Context, actor domain.Actor, start time.Time) error {
	var a *Activities
	if len(w.b.PreferredStarts) > 0 {
		next := w.b
		next.PickStart(start)
		var o domain.Offering
		if err := workflow.ExecuteActivity(ctx, a.HoldSlot, next).Get(ctx, &o); err != nil {
			return err
		}
		w.b.PickStart(start)
	}
	return w.confirm(ctx, actor, EventApproved)
}

// confirm confirms the held slot, captures a card payment and records ev.
func (w *bookingWorkflow) confirm(ctx workflow.Context, actor domain.Actor, ev string) error {
	var a *Activities
	var c Confirmation
	if err := workflow.ExecuteActivity(ctx, a.ConfirmSlot, w.b).Get(ctx, &c); err != nil {
		return err
	}
	paid := PaymentResult{Status: w.b.PaymentStatus}
	if w.b.PaymentStatus == domain.PaymentStatusAuthorized {
		if err := workflow.ExecuteActivity(ctx, a.CapturePayment, w.b).Get(ctx, &paid); err != nil {
			return err
		}
	}
	if w.b.Proposal != nil {
		w.b.AcceptProposal(paid.Status, c.MeetingURL, c.Calendar, workflow.Now(ctx))
	} else {
		w.b.Approve(paid.Status, c.MeetingURL, c.Calendar, workflow.Now(ctx))
	}
	return w.record(ctx, ev, actor, "")
}

// accept moves the slot to the proposed time, then confirms: a request is
// approved at the new time, an upcoming session rescheduled.
func (w *bookingWorkflow) accept(ctx workflow.Context, c Command) error {
	var a *Activities
	if err := workflow.ExecuteActivity(ctx, a.MoveSlot, w.b, w.b.Proposal.Start).Get(ctx, nil); err != nil {
		return err
	}
	ev := EventApproved
	if w.b.Status.Upcoming() {
		ev = EventRescheduled
	}
	return w.confirm(ctx, c.Actor, ev)
}

// giveBack frees the slot and gives the mentee's money back, for a request
// that ends without a session.
func (w *bookingWorkflow) giveBack(ctx workflow.Context) (PaymentResult, string, error) {
	var a *Activities
	if !w.b.Start.IsZero() {
		if err := workflow.ExecuteActivity(ctx, a.ReleaseSlot, w.b.ID).Get(ctx, nil); err != nil {
			return PaymentResult{}, "", err
		}
	}
	before := w.b.PaymentStatus
	paid := PaymentResult{Status: before, Refunded: w.b.Refunded.Amount}
	if before == domain.PaymentStatusAuthorized || before == domain.PaymentStatusPaid || w.b.PaymentMethod == domain.PaymentBundle {
		if err := workflow.ExecuteActivity(ctx, a.VoidPayment, w.b).Get(ctx, &paid); err != nil {
			return PaymentResult{}, "", err
		}
	}
	return paid, w.moneyBack(before, paid), nil
}

// moneyBack says in words what happened to the mentee's money.
func (w *bookingWorkflow) moneyBack(before domain.PaymentStatus, after PaymentResult) string {
	switch {
	case w.b.PaymentMethod == domain.PaymentNone:
		return "Nothing to pay: the session was free."
	case w.b.PaymentMethod == domain.PaymentBundle:
		return "The bundle credit was returned."
	case before == domain.PaymentStatusAuthorized:
		return "The card hold was released; the mentee was not charged."
	case w.b.PaymentMethod.Manual() && before == domain.PaymentStatusUnpaid:
		return "Nothing was paid."
	case w.b.PaymentMethod.Manual():
		return "The mentor refunds the payment off the platform, then marks it refunded."
	default:
		return fmt.Sprintf("Refunded in full: %s", formatMoney(domain.Money{Currency: w.b.Price.Currency, Amount: after.Refunded}))
	}
}

func (w *bookingWorkflow) cancel(ctx workflow.Context, c Command) error {
	now := workflow.Now(ctx)
	settlement, late, err := w.b.CheckCancel(c.Actor, c.Reason, now)
	if err != nil {
		return toApplicationError(err)
	}
	if settlement == domain.SettleFullRefund {
		paid, money, err := w.giveBack(ctx)
		if err != nil {
			return err
		}
		w.b.Cancel(c.Actor, c.Reason, late, paid.Status, money, workflow.Now(ctx))
		w.b.Refunded.Amount = paid.Refunded
		return w.record(ctx, EventCancelled, c.Actor, "")
	}
	var a *Activities
	if err := workflow.ExecuteActivity(ctx, a.ReleaseSlot, w.b.ID).Get(ctx, nil); err != nil {
		return err
	}
	paid := PaymentResult{Status: w.b.PaymentStatus, Refunded: w.b.Refunded.Amount}
	if w.b.PaymentMethod != domain.PaymentNone {
		if err := workflow.ExecuteActivity(ctx, a.SettleCancellation, w.b, settlement, c.Actor.Role).Get(ctx, &paid); err != nil {
			return err
		}
	}
	w.b.Cancel(c.Actor, c.Reason, late, paid.Status, w.b.LateCancellationMoney(), workflow.Now(ctx))
	w.b.Refunded.Amount = paid.Refunded
	return w.record(ctx, EventCancelled, c.Actor, "")
}

// complete marks the session completed or no-show and makes the payout due.
func (w *bookingWorkflow) complete(ctx workflow.Context, actor domain.Actor, noShow bool) error {
	var a *Activities
	if w.b.PaymentMethod != domain.PaymentNone {
		if err := workflow.ExecuteActivity(ctx, a.ReleasePayout, w.b).Get(ctx, nil); err != nil {
			return err
		}
	}
	now := workflow.Now(ctx)
	if noShow {
		w.b.NoShow(actor, now)
		return w.record(ctx, EventNoShow, actor, "")
	}
	w.b.Complete(actor, now)
	return w.record(ctx, EventCompleted, actor, "")
}

// onDeadline acts on whichever timer is due.
func (w *bookingWorkflow) onDeadline(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	switch {
	case w.b.CheckExpire(now):
		paid, money, err := w.giveBack(ctx)
		if err != nil {
			return err
		}
		w.b.Expire(paid.Status, money, workflow.Now(ctx))
		w.b.Refunded.Amount = paid.Refunded
		return w.record(ctx, EventExpired, domain.System, "")
	case w.b.ReminderDue(now):
		w.b.Remind(now)
		return w.record(ctx, EventReminder, domain.System, "")
	case w.b.SessionReminderDue(now) && !w.b.SessionEnded(now):
		w.b.RemindOfSession(now)
		return w.record(ctx, EventSessionReminder, domain.System, "")
	case w.b.SessionEnded(now):
		w.b.EndSession(now)
		return w.record(ctx, EventSessionEnded, domain.System, "")
	case w.b.AutoCompleteDue(now):
		return w.complete(ctx, domain.System, false)
	}
	return nil
}

// record saves the booking with its event and brings the search attributes up
// to date.
func (w *bookingWorkflow) record(ctx workflow.Context, eventType string, actor domain.Actor, text string) error {
	sa := []temporal.SearchAttributeUpdate{StatusKey.ValueSet(string(w.b.Status))}
	if !w.b.Start.IsZero() {
		sa = append(sa, SessionStartKey.ValueSet(w.b.Start))
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, sa...); err != nil {
		return err
	}
	// A local activity: one transaction on the booking's own database, run by
	// this worker without a round trip through the server. Save is
	// idempotent, so a re-run after a crash records the change once.
	var a *Activities
	ctx = workflow.WithLocalActivityOptions(ctx, localActivityOptions)
	return workflow.ExecuteLocalActivity(ctx, a.Record, RecordInput{Booking: w.b, EventType: eventType, Actor: actor, Text: text}).Get(ctx, nil)
}

func formatMoney(m domain.Money) string {
	return fmt.Sprintf("%d.%02d %s", m.Amount/100, m.Amount%100, m.Currency)
}

package workflow

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/bookwell/bookwell/pkg/apperr"
)

func TestTransientTemporalFailuresAreRetriedAndAnswersAreNot(t *testing.T) {
	calls := 0
	err := retryTransient(context.Background(), func() error {
		calls++
		if calls < 3 {
			return serviceerror.NewInternal("history shard moved")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("after two internal errors: %v, %d calls; want success on the third", err, calls)
	}

	calls = 0
	refused := temporal.NewNonRetryableApplicationError("wrong state", "apperr:3:WRONG_STATE", nil)
	if err := retryTransient(context.Background(), func() error { calls++; return refused }); !errors.Is(err, refused) || calls != 1 {
		t.Fatalf("a workflow's answer was retried: %v after %d calls", err, calls)
	}

	calls = 0
	err = retryTransient(context.Background(), func() error { calls++; return serviceerror.NewUnavailable("down") })
	if calls != 3 || err == nil {
		t.Fatalf("a lasting outage: %v after %d calls; want the error after 3", err, calls)
	}
	// What the caller sees: a retryable busy error, not Temporal's message.
	got := fromClient(err)
	var ae *apperr.Error
	if !errors.Is(got, ErrBusy) || !errors.As(got, &ae) || ae.Message != ErrBusy.Message {
		t.Fatalf("mapped to %v; want BOOKING_BUSY", got)
	}
}

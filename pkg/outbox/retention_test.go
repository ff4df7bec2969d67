package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/outbox"
)

func TestRetentionDeletesOnlyEventsPublishedLongAgo(t *testing.T) {
	ctx := context.Background()
	pool, _ := setup(t)
	old, recent, unpublished, oldUnpublished := event(t, "old"), event(t, "recent"), event(t, "unpublished"), event(t, "old unpublished")
	add(t, pool, old, recent, unpublished, oldUnpublished)
	now := time.Now()
	for _, x := range []struct {
		id        any
		published *time.Time
		created   time.Time
	}{
		{old.ID, ptr(now.Add(-8 * 24 * time.Hour)), now.Add(-8 * 24 * time.Hour)},
		{recent.ID, ptr(now.Add(-time.Hour)), now.Add(-time.Hour)},
		{oldUnpublished.ID, nil, now.Add(-30 * 24 * time.Hour)},
	} {
		if _, err := pool.Exec(ctx, `UPDATE outbox SET published_at = $2, created_at = $3 WHERE id = $1`, x.id, x.published, x.created); err != nil {
			t.Fatal(err)
		}
	}

	n, err := outbox.DeletePublishedBefore(ctx, pool, now.Add(-7*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("deleted %d (%v), want 1", n, err)
	}
	var left []string
	rows, _ := pool.Query(ctx, `SELECT id::text FROM outbox ORDER BY id`)
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		left = append(left, id)
	}
	if len(left) != 3 {
		t.Fatalf("left %v, want the recent, the unpublished and the old unpublished", left)
	}
	for _, id := range left {
		if id == old.ID.String() {
			t.Fatal("the event published 8 days ago is still there")
		}
	}
}

func ptr[T any](v T) *T { return &v }

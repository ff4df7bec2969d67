package cluster_test

import (
	"context"
	"slices"
	"testing"

	"github.com/bookwell/bookwell/deploy/cluster"
)

func TestDNSAnswersWithTheReplicas(t *testing.T) {
	d, err := cluster.StartDNS()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	d.Set("booking", "127.0.0.1", "127.0.0.2")
	r := d.Resolver()
	ctx := context.Background()
	got, err := r.LookupHost(ctx, "booking.bookwell.test")
	slices.Sort(got)
	if err != nil || !slices.Equal(got, []string{"127.0.0.1", "127.0.0.2"}) {
		t.Fatalf("booking: %v %v", got, err)
	}
	d.Remove("booking", "127.0.0.1")
	if got, err := r.LookupHost(ctx, "booking.bookwell.test"); err != nil || !slices.Equal(got, []string{"127.0.0.2"}) {
		t.Fatalf("booking after a replica left: %v %v", got, err)
	}
	if _, err := r.LookupHost(ctx, "nobody.bookwell.test"); err == nil {
		t.Fatal("an unknown name resolved")
	}
}

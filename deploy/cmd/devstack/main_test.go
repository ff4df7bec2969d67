package main

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/bookwell/bookwell/deploy/stack"
)

func TestServicesFlagKeepsStartOrderAndRejectsUnknownNames(t *testing.T) {
	bins, err := pick(stack.Binaries(), "gatewayd, bookingd,booking-worker")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range bins {
		names = append(names, b.Name)
	}
	if want := []string{"bookingd", "booking-worker", "gatewayd"}; !slices.Equal(names, want) {
		t.Errorf("got %v, want %v (start order: the gateway last)", names, want)
	}

	err = run(context.Background(), []string{"-services", "bookingd,bookng-worker"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "bookng-worker") || !strings.Contains(err.Error(), "booking-worker") {
		t.Fatalf("got %v, want an error quoting the list and naming the known binaries", err)
	}
}

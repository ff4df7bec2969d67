// Package meeting creates video meeting links for confirmed sessions: a port
// (Provider) with a default that needs no account (Jitsi Meet) and a Zoom
// adapter using server-to-server OAuth.
package meeting

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"
)

// Request describes the session a meeting is for.
type Request struct {
	BookingID  string
	Topic      string
	Start, End time.Time
}

// Provider creates a meeting and returns the URL participants join.
type Provider interface {
	CreateMeeting(ctx context.Context, r Request) (string, error)
}

// Jitsi makes Jitsi Meet room URLs. Rooms need no account and no API call:
// a room exists when someone joins it, so its name is 128 random bits, which
// nobody can guess.
type Jitsi struct {
	// BaseURL is the Jitsi server; https://meet.jit.si if empty.
	BaseURL string
}

// CreateMeeting returns a new room URL.
func (j Jitsi) CreateMeeting(context.Context, Request) (string, error) {
	base := j.BaseURL
	if base == "" {
		base = "https://meet.jit.si"
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	room := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return strings.TrimRight(base, "/") + "/bookwell-" + room, nil
}

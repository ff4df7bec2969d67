// Package meeting creates video meeting links for confirmed sessions: a port
// (Provider) with a default that needs no account (Jitsi Meet) and a Zoom
// adapter using server-to-server OAuth.
package meeting

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
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

// Config chooses the provider; the environment variables are the ones
// schedulingd reads.
type Config struct {
	// Provider is "jitsi" (no account needed) or "zoom".
	Provider         string `env:"MEETING_PROVIDER" envDefault:"jitsi"`
	JitsiURL         string `env:"JITSI_URL" envDefault:"https://meet.jit.si"`
	ZoomAccountID    string `env:"ZOOM_ACCOUNT_ID"`
	ZoomClientID     string `env:"ZOOM_CLIENT_ID"`
	ZoomClientSecret string `env:"ZOOM_CLIENT_SECRET"`
}

// New returns the provider c names, or an error saying what is missing.
func New(c Config) (Provider, error) {
	switch c.Provider {
	case "jitsi":
		return Jitsi{BaseURL: c.JitsiURL}, nil
	case "zoom":
		if c.ZoomAccountID == "" || c.ZoomClientID == "" || c.ZoomClientSecret == "" {
			return nil, errors.New("MEETING_PROVIDER=zoom needs ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET")
		}
		return &Zoom{AccountID: c.ZoomAccountID, ClientID: c.ZoomClientID, ClientSecret: c.ZoomClientSecret}, nil
	}
	return nil, fmt.Errorf("MEETING_PROVIDER %q: want jitsi or zoom", c.Provider)
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

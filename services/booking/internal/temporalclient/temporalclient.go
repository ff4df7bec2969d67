// Package temporalclient connects the booking processes to Temporal.
package temporalclient

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
)

// Config says where Temporal is.
type Config struct {
	TemporalAddress   string `env:"TEMPORAL_ADDRESS" envDefault:"127.0.0.1:7233"`
	TemporalNamespace string `env:"TEMPORAL_NAMESPACE" envDefault:"default"`
}

// Dial connects, waiting up to 30 seconds for the server to answer.
func Dial(ctx context.Context, c Config, log *slog.Logger) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		tc, err := client.DialContext(ctx, client.Options{
			HostPort:  c.TemporalAddress,
			Namespace: c.TemporalNamespace,
			Logger:    tlog.NewStructuredLogger(log.With("component", "temporal")),
		})
		if err == nil {
			return tc, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect to Temporal at %s: %w", c.TemporalAddress, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// Command gatewayd serves bookwell's REST API.
package main

import (
	"context"
	"time"

	"github.com/bookwell/bookwell/pkg/service"
	"github.com/bookwell/bookwell/services/gateway/internal/gateway"
	"github.com/bookwell/bookwell/services/gateway/internal/idempotency"
)

type config struct {
	service.Config
	Gateway gateway.Config
}

func main() { service.Main("gatewayd", config{}, build) }

func build(ctx context.Context, p *service.Process, c config) error {
	pool, err := p.Postgres(ctx, idempotency.Schema, idempotency.Migrations())
	if err != nil {
		return err
	}
	h, err := gateway.New(ctx, c.Gateway, p.Verifier(), p.Log, pool, p.Transport()...)
	if err != nil {
		return err
	}
	p.HTTP(c.Gateway.HTTPAddr, h)
	p.Go("idempotency key cleanup", func(ctx context.Context) error {
		return c.Gateway.Store(pool).RunCleanup(ctx, time.Hour, p.Log)
	})
	return nil
}

package telemetry

import (
	"context"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
)

// PgxTracer returns the tracer a pool's connections use: a span per query,
// batch, copy and prepare (otelpgx), but only for those made inside a trace,
// so that pollers (the outbox relay, cleanups) start no traces of their own.
func PgxTracer() pgx.QueryTracer {
	return inTraceOnly{otelpgx.NewTracer(otelpgx.WithDisableSQLStatementInAttributes())}
}

// inTraceOnly passes to t what happens in a trace. The end of an operation
// sees the context its start returned: in a trace exactly when the start was.
type inTraceOnly struct{ t *otelpgx.Tracer }

var (
	_ pgx.QueryTracer    = inTraceOnly{}
	_ pgx.BatchTracer    = inTraceOnly{}
	_ pgx.CopyFromTracer = inTraceOnly{}
	_ pgx.PrepareTracer  = inTraceOnly{}
)

func (w inTraceOnly) TraceQueryStart(ctx context.Context, c *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if !InTrace(ctx) {
		return ctx
	}
	return w.t.TraceQueryStart(ctx, c, d)
}

func (w inTraceOnly) TraceQueryEnd(ctx context.Context, c *pgx.Conn, d pgx.TraceQueryEndData) {
	if InTrace(ctx) {
		w.t.TraceQueryEnd(ctx, c, d)
	}
}

func (w inTraceOnly) TraceBatchStart(ctx context.Context, c *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	if !InTrace(ctx) {
		return ctx
	}
	return w.t.TraceBatchStart(ctx, c, d)
}

func (w inTraceOnly) TraceBatchQuery(ctx context.Context, c *pgx.Conn, d pgx.TraceBatchQueryData) {
	if InTrace(ctx) {
		w.t.TraceBatchQuery(ctx, c, d)
	}
}

func (w inTraceOnly) TraceBatchEnd(ctx context.Context, c *pgx.Conn, d pgx.TraceBatchEndData) {
	if InTrace(ctx) {
		w.t.TraceBatchEnd(ctx, c, d)
	}
}

func (w inTraceOnly) TraceCopyFromStart(ctx context.Context, c *pgx.Conn, d pgx.TraceCopyFromStartData) context.Context {
	if !InTrace(ctx) {
		return ctx
	}
	return w.t.TraceCopyFromStart(ctx, c, d)
}

func (w inTraceOnly) TraceCopyFromEnd(ctx context.Context, c *pgx.Conn, d pgx.TraceCopyFromEndData) {
	if InTrace(ctx) {
		w.t.TraceCopyFromEnd(ctx, c, d)
	}
}

func (w inTraceOnly) TracePrepareStart(ctx context.Context, c *pgx.Conn, d pgx.TracePrepareStartData) context.Context {
	if !InTrace(ctx) {
		return ctx
	}
	return w.t.TracePrepareStart(ctx, c, d)
}

func (w inTraceOnly) TracePrepareEnd(ctx context.Context, c *pgx.Conn, d pgx.TracePrepareEndData) {
	if InTrace(ctx) {
		w.t.TracePrepareEnd(ctx, c, d)
	}
}

// Package telemetry sets up what every bookwell process shares for being
// seen from outside: OpenTelemetry tracing (exported over OTLP gRPC when
// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set,
// a no-op otherwise), the W3C trace-context propagation, the carrying of a
// trace through the outbox and NATS (Carrier, Inject, Extract), and a
// Postgres tracer that only records queries made inside a trace.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
)

// Propagator is how a trace crosses a process boundary: W3C traceparent and
// tracestate, and baggage.
var Propagator propagation.TextMapPropagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// Enabled says whether the environment asks for traces to be exported.
func Enabled() bool {
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Setup installs the process's tracer provider and the propagator as the
// global ones. Without an OTLP endpoint in the environment, spans are not
// recorded (the propagator still passes an incoming trace on). The returned
// function flushes the spans not yet exported and stops the exporter. The
// exporter reads the standard OTEL_EXPORTER_OTLP_* variables (an http://
// endpoint is plaintext); OTEL_SERVICE_NAME overrides name.
func Setup(ctx context.Context, name string) (func(), error) {
	otel.SetTextMapPropagator(Propagator)
	if !Enabled() {
		return func() {}, nil
	}
	exp, err := otlptracegrpc.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	if env := os.Getenv("OTEL_SERVICE_NAME"); env != "" {
		name = env
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(semconv.ServiceName(name)))
	if err != nil && !errors.Is(err, resource.ErrPartialResource) && !errors.Is(err, resource.ErrSchemaURLConflict) {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	if res == nil {
		res = resource.NewSchemaless(semconv.ServiceName(name))
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tp.Shutdown(ctx)
	}, nil
}

// Tracer is bookwell's own tracer (the outbox relay, the consumers, the
// booking's commands).
func Tracer() trace.Tracer { return otel.Tracer("github.com/bookwell/bookwell") }

// Carrier is a trace context written down: the propagator's fields
// (traceparent, tracestate, baggage) by name. It is stored with an outbox
// event and sent as NATS message headers.
type Carrier map[string]string

// Inject writes down the trace of ctx; nil when ctx is in no trace.
func Inject(ctx context.Context) Carrier {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return nil
	}
	c := Carrier{}
	Propagator.Inject(ctx, propagation.MapCarrier(c))
	return c
}

// Extract returns ctx continuing the trace written down in c.
func Extract(ctx context.Context, c Carrier) context.Context {
	if len(c) == 0 {
		return ctx
	}
	return Propagator.Extract(ctx, propagation.MapCarrier(c))
}

// InTrace says whether ctx is inside a trace.
func InTrace(ctx context.Context) bool { return trace.SpanContextFromContext(ctx).IsValid() }

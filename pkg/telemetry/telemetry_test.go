package telemetry

import (
	"bytes"
	"context"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/bookwell/bookwell/pkg/logging"
)

func TestCarrierCarriesTheTrace(t *testing.T) {
	if c := Inject(context.Background()); c != nil {
		t.Errorf("outside a trace: %v, want nil", c)
	}
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background()) //nolint:errcheck
	ctx, span := tp.Tracer("test").Start(context.Background(), "change")
	defer span.End()
	c := Inject(ctx)
	if !strings.Contains(c["traceparent"], span.SpanContext().TraceID().String()) {
		t.Fatalf("carrier %v lacks the trace %s", c, span.SpanContext().TraceID())
	}
	got := trace.SpanContextFromContext(Extract(context.Background(), c))
	if got.TraceID() != span.SpanContext().TraceID() || got.SpanID() != span.SpanContext().SpanID() || !got.IsRemote() {
		t.Errorf("extracted %v, want the span %v as a remote parent", got, span.SpanContext())
	}
}

func TestLogLinesCarryTheTrace(t *testing.T) {
	var buf bytes.Buffer
	log := logging.NewWriter(&buf, "test", "text", "info")
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background()) //nolint:errcheck
	ctx, span := tp.Tracer("test").Start(context.Background(), "request")
	log.InfoContext(ctx, "inside")
	span.End()
	log.Info("outside")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "trace_id="+span.SpanContext().TraceID().String()) ||
		!strings.Contains(lines[0], "span_id="+span.SpanContext().SpanID().String()) || strings.Contains(lines[1], "trace_id") {
		t.Errorf("log:\n%s", buf.String())
	}
}

// Package logging builds the structured logger every bookwell process uses.
package logging

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"

	"go.opentelemetry.io/otel/trace"
)

// New returns a logger that tags every record with the service name, and
// each record logged with a context inside a trace with its trace_id and
// span_id (the trace viewer finds them). LOG_FORMAT
// picks "json" (the default) or "text"; LOG_LEVEL picks debug, info (default),
// warn or error.
func New(service string) *slog.Logger {
	return NewWriter(os.Stderr, service, os.Getenv("LOG_FORMAT"), os.Getenv("LOG_LEVEL"))
}

// NewWriter is New writing to w, with the format and level given.
func NewWriter(w io.Writer, service, format, level string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv, ReplaceAttr: redact}
	var h slog.Handler
	if strings.EqualFold(format, "text") {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(traced{h}).With("service", service)
}

// traced adds the trace and span ids of the record's context.
type traced struct{ slog.Handler }

func (t traced) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return t.Handler.Handle(ctx, r)
}

func (t traced) WithAttrs(as []slog.Attr) slog.Handler { return traced{t.Handler.WithAttrs(as)} }
func (t traced) WithGroup(name string) slog.Handler    { return traced{t.Handler.WithGroup(name)} }

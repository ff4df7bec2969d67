// Package logging builds the structured logger every bookwell process uses.
package logging

import (
	"io"
	"log/slog"
	"os"
	"strings"
)

// New returns a logger that tags every record with the service name. LOG_FORMAT
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
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler
	if strings.EqualFold(format, "text") {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(h).With("service", service)
}

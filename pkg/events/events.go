// Package events defines the envelope every bookwell event travels in on NATS
// JetStream, the streams that hold them, and the typed view of the event
// catalog: each context's EventType enum in proto (see catalog.go), which
// producers wrap payloads with (Wrap) and consumers switch on (TypeOf).
//
// An event's type is also its subject ("booking.requested"); its id is the
// JetStream message id (Nats-Msg-Id), so a re-published event is dropped by the
// stream's duplicate window and a redelivered one is recognised by consumers.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Event is one fact that happened in a context.
type Event struct {
	// ID identifies the event; the same fact always has the same id.
	ID uuid.UUID `json:"id"`
	// Type names the fact and is the NATS subject it is published on.
	Type string `json:"type"`
	// Source is the service that published it.
	Source string `json:"source"`
	// OccurredAt is when the fact happened, in UTC.
	OccurredAt time.Time `json:"occurred_at"`
	// Data is the payload: a protobuf message in its JSON form.
	Data json.RawMessage `json:"data"`
}

// New wraps msg in an envelope of type typ (a subject) from source, with no
// check against the catalog. Producers use Wrap with a catalog value; New
// serves tests that publish what no producer would, and the booking workflow
// until it moves to Wrap.
func New(id uuid.UUID, typ, source string, at time.Time, msg proto.Message) (Event, error) {
	data, err := protojson.Marshal(msg)
	if err != nil {
		return Event{}, fmt.Errorf("encode %s: %w", typ, err)
	}
	return Event{ID: id, Type: typ, Source: source, OccurredAt: at.UTC(), Data: data}, nil
}

// ErrMalformed marks a message that is not a valid event envelope.
var ErrMalformed = errors.New("malformed event")

// Parse reads an envelope from a message body.
func Parse(body []byte) (Event, error) {
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if ev.ID == uuid.Nil || ev.Type == "" {
		return Event{}, fmt.Errorf("%w: id and type are required", ErrMalformed)
	}
	return ev, nil
}

// Decode reads the payload into msg, ignoring fields it does not know.
func (e Event) Decode(msg proto.Message) error {
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(e.Data, msg); err != nil {
		return fmt.Errorf("%w: %s payload: %v", ErrMalformed, e.Type, err)
	}
	return nil
}

// Stream is a JetStream stream and the subjects it holds.
type Stream struct {
	Name     string
	Subjects []string
}

// The streams, one per publishing context.
var (
	BookingStream    = Stream{Name: "BOOKING", Subjects: []string{"booking.>"}}
	SchedulingStream = Stream{Name: "SCHEDULING", Subjects: []string{"reservation.>"}}
	PaymentsStream   = Stream{Name: "PAYMENTS", Subjects: []string{"payment.>", "payout.>"}}
	ReputationStream = Stream{Name: "REPUTATION", Subjects: []string{"mentor.>"}}
	DeadLetterStream = Stream{Name: "DEADLETTER", Subjects: []string{"deadletter.>"}}
)

// DuplicateWindow is how long a stream remembers message ids to drop
// re-published events.
const DuplicateWindow = time.Hour

// Limits are a stream's replica count and retention. The zero value is one
// replica and no limit (a development server or a test).
type Limits struct {
	// Replicas is how many servers keep the stream; 3 on a three-node
	// cluster survives the loss of one.
	Replicas int
	// MaxAge drops events older than this; 0 keeps them.
	MaxAge time.Duration
	// MaxBytes drops the oldest events past this size; 0 for no limit.
	MaxBytes int64
}

// Settings gives each stream, by name, its limits.
type Settings func(stream string) Limits

// Of is the limits settings give s (the zero Limits for nil settings).
func (st Settings) Of(s Stream) Limits {
	if st == nil {
		return Limits{}
	}
	return st(s.Name)
}

// Config is the stream's definition with these limits: on disk, with the
// duplicate window that makes re-published events harmless, dropping the
// oldest events at a limit.
func (s Stream) Config(l Limits) jetstream.StreamConfig {
	c := jetstream.StreamConfig{
		Name:       s.Name,
		Subjects:   s.Subjects,
		Storage:    jetstream.FileStorage,
		Duplicates: DuplicateWindow,
		Replicas:   max(l.Replicas, 1),
		MaxAge:     l.MaxAge,
		MaxBytes:   l.MaxBytes,
		Discard:    jetstream.DiscardOld,
	}
	if c.MaxBytes == 0 {
		c.MaxBytes = -1
	}
	return c
}

// Ensure creates the stream with one replica and no limit, or updates it to
// that definition: for development and tests.
func Ensure(ctx context.Context, js jetstream.JetStream, s Stream) (jetstream.Stream, error) {
	return EnsureWith(ctx, js, s, Limits{})
}

// EnsureWith creates the stream, or updates it to its definition with l.
func EnsureWith(ctx context.Context, js jetstream.JetStream, s Stream, l Limits) (jetstream.Stream, error) {
	st, err := js.CreateOrUpdateStream(ctx, s.Config(l))
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", s.Name, err)
	}
	return st, nil
}

// Connect connects a service to NATS (url may list several servers,
// comma-separated), reconnecting for ever after a loss, and returns its
// JetStream context. opts add credentials and TLS. Close the connection when
// done.
func Connect(url, name string, opts ...nats.Option) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(url, append([]nats.Option{nats.Name(name), nats.MaxReconnects(-1)}, opts...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to NATS at %s: %w", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("JetStream: %w", err)
	}
	return nc, js, nil
}

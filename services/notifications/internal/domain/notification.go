package domain

import "time"

// Notification is one item in a user's inbox.
type Notification struct {
	ID        string
	UserID    string
	Kind      string // the event's subject, e.g. "booking.approved"
	BookingID string
	Title     string
	Body      string
	Link      string
	CreatedAt time.Time
	ReadAt    time.Time // zero while unread
	Email     *Delivery // the email sent with it, if any
}

// EmailStatus is where an email stands in delivery.
type EmailStatus string

// The email statuses.
const (
	EmailQueued EmailStatus = "queued"
	EmailSent   EmailStatus = "sent"
	EmailFailed EmailStatus = "failed"
)

// Delivery is the state of one email's delivery.
type Delivery struct {
	To        string
	Status    EmailStatus
	Attempts  int
	LastError string
	SentAt    time.Time
}

// Email is one message to send, with what it needs to be sent again.
type Email struct {
	ID             string
	NotificationID string
	To, ToName     string
	Subject        string
	Text, HTML     string
	Attachments    []Attachment
	Attempt        int // which attempt this is, once claimed for sending
	// Trace is the trace context of the event that queued it (traceparent
	// and the like by name), which its sending continues.
	Trace map[string]string
}

// Attachment is a file sent with an email.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// ThreadMessage is one message on a booking's thread.
type ThreadMessage struct {
	ID         string
	BookingID  string
	AuthorRole Role
	AuthorID   string
	Text       string
	CreatedAt  time.Time
}

// DevMessage is an email the development mailbox received.
type DevMessage struct {
	ID              string
	EmailID         string
	To, Subject     string
	Text, HTML      string
	AttachmentNames []string
	Raw             string
	ReceivedAt      time.Time
}

// Package render turns a notice into what its reader sees: the inbox title
// and text, and the email's subject, plain-text and HTML bodies and
// attachments. Templates live in files under templates/ (embedded); times are
// shown in the reader's time zone.
package render

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/url"
	"path"
	"strings"
	texttemplate "text/template"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/bookwell/bookwell/pkg/actionlink"
	"github.com/bookwell/bookwell/pkg/money"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
)

//go:embed templates
var templateFS embed.FS

// Message is a rendered notification.
type Message struct {
	Title       string // inbox title and email subject
	Summary     string // inbox text
	Link        string // where the front end takes the reader
	Text        string // email, plain text
	HTML        string // email, HTML
	Attachments []domain.Attachment
}

// Renderer holds the parsed templates, one text and one HTML set per kind.
type Renderer struct {
	text    map[string]*texttemplate.Template
	html    map[string]*htmltemplate.Template
	baseURL string
	links   *actionLinks
}

// Option configures a Renderer.
type Option func(*Renderer)

// WithActionLinks has emails that ask for a decision carry signed action
// links (docs/product.md, deciding from an email), valid for ttl after the
// event. Without it they carry none.
func WithActionLinks(s *actionlink.Signer, ttl time.Duration) Option {
	return func(r *Renderer) { r.links = &actionLinks{signer: s, ttl: ttl} }
}

// New parses every template; appBaseURL is the front end links point to.
func New(appBaseURL string, opts ...Option) (*Renderer, error) {
	r := &Renderer{
		text:    map[string]*texttemplate.Template{},
		html:    map[string]*htmltemplate.Template{},
		baseURL: strings.TrimRight(appBaseURL, "/"),
	}
	for _, o := range opts {
		o(r)
	}
	layout, err := htmltemplate.ParseFS(templateFS, "templates/layout.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/*.txt.tmpl")
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	for _, f := range files {
		kind := strings.TrimSuffix(path.Base(f), ".txt.tmpl")
		t, err := texttemplate.New(kind).Funcs(texttemplate.FuncMap(funcs)).ParseFS(templateFS, "templates/common.txt", f)
		if err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		h, err := htmltemplate.Must(layout.Clone()).Funcs(funcs).ParseFS(templateFS, "templates/"+kind+".html.tmpl")
		if err != nil {
			return nil, fmt.Errorf("render: %s has no HTML template: %w", kind, err)
		}
		r.text[kind], r.html[kind] = t, h
	}
	return r, nil
}

var funcs = map[string]any{
	"indent": func(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") },
}

// Input is what a notice is rendered from.
type Input struct {
	Notice domain.Notice
	Event  domain.BookingEvent
	Reader domain.Recipient // who reads it: name and time zone
	Other  domain.Recipient // the other side of the booking
	Amount domain.Money     // the money a payment notice is about
}

// View is what templates see.
type View struct {
	ReaderName, OtherName  string
	ToMentor               bool
	Offering               string
	Start, End             string // in the reader's time zone
	Preferred              []string
	ProposedStart          string
	ProposalNote           string
	Message                string // the mentee's request message
	Intake                 map[string]string
	PartySize              int
	Price, Refunded        string
	AwaitingPayment        bool
	MeetingURL             string
	Google, Yahoo, Outlook string
	Reason, Money          string
	Late                   bool
	CancelledBy            string
	Expires                string
	Continuation           string
	ContinuationReason     string
	Text                   string // a message's body, or a refund's note
	Amount                 string // a payout's or refund's amount
	Link                   string
	Actions                []Action // what the reader can decide from the email
	AutoApproved           bool     // an approval made by the mentor's auto-approval
}

// Render renders one notice.
func (r *Renderer) Render(in Input) (Message, error) {
	t, ok := r.text[in.Notice.Kind]
	if !ok {
		return Message{}, fmt.Errorf("render: no template for %q", in.Notice.Kind)
	}
	v := r.view(in)
	var err error
	if v.Actions, err = r.actions(in); err != nil {
		return Message{}, err
	}
	var m Message
	if m.Title, err = execText(t, "subject", v); err != nil {
		return Message{}, err
	}
	if m.Summary, err = execText(t, "summary", v); err != nil {
		return Message{}, err
	}
	if m.Text, err = execText(t, "body", v); err != nil {
		return Message{}, err
	}
	var html bytes.Buffer
	if err := r.html[in.Notice.Kind].ExecuteTemplate(&html, "layout", v); err != nil {
		return Message{}, fmt.Errorf("render %s: %w", in.Notice.Kind, err)
	}
	m.HTML, m.Link = html.String(), v.Link
	if in.Notice.Calendar {
		data, err := ICS(in.Event.Booking, in.Reader, in.Other, v.Link)
		if err != nil {
			return Message{}, err
		}
		m.Attachments = append(m.Attachments, domain.Attachment{Name: "session.ics", ContentType: "text/calendar", Data: data})
	}
	return m, nil
}

func execText(t *texttemplate.Template, name string, v View) (string, error) {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, v); err != nil {
		return "", fmt.Errorf("render %s/%s: %w", t.Name(), name, err)
	}
	return strings.TrimSpace(b.String()), nil
}

func (r *Renderer) view(in Input) View {
	b := in.Event.Booking
	tz := in.Reader.TimeZone
	v := View{
		ReaderName: in.Reader.Name, OtherName: in.Other.Name,
		ToMentor: in.Notice.Reader == domain.RoleMentor,
		Offering: b.OfferingName, Message: b.Message, Intake: b.IntakeAnswers,
		PartySize: b.PartySize, MeetingURL: b.MeetingURL,
		AwaitingPayment: b.Status == "AWAITING_PAYMENT",
		Reason:          b.Outcome.Reason, Money: b.Outcome.Money, Late: b.Outcome.Late,
		CancelledBy:  string(b.Outcome.EndedBy),
		Continuation: b.Continuation, ContinuationReason: b.ContinuationReason,
		Text: in.Event.Text, AutoApproved: in.Event.AutoApproved,
	}
	if v.Offering == "" {
		v.Offering = "session"
	}
	if !b.Start.IsZero() {
		v.Start, v.End = domain.FormatTime(b.Start, tz), domain.FormatTime(b.End, tz)
	}
	for _, p := range b.PreferredTimes {
		v.Preferred = append(v.Preferred, domain.FormatTime(p, tz))
	}
	if b.Proposal != nil {
		v.ProposedStart, v.ProposalNote = domain.FormatTime(b.Proposal.Start, tz), b.Proposal.Note
	}
	if !b.ExpireTime.IsZero() {
		v.Expires = domain.FormatTime(b.ExpireTime, tz)
	}
	if !b.Price.IsZero() {
		v.Price = formatMoney(b.Price)
	}
	if !b.Refunded.IsZero() {
		v.Refunded = formatMoney(b.Refunded)
	}
	if !in.Amount.IsZero() {
		v.Amount = formatMoney(in.Amount)
	}
	if v.ToMentor {
		v.Link = r.baseURL + "/mentor/bookings/" + url.PathEscape(b.ID)
	} else {
		v.Link = r.baseURL + "/bookings/" + url.PathEscape(b.ID)
	}
	if !b.Start.IsZero() && (in.Notice.Calendar || b.MeetingURL != "") {
		links := CalendarLinks(b, in.Other.Name, v.Link)
		v.Google, v.Yahoo, v.Outlook = links.Google, links.Yahoo, links.Outlook
	}
	return v
}

// formatMoney shows an amount with its currency's decimals: "EUR 45.00",
// "JPY 5,000", "KWD 1.500".
func formatMoney(m domain.Money) string {
	return money.Format(m.Currency, m.AmountMinor)
}

// CalendarLinks are the booking's own add-to-calendar links; any the booking
// lacks are built here from its time, title and meeting link.
func CalendarLinks(b domain.Booking, otherName, link string) domain.CalendarLinks {
	l := b.Calendar
	title := eventTitle(b, otherName)
	details := link
	if b.MeetingURL != "" {
		details = "Join: " + b.MeetingURL + "\n" + link
	}
	const compact = "20060102T150405Z"
	st, et := b.Start.UTC(), b.End.UTC()
	if et.IsZero() || !et.After(st) {
		et = st.Add(time.Hour)
	}
	if l.Google == "" {
		q := url.Values{"action": {"TEMPLATE"}, "text": {title}, "dates": {st.Format(compact) + "/" + et.Format(compact)}, "details": {details}, "location": {b.MeetingURL}}
		l.Google = "https://calendar.google.com/calendar/render?" + q.Encode()
	}
	if l.Yahoo == "" {
		q := url.Values{"v": {"60"}, "title": {title}, "st": {st.Format(compact)}, "et": {et.Format(compact)}, "desc": {details}, "in_loc": {b.MeetingURL}}
		l.Yahoo = "https://calendar.yahoo.com/?" + q.Encode()
	}
	if l.Outlook == "" {
		q := url.Values{"path": {"/calendar/action/compose"}, "rru": {"addevent"}, "subject": {title}, "startdt": {st.Format(time.RFC3339)}, "enddt": {et.Format(time.RFC3339)}, "body": {details}, "location": {b.MeetingURL}}
		l.Outlook = "https://outlook.live.com/calendar/0/deeplink/compose?" + q.Encode()
	}
	return l
}

func eventTitle(b domain.Booking, otherName string) string {
	title := b.OfferingName
	if title == "" {
		title = "Session"
	}
	if otherName != "" {
		title += " with " + otherName
	}
	return title
}

// ICS is the session as an iCalendar file (RFC 5545) for the reader. Its UID
// is the booking's, and its SEQUENCE the booking's version, so a calendar
// replaces the event when the session is rescheduled.
func ICS(b domain.Booking, reader, other domain.Recipient, link string) ([]byte, error) {
	if b.Start.IsZero() {
		return nil, fmt.Errorf("render: calendar file for booking %s without a start", b.ID)
	}
	cal := ics.NewCalendarFor("bookwell")
	cal.SetMethod(ics.MethodPublish)
	ev := cal.AddEvent(b.ID + "@bookwell")
	ev.SetSequence(int(b.Version))
	ev.SetDtStampTime(b.Start.UTC()) // stable: the same booking version renders the same file
	ev.SetStartAt(b.Start.UTC())
	end := b.End
	if !end.After(b.Start) {
		end = b.Start.Add(time.Hour)
	}
	ev.SetEndAt(end.UTC())
	ev.SetSummary(eventTitle(b, other.Name))
	desc := link
	if b.MeetingURL != "" {
		ev.SetLocation(b.MeetingURL)
		ev.SetURL(b.MeetingURL)
		desc = "Join: " + b.MeetingURL + "\n" + link
	}
	ev.SetDescription(desc)
	ev.SetStatus(ics.ObjectStatusConfirmed)
	return []byte(cal.Serialize()), nil
}

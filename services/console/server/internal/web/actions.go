package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
)

// ActionPath is where emails' action links land: /act/<link>. A GET shows
// what the link would do and asks to confirm (so a mail client that fetches
// the link ahead of its reader does nothing); only the form's POST acts. The
// pages are served here, without the app and without a session: the link is
// the credential, and the gateway's action link routes check it.
const ActionPath = "/act/"

//go:embed templates/action.html
var actionFS embed.FS

var actionPage = template.Must(template.ParseFS(actionFS, "templates/action.html"))

// actions serves the action pages, calling the gateway at api.
func actions(api *url.URL, log *slog.Logger) http.Handler {
	a := &actionPages{api: api, log: log, client: &http.Client{Timeout: 30 * time.Second}}
	return http.HandlerFunc(a.serve)
}

type actionPages struct {
	api    *url.URL
	log    *slog.Logger
	client *http.Client
}

// page is what the template shows.
type page struct {
	Nonce      string
	Title      string
	Lead       string   // what the link does, or what happened
	Facts      []fact   // the booking
	Notice     string   // a refusal, or why nothing is left to do
	Form       bool     // ask for confirmation
	Action     string   // approve, reject, propose, accept, decline
	Choices    []choice // approve: the preferred times
	Reason     string   // reject: the text typed so far
	Start      string   // propose: datetime-local
	Note       string   // propose
	Zone       string   // the recipient's time zone
	Button     string
	Error      string // the API's refusal of the last POST
	BookingURL string
}

type fact struct{ Label, Value string }

type choice struct {
	Value, Label string
	Checked      bool
}

// apiError is a google.rpc.Status from the gateway.
type apiError struct {
	HTTPStatus int
	Reason     string
	Message    string
}

func (p *actionPages) serve(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimPrefix(r.URL.Path, ActionPath)
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	view := &bookingv1.DescribeActionLinkResponse{}
	if token == "" || strings.Contains(token, "/") {
		p.render(w, http.StatusNotFound, refused(apiError{Reason: "ACTION_LINK_INVALID", Message: "This address is not a bookwell link."}))
		return
	}
	if aerr, err := p.call(r.Context(), "describe", &bookingv1.DescribeActionLinkRequest{Token: token}, view); err != nil {
		p.fail(w, r, err)
		return
	} else if aerr != nil {
		p.render(w, refusalStatus(*aerr), refused(*aerr))
		return
	}
	pg := p.describe(view)
	if r.Method != http.MethodPost || !view.GetActionable() {
		p.render(w, http.StatusOK, pg)
		return
	}

	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		pg.Error = "The form could not be read; please try again."
		p.render(w, http.StatusBadRequest, pg)
		return
	}
	req := &bookingv1.RedeemActionLinkRequest{Token: token, Reason: r.PostForm.Get("reason"), Note: r.PostForm.Get("note")}
	pg.Reason, pg.Note = req.Reason, req.Note
	switch pg.Action {
	case "approve":
		if v := r.PostForm.Get("start"); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				pg.Error = "Pick one of the times offered."
				p.render(w, http.StatusBadRequest, pg)
				return
			}
			req.StartTime = timestamppb.New(t)
			for i := range pg.Choices {
				pg.Choices[i].Checked = pg.Choices[i].Value == v
			}
		}
	case "propose":
		pg.Start = r.PostForm.Get("start")
		t, err := time.ParseInLocation("2006-01-02T15:04", pg.Start, location(pg.Zone))
		if err != nil {
			pg.Error = "Give a date and a time, such as 2030-01-07 14:30."
			p.render(w, http.StatusBadRequest, pg)
			return
		}
		req.StartTime = timestamppb.New(t)
	}
	done := &bookingv1.RedeemActionLinkResponse{}
	aerr, err := p.call(r.Context(), "redeem", req, done)
	switch {
	case err != nil:
		p.fail(w, r, err)
	case aerr != nil && strings.HasPrefix(aerr.Reason, "ACTION_LINK_"):
		p.render(w, refusalStatus(*aerr), refused(*aerr))
	case aerr != nil:
		// The command refused: nothing changed, and the link still works.
		pg.Error = aerr.Message
		p.render(w, aerr.HTTPStatus, pg)
	default:
		p.render(w, http.StatusOK, p.done(view, done.GetBooking()))
	}
}

// describe is the confirmation page of a link.
func (p *actionPages) describe(v *bookingv1.DescribeActionLinkResponse) page {
	b, zone := v.GetBooking(), v.GetRecipientTimeZone()
	pg := page{Zone: zone, Form: v.GetActionable(), BookingURL: bookingURL(v.GetRecipientRole(), b.GetId())}
	pg.Facts = facts(v)
	with := b.GetMenteeName()
	if v.GetRecipientRole() != bookingv1.Role_ROLE_MENTOR || with == "" {
		with = "your mentor"
		if v.GetRecipientRole() == bookingv1.Role_ROLE_MENTOR {
			with = "your mentee"
		}
	}
	session := b.GetOfferingName()
	if session == "" {
		session = "the session"
	}
	switch v.GetAction() {
	case bookingv1.ActionLinkAction_ACTION_LINK_ACTION_APPROVE:
		pg.Action, pg.Title, pg.Button = "approve", "Approve the request", "Approve"
		pg.Lead = fmt.Sprintf("Approve %s with %s?", session, with)
		for i, t := range b.GetPreferredStartTimes() {
			pg.Choices = append(pg.Choices, choice{Value: t.AsTime().UTC().Format(time.RFC3339), Label: when(t, zone), Checked: i == 0})
		}
		if len(pg.Choices) > 0 {
			pg.Lead = fmt.Sprintf("Approve %s with %s at one of the times they would take?", session, with)
		}
	case bookingv1.ActionLinkAction_ACTION_LINK_ACTION_REJECT:
		pg.Action, pg.Title, pg.Button = "reject", "Reject the request", "Reject"
		pg.Lead = fmt.Sprintf("Reject %s with %s? Your reason is shown to them, and any payment is given back.", session, with)
	case bookingv1.ActionLinkAction_ACTION_LINK_ACTION_PROPOSE:
		pg.Action, pg.Title, pg.Button = "propose", "Suggest another time", "Suggest this time"
		pg.Lead = fmt.Sprintf("Suggest another time for %s with %s; they can accept it, decline it or suggest another.", session, with)
		start := b.GetStartTime()
		if start == nil && len(b.GetPreferredStartTimes()) > 0 {
			start = b.GetPreferredStartTimes()[0]
		}
		if start != nil {
			pg.Start = start.AsTime().In(location(zone)).Format("2006-01-02T15:04")
		}
	case bookingv1.ActionLinkAction_ACTION_LINK_ACTION_ACCEPT:
		pg.Action, pg.Title, pg.Button = "accept", "Accept the new time", "Accept"
		pg.Lead = fmt.Sprintf("Accept %s for %s with %s?", when(b.GetProposal().GetStartTime(), zone), session, with)
	case bookingv1.ActionLinkAction_ACTION_LINK_ACTION_DECLINE:
		pg.Action, pg.Title, pg.Button = "decline", "Decline the new time", "Decline"
		pg.Lead = fmt.Sprintf("Decline %s for %s with %s?", when(b.GetProposal().GetStartTime(), zone), session, with)
		if b.GetStatus() == bookingv1.BookingStatus_BOOKING_STATUS_CONFIRMED {
			pg.Lead += " The session stays at its time."
		} else {
			pg.Lead += " The request then ends, and any payment is given back."
		}
	}
	if !pg.Form {
		pg.Notice = fmt.Sprintf("There is nothing left to decide here: this booking is %s now.", statusWords(b.GetStatus()))
	}
	return pg
}

// done is the page after the action.
func (p *actionPages) done(v *bookingv1.DescribeActionLinkResponse, b *bookingv1.Booking) page {
	zone := v.GetRecipientTimeZone()
	pg := page{BookingURL: bookingURL(v.GetRecipientRole(), b.GetId()), Zone: zone}
	v.Booking = b
	pg.Facts = facts(v)
	switch v.GetAction() {
	case bookingv1.ActionLinkAction_ACTION_LINK_ACTION_APPROVE:
		pg.Title = "Approved"
		pg.Lead = fmt.Sprintf("The session is %s. Both of you get the details, with the meeting and calendar links, by email.", statusWords(b.GetStatus()))
	case bookingv1.ActionLinkAction_ACTION_LINK_ACTION_REJECT:
		pg.Title, pg.Lead = "Rejected", "The request is rejected; your reason was sent, and any payment is given back."
	case bookingv1.ActionLinkAction_ACTION_LINK_ACTION_PROPOSE:
		pg.Title = "Time suggested"
		pg.Lead = fmt.Sprintf("You suggested %s. You will hear when it is answered.", when(b.GetProposal().GetStartTime(), zone))
	case bookingv1.ActionLinkAction_ACTION_LINK_ACTION_ACCEPT:
		pg.Title = "Accepted"
		pg.Lead = fmt.Sprintf("The session is %s, at %s.", statusWords(b.GetStatus()), when(b.GetStartTime(), zone))
	case bookingv1.ActionLinkAction_ACTION_LINK_ACTION_DECLINE:
		pg.Title, pg.Lead = "Declined", fmt.Sprintf("You declined the new time; the booking is %s.", statusWords(b.GetStatus()))
	}
	return pg
}

func facts(v *bookingv1.DescribeActionLinkResponse) []fact {
	b, zone := v.GetBooking(), v.GetRecipientTimeZone()
	out := []fact{{"Session", b.GetOfferingName()}}
	if v.GetRecipientRole() == bookingv1.Role_ROLE_MENTOR && b.GetMenteeName() != "" {
		out = append(out, fact{"With", b.GetMenteeName()})
	}
	if b.GetStartTime() != nil {
		out = append(out, fact{"When", when(b.GetStartTime(), zone)})
	}
	if pr := b.GetProposal(); pr.GetStartTime() != nil {
		out = append(out, fact{"Suggested", when(pr.GetStartTime(), zone)})
		if pr.GetNote() != "" {
			out = append(out, fact{"Their note", pr.GetNote()})
		}
	}
	if b.GetMessage() != "" && v.GetRecipientRole() == bookingv1.Role_ROLE_MENTOR {
		out = append(out, fact{"Their message", b.GetMessage()})
	}
	if pv := v.GetPendingView(); pv != nil && b.GetStartTime() != nil {
		cal := "The time is still free."
		if !pv.GetTimeStillFree() {
			cal = "Conflict: " + pv.GetConflict()
		}
		out = append(out, fact{"Your calendar", cal})
	}
	out = append(out, fact{"Status", statusWords(b.GetStatus())})
	return out
}

// refused is the page of a link that cannot be used.
func refused(e apiError) page {
	pg := page{Title: "This link cannot be used", Notice: e.Message}
	switch e.Reason {
	case "ACTION_LINK_USED":
		pg.Title = "This link was used already"
	case "ACTION_LINK_EXPIRED":
		pg.Title = "This link has expired"
	case "ACTION_LINK_INVALID":
		pg.Title = "This link is not valid"
	}
	pg.Lead = "Nothing was changed. Sign in to bookwell to see the booking."
	return pg
}

// refusalStatus is the page's HTTP status for a link that cannot be used.
func refusalStatus(e apiError) int {
	switch e.Reason {
	case "ACTION_LINK_USED", "ACTION_LINK_EXPIRED":
		return http.StatusGone
	case "ACTION_LINK_INVALID":
		return http.StatusBadRequest
	}
	if e.HTTPStatus >= 400 {
		return e.HTTPStatus
	}
	return http.StatusBadGateway
}

func (p *actionPages) fail(w http.ResponseWriter, r *http.Request, err error) {
	p.log.WarnContext(r.Context(), "action link page: the API could not be reached", "err", err)
	p.render(w, http.StatusBadGateway, page{Title: "Please try again", Notice: "bookwell could not be reached just now; nothing was changed. Reload this page in a moment."})
}

// call POSTs in to the gateway's action link route verb and reads out, or
// the refusal.
func (p *actionPages) call(ctx context.Context, verb string, in, out proto.Message) (*apiError, error) {
	body, err := protojson.Marshal(in)
	if err != nil {
		return nil, err
	}
	u := p.api.JoinPath("/v1/actionLinks:" + verb)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode == http.StatusOK {
		return nil, protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(raw, out)
	}
	var st struct {
		Message string `json:"message"`
		Details []struct {
			Reason          string `json:"reason"`
			FieldViolations []struct {
				Field       string `json:"field"`
				Description string `json:"description"`
			} `json:"fieldViolations"`
		} `json:"details"`
	}
	if err := json.Unmarshal(raw, &st); err != nil || res.StatusCode >= 500 {
		return nil, fmt.Errorf("%s: %d %.200s", verb, res.StatusCode, raw)
	}
	e := &apiError{HTTPStatus: res.StatusCode, Message: st.Message}
	var fields []string
	for _, d := range st.Details {
		if d.Reason != "" {
			e.Reason = d.Reason
		}
		for _, f := range d.FieldViolations {
			fields = append(fields, fieldWords(f.Field)+" "+f.Description+".")
		}
	}
	if len(fields) > 0 {
		e.Message = strings.Join(fields, " ")
	}
	return e, nil
}

// render writes pg with a policy that allows nothing but its own style and
// a form posting to itself; the link in the address is never sent on.
func (p *actionPages) render(w http.ResponseWriter, status int, pg page) {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	pg.Nonce = base64.StdEncoding.EncodeToString(nonce[:])
	var buf bytes.Buffer
	if err := actionPage.Execute(&buf, pg); err != nil {
		p.log.Error("action link page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+pg.Nonce+"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func bookingURL(role bookingv1.Role, id string) string {
	if id == "" {
		return ""
	}
	if role == bookingv1.Role_ROLE_MENTOR {
		return "/mentor/bookings/" + url.PathEscape(id)
	}
	return "/bookings/" + url.PathEscape(id)
}

func location(zone string) *time.Location {
	if loc, err := time.LoadLocation(zone); err == nil && zone != "" {
		return loc
	}
	return time.UTC
}

// when shows t in zone: "Monday 7 January 2030, 09:00 CET (Europe/Berlin)".
func when(t *timestamppb.Timestamp, zone string) string {
	if t == nil {
		return "a time still to be agreed"
	}
	loc := location(zone)
	return t.AsTime().In(loc).Format("Monday 2 January 2006, 15:04 MST") + " (" + loc.String() + ")"
}

func statusWords(s bookingv1.BookingStatus) string {
	w := strings.ToLower(strings.TrimPrefix(s.String(), "BOOKING_STATUS_"))
	return strings.ReplaceAll(w, "_", " ")
}

func fieldWords(f string) string {
	switch f {
	case "reason":
		return "The reason"
	case "start_time", "startTime":
		return "The time"
	}
	return strings.ReplaceAll(f, "_", " ")
}

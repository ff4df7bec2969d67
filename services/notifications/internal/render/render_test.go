package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/bookwell/bookwell/pkg/actionlink"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
)

func approvedInput(reader domain.Role) Input {
	b := domain.Booking{
		ID: "b1", MentorID: "mentor-1", MenteeID: "mentee-1", OfferingName: "Career chat",
		Start: time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC),
		MeetingURL: "https://meet.example/abc", Status: "CONFIRMED", Version: 3,
	}
	in := Input{
		Notice: domain.Notice{Kind: "approved", Reader: reader, Calendar: true},
		Event:  domain.BookingEvent{Subject: "booking.approved", Change: domain.ChangeApproved, Booking: b},
	}
	mentor := domain.Recipient{Name: "Maria", TimeZone: "Europe/Berlin"}
	mentee := domain.Recipient{Name: "Tom", TimeZone: "America/New_York"}
	if reader == domain.RoleMentor {
		in.Reader, in.Other = mentor, mentee
	} else {
		in.Reader, in.Other = mentee, mentor
	}
	return in
}

func TestEveryKindRenders(t *testing.T) {
	r, err := New("https://app.example")
	if err != nil {
		t.Fatal(err)
	}
	for kind := range r.text {
		in := approvedInput(domain.RoleMentee)
		in.Notice.Kind = kind
		in.Event.Text = "hello"
		in.Amount = domain.Money{Currency: "EUR", AmountMinor: 4050}
		m, err := r.Render(in)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if m.Title == "" || m.Summary == "" || m.Text == "" || !strings.Contains(m.HTML, "Hi Tom") {
			t.Errorf("%s: incomplete rendering %+v", kind, m)
		}
		if strings.Contains(m.Text+m.HTML+m.Title, "<no value>") {
			t.Errorf("%s: a field is missing from the view: %s", kind, m.Text)
		}
	}
	if len(r.text) < 15 {
		t.Errorf("only %d templates", len(r.text))
	}
}

func TestApprovedShowsEachReadersTimeZone(t *testing.T) {
	r, err := New("https://app.example")
	if err != nil {
		t.Fatal(err)
	}
	mentee, err := r.Render(approvedInput(domain.RoleMentee))
	if err != nil {
		t.Fatal(err)
	}
	mentor, err := r.Render(approvedInput(domain.RoleMentor))
	if err != nil {
		t.Fatal(err)
	}
	if want := "09:00 EST (America/New_York)"; !strings.Contains(mentee.Text, want) || !strings.Contains(mentee.HTML, want) {
		t.Errorf("mentee sees %q, want %q", mentee.Text, want)
	}
	if want := "15:00 CET (Europe/Berlin)"; !strings.Contains(mentor.Text, want) {
		t.Errorf("mentor sees %q, want %q", mentor.Text, want)
	}
	for _, s := range []string{"calendar.google.com", "calendar.yahoo.com", "outlook.live.com", "https://meet.example/abc", "https://app.example/bookings/b1"} {
		if !strings.Contains(mentee.Text, s) {
			t.Errorf("mentee text lacks %q", s)
		}
	}
	if len(mentee.Attachments) != 1 {
		t.Fatalf("attachments %v", mentee.Attachments)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(mentee.Attachments[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	start, err := evs[0].GetStartAt()
	if err != nil || !start.Equal(time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("start %v %v", start, err)
	}
	if got := evs[0].GetProperty(ics.ComponentPropertySummary).Value; got != "Career chat with Maria" {
		t.Errorf("summary %q", got)
	}
}

func TestEmailsThatAskForADecisionCarrySignedLinksForTheirReaderOnly(t *testing.T) {
	priv, pub, err := actionlink.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := actionlink.NewSigner(priv)
	verifier, _ := actionlink.NewVerifier(pub)
	r, err := New("https://app.example", WithActionLinks(signer, 7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	request := func(kind string, reader domain.Role, status string) Input {
		in := approvedInput(reader)
		in.Notice.Kind, in.Notice.Calendar, in.Notice.UserID = kind, false, "mentor-1"
		if reader == domain.RoleMentee {
			in.Notice.UserID = "mentee-1"
		}
		in.Event.ID, in.Event.OccurredAt, in.Event.Booking.Status = "ev-1", at, status
		return in
	}
	links := func(m Message) map[actionlink.Action]actionlink.Link {
		out := map[actionlink.Action]actionlink.Link{}
		for _, line := range strings.Split(m.Text, "\n") {
			_, u, ok := strings.Cut(line, "https://app.example/act/")
			if !ok {
				continue
			}
			l, err := verifier.Verify(u, at.Add(time.Hour))
			if err != nil {
				t.Fatalf("link %q does not verify: %v", u, err)
			}
			out[l.Action] = l
			if !strings.Contains(m.HTML, `href="https://app.example/act/`+u+`"`) {
				t.Errorf("the HTML lacks the %s button", l.Action)
			}
		}
		return out
	}

	m, err := r.Render(request("requested", domain.RoleMentor, "PENDING"))
	if err != nil {
		t.Fatal(err)
	}
	got := links(m)
	for _, a := range []actionlink.Action{actionlink.Approve, actionlink.Reject, actionlink.Propose} {
		l, ok := got[a]
		if !ok {
			t.Fatalf("the new-request email has no %s link:\n%s", a, m.Text)
		}
		if l.BookingID != "b1" || l.UserID != "mentor-1" || l.Role != actionlink.Mentor || !l.ExpiresAt.Equal(at.Add(7*24*time.Hour)) {
			t.Errorf("%s link: %+v", a, l)
		}
	}
	if len(got) != 3 || got[actionlink.Approve].ID == got[actionlink.Reject].ID {
		t.Errorf("want three links with their own ids, got %+v", got)
	}
	again, _ := r.Render(request("requested", domain.RoleMentor, "PENDING"))
	if again.Text != m.Text {
		t.Error("the same event rendered twice carries other links")
	}
	if got := links(mustRender(t, r, request("reminder", domain.RoleMentor, "PENDING"))); len(got) != 3 {
		t.Errorf("the reminder carries %d links, want 3", len(got))
	}
	if got := links(mustRender(t, r, request("requested", domain.RoleMentor, "CONFIRMED"))); len(got) != 0 {
		t.Errorf("a request already approved carries links: %v", got)
	}

	proposal := func(by, reader domain.Role) Input {
		in := request("proposed", reader, "NEGOTIATING")
		in.Event.Booking.Proposal = &domain.Proposal{Start: at.Add(48 * time.Hour), ProposedBy: by}
		return in
	}
	got = links(mustRender(t, r, proposal(domain.RoleMentor, domain.RoleMentee)))
	if l := got[actionlink.Accept]; len(got) != 2 || l.UserID != "mentee-1" || l.Role != actionlink.Mentee || got[actionlink.Decline].ID == "" {
		t.Errorf("the mentee's proposal email: %+v, want accept and decline for the mentee", got)
	}
	if got := links(mustRender(t, r, proposal(domain.RoleMentor, domain.RoleMentor))); len(got) != 0 {
		t.Errorf("the proposer's own copy carries links: %v", got)
	}
	if got := links(mustRender(t, r, approvedInput(domain.RoleMentee))); len(got) != 0 {
		t.Errorf("an approval carries links: %v", got)
	}
}

func mustRender(t *testing.T, r *Renderer, in Input) Message {
	t.Helper()
	m, err := r.Render(in)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAnAutoApprovedBookingTellsTheMentorOfABookingNotTheirDecision(t *testing.T) {
	r, err := New("https://app.example")
	if err != nil {
		t.Fatal(err)
	}
	in := approvedInput(domain.RoleMentor)
	in.Event.AutoApproved = true
	mentor := mustRender(t, r, in)
	if !strings.HasPrefix(mentor.Title, "New booking: ") || strings.Contains(mentor.Text, "You approved") ||
		!strings.Contains(mentor.Text, "auto-approval is on") || !strings.Contains(mentor.HTML, "auto-approval is on") {
		t.Errorf("mentor's email = %q / %q", mentor.Title, mentor.Text)
	}
	in = approvedInput(domain.RoleMentee)
	in.Event.AutoApproved = true
	mentee := mustRender(t, r, in)
	if !strings.Contains(mentee.Title, "is confirmed") || !strings.Contains(mentee.Text, "https://meet.example/abc") || len(mentee.Attachments) != 1 {
		t.Errorf("mentee's email = %q / %q", mentee.Title, mentee.Text)
	}
}

func TestEmailsShowAmountsWithTheirCurrencysDecimals(t *testing.T) {
	r, err := New("https://app.example")
	if err != nil {
		t.Fatal(err)
	}
	// A JPY price has no decimals: 5000 minor units are 5,000 yen.
	in := approvedInput(domain.RoleMentee)
	in.Event.Booking.Price = domain.Money{Currency: "JPY", AmountMinor: 5000}
	m, err := r.Render(in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "JPY 5,000") || !strings.Contains(m.HTML, "JPY 5,000") || strings.Contains(m.Text, "50.00") {
		t.Errorf("a JPY 5000 price reads:\n%s", m.Text)
	}
	// A KWD refund has three: 1500 fils are 1.500 dinars.
	in = approvedInput(domain.RoleMentee)
	in.Notice.Kind, in.Notice.Calendar = "payment_refunded", false
	in.Amount = domain.Money{Currency: "KWD", AmountMinor: 1500}
	m, err = r.Render(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := "You have been refunded KWD 1.500"; m.Title != want || !strings.Contains(m.Text, "KWD 1.500") || !strings.Contains(m.HTML, "KWD 1.500") {
		t.Errorf("a KWD 1500 refund reads %q:\n%s", m.Title, m.Text)
	}
}

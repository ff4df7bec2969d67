// Package icsfeed reads a mentor's other calendars: it fetches an iCalendar
// feed over HTTP within limits that keep the fetch from being turned against
// the network it runs in (fetch.go), and reads the busy periods out of it
// (this file).
//
// The file is parsed with github.com/arran4/golang-ical (already how
// scheduling writes calendars); recurring events are expanded with
// github.com/teambition/rrule-go, a port of python-dateutil's rrule, the
// most used RFC 5545 recurrence engine in Go (RRULE with COUNT, UNTIL, BY*
// parts and WKST). What neither does is here: times in their TZID's zone
// (an IANA name, or a zone the file defines in a VTIMEZONE, as Outlook's
// "W. Europe Standard Time"), all-day and floating times in the mentor's
// zone, EXDATE and RDATE lists, moved or cancelled occurrences
// (RECURRENCE-ID), cancelled and transparent ("free") events.
package icsfeed

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/teambition/rrule-go"

	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// Limits bound the work one feed may cause.
const (
	// MaxOccurrences is how many occurrences of all recurring events a feed
	// may expand to, before and in the window together.
	MaxOccurrences = 200_000
	// MaxBusyPeriods is how many busy periods a feed may have in the window.
	MaxBusyPeriods = 20_000
)

// ErrMalformed is a feed that is not an iCalendar file bookwell can read.
var ErrMalformed = errors.New("not a readable iCalendar file")

// Parse reads the busy periods of the feed in r that overlap window, merged
// and in time order. floating is the zone of times without one (all-day
// events, floating times): the mentor's.
func Parse(r io.Reader, window domain.Interval, floating *time.Location) ([]domain.Interval, error) {
	cal, err := ics.ParseCalendar(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	p := &parser{window: window, floating: floating, zones: map[string]zone{}}
	for _, c := range cal.Components {
		if tz, ok := c.(*ics.VTimezone); ok {
			p.defineZone(tz)
		}
	}
	events := cal.Events()
	// Occurrences moved or cancelled by another VEVENT of the same UID.
	overridden := map[string][]time.Time{}
	for _, ev := range events {
		rid := prop(&ev.ComponentBase, "RECURRENCE-ID")
		if rid == nil {
			continue
		}
		t, _, err := p.time(rid)
		if err != nil {
			return nil, fmt.Errorf("%w: RECURRENCE-ID of %q: %v", ErrMalformed, ev.Id(), err)
		}
		overridden[ev.Id()] = append(overridden[ev.Id()], t)
	}
	for _, ev := range events {
		if err := p.event(ev, overridden[ev.Id()]); err != nil {
			return nil, fmt.Errorf("%w: event %q: %v", ErrMalformed, ev.Id(), err)
		}
		if len(p.busy) > MaxBusyPeriods {
			return nil, fmt.Errorf("more than %d busy periods in the window", MaxBusyPeriods)
		}
	}
	return domain.MergeIntervals(p.busy), nil
}

type parser struct {
	window   domain.Interval
	floating *time.Location
	zones    map[string]zone // the file's VTIMEZONEs by TZID
	busy     []domain.Interval
	expanded int
}

// event adds the busy periods of one VEVENT.
func (p *parser) event(ev *ics.VEvent, overridden []time.Time) error {
	cb := &ev.ComponentBase
	if v := value(cb, "STATUS"); strings.EqualFold(v, "CANCELLED") {
		return nil
	}
	if v := value(cb, "TRANSP"); strings.EqualFold(v, "TRANSPARENT") {
		return nil // shown as free
	}
	dtstart := prop(cb, "DTSTART")
	if dtstart == nil {
		return errors.New("no DTSTART")
	}
	start, z, err := p.time(dtstart)
	if err != nil {
		return fmt.Errorf("DTSTART: %v", err)
	}
	allDay := isDate(dtstart)
	// The length: DTEND, else DURATION, else a day for a date and nothing
	// (not busy) for a time.
	var days int
	var length time.Duration
	switch end, dur := prop(cb, "DTEND"), prop(cb, "DURATION"); {
	case end != nil:
		t, _, err := p.time(end)
		if err != nil {
			return fmt.Errorf("DTEND: %v", err)
		}
		if allDay {
			days = int(z.wall(t).Sub(z.wall(start)).Round(24*time.Hour) / (24 * time.Hour))
		} else {
			length = t.Sub(start)
		}
	case dur != nil:
		d, nominalDays, err := parseDuration(dur.Value)
		if err != nil {
			return fmt.Errorf("DURATION: %v", err)
		}
		days, length = nominalDays, d
	case allDay:
		days = 1
	}
	span := func(s time.Time) domain.Interval {
		end := s.Add(length)
		if days != 0 {
			end = z.instant(z.wall(s).AddDate(0, 0, days)).Add(length)
		}
		return domain.Interval{Start: s, End: end}
	}

	rules := props(cb, "RRULE")
	rdates, err := p.times(props(cb, "RDATE"))
	if err != nil {
		return fmt.Errorf("RDATE: %v", err)
	}
	if len(rules) == 0 && len(rdates) == 0 {
		p.add(span(start))
		return nil
	}
	excluded := map[int64]bool{}
	exdates, err := p.times(props(cb, "EXDATE"))
	if err != nil {
		return fmt.Errorf("EXDATE: %v", err)
	}
	for _, t := range append(exdates, overridden...) {
		excluded[t.Unix()] = true
	}
	starts := append([]time.Time{start}, rdates...)
	next := func() (time.Time, bool) { return time.Time{}, false }
	if len(rules) > 0 {
		it, err := p.rule(rules[0].Value, start, z)
		if err != nil {
			return fmt.Errorf("RRULE: %v", err)
		}
		next = it
		starts = rdates // DTSTART is the rule's first occurrence
	}
	// The longest an occurrence lasts bounds how early one may start and
	// still reach into the window.
	reach := length + time.Duration(days+1)*24*time.Hour
	for _, s := range starts {
		p.occurrence(span, s, reach, excluded)
	}
	for {
		wall, ok := next()
		if !ok {
			return nil
		}
		if p.expanded++; p.expanded > MaxOccurrences {
			return fmt.Errorf("more than %d occurrences of recurring events", MaxOccurrences)
		}
		s := z.instant(wall)
		if !s.Before(p.window.End) {
			return nil
		}
		p.occurrence(span, s, reach, excluded)
	}
}

func (p *parser) occurrence(span func(time.Time) domain.Interval, s time.Time, reach time.Duration, excluded map[int64]bool) {
	if s.Add(reach).Before(p.window.Start) || !s.Before(p.window.End) || excluded[s.Unix()] {
		return
	}
	p.add(span(s))
}

func (p *parser) add(i domain.Interval) {
	if i.End.After(i.Start) && i.Overlaps(p.window) {
		p.busy = append(p.busy, domain.Interval{Start: i.Start.UTC(), End: i.End.UTC()})
	}
}

// rule iterates the wall times of an RRULE whose first occurrence is start
// in zone z.
func (p *parser) rule(value string, start time.Time, z zone) (func() (time.Time, bool), error) {
	opt, err := rrule.StrToROptionInLocation(value, z.carrier())
	if err != nil {
		return nil, err
	}
	opt.Dtstart = z.wall(start)
	if _, isDefined := z.(definedZone); isDefined && untilInUTC(value) {
		// A zone of the file's own is expanded in wall time: so is UNTIL.
		opt.Until = z.wall(opt.Until)
	}
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, err
	}
	return r.Iterator(), nil
}

// untilInUTC reports whether an RRULE's UNTIL is an instant ("...Z").
func untilInUTC(rule string) bool {
	for _, part := range strings.Split(rule, ";") {
		if k, v, ok := strings.Cut(part, "="); ok && strings.EqualFold(k, "UNTIL") {
			return strings.HasSuffix(strings.ToUpper(v), "Z")
		}
	}
	return false
}

// time reads a DATE or DATE-TIME property as an instant, with the zone its
// recurrences are expanded in.
func (p *parser) time(pr *ics.IANAProperty) (time.Time, zone, error) {
	ts, z, err := p.timeList(pr)
	if err != nil {
		return time.Time{}, nil, err
	}
	if len(ts) != 1 {
		return time.Time{}, nil, fmt.Errorf("want one time, got %q", pr.Value)
	}
	return ts[0], z, nil
}

// times reads every value of list properties (EXDATE, RDATE).
func (p *parser) times(prs []*ics.IANAProperty) ([]time.Time, error) {
	var out []time.Time
	for _, pr := range prs {
		if strings.EqualFold(param(pr, "VALUE"), "PERIOD") {
			continue // a period's start would do, but nobody writes them
		}
		ts, _, err := p.timeList(pr)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}

func (p *parser) timeList(pr *ics.IANAProperty) ([]time.Time, zone, error) {
	z := p.zone(param(pr, "TZID"))
	var out []time.Time
	for _, v := range strings.Split(pr.Value, ",") {
		v = strings.TrimSpace(v)
		var t time.Time
		var err error
		switch {
		case strings.HasSuffix(v, "Z"): // an instant, in UTC
			t, err = time.Parse("20060102T150405Z", v)
			if param(pr, "TZID") == "" {
				z = utc
			}
		case len(v) == 8: // DATE: midnight in the zone
			t, err = time.ParseInLocation("20060102", v, z.carrier())
			t = z.instant(t)
		default: // a wall time in the zone
			t, err = time.ParseInLocation("20060102T150405", v, z.carrier())
			t = z.instant(t)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("bad time %q", v)
		}
		out = append(out, t)
	}
	return out, z, nil
}

// zone is where a TZID's times are read: an IANA zone, a zone the file
// defines, or the floating one (the mentor's) when there is no TZID.
func (p *parser) zone(tzid string) zone {
	tzid = strings.Trim(tzid, `"`)
	if tzid == "" {
		return ianaZone{p.floating}
	}
	if z, ok := p.zones[tzid]; ok {
		return z
	}
	if loc, err := time.LoadLocation(ianaName(tzid)); err == nil {
		return ianaZone{loc}
	}
	return ianaZone{p.floating} // an unknown zone: read as the mentor's
}

// defineZone records a VTIMEZONE: by its IANA name when it is one (or names
// one in X-LIC-LOCATION), else by its own rules.
func (p *parser) defineZone(tz *ics.VTimezone) {
	tzid := strings.Trim(value(&tz.ComponentBase, "TZID"), `"`)
	if tzid == "" {
		return
	}
	for _, name := range []string{tzid, value(&tz.ComponentBase, "X-LIC-LOCATION")} {
		if loc, err := time.LoadLocation(ianaName(name)); err == nil && name != "" {
			p.zones[tzid] = ianaZone{loc}
			return
		}
	}
	var observances []obs
	for _, c := range tz.Components {
		var cb *ics.ComponentBase
		switch o := c.(type) {
		case *ics.Standard:
			cb = &o.ComponentBase
		case *ics.Daylight:
			cb = &o.ComponentBase
		default:
			continue
		}
		if o, err := observance(cb); err == nil {
			observances = append(observances, o)
		}
	}
	if len(observances) > 0 {
		margin := 400 * 24 * time.Hour
		p.zones[tzid] = newDefinedZone(observances, p.window.Start.UTC().Add(-margin), p.window.End.UTC().Add(margin))
	}
}

// ianaName strips the prefixes some producers put before an IANA name
// ("/mozilla.org/20050126_1/Europe/Berlin").
func ianaName(tzid string) string {
	if i := strings.Index(tzid, "/mozilla.org/"); i >= 0 {
		rest := tzid[i+len("/mozilla.org/"):]
		if j := strings.Index(rest, "/"); j >= 0 {
			return rest[j+1:]
		}
	}
	return strings.TrimPrefix(tzid, "/")
}

func prop(cb *ics.ComponentBase, name string) *ics.IANAProperty {
	for i := range cb.Properties {
		if strings.EqualFold(cb.Properties[i].IANAToken, name) {
			return &cb.Properties[i]
		}
	}
	return nil
}

func props(cb *ics.ComponentBase, name string) []*ics.IANAProperty {
	var out []*ics.IANAProperty
	for i := range cb.Properties {
		if strings.EqualFold(cb.Properties[i].IANAToken, name) {
			out = append(out, &cb.Properties[i])
		}
	}
	return out
}

func value(cb *ics.ComponentBase, name string) string {
	if pr := prop(cb, name); pr != nil {
		return strings.TrimSpace(pr.Value)
	}
	return ""
}

func param(pr *ics.IANAProperty, name string) string {
	for k, v := range pr.ICalParameters {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func isDate(pr *ics.IANAProperty) bool {
	return strings.EqualFold(param(pr, "VALUE"), "DATE") || len(strings.TrimSpace(pr.Value)) == 8
}

// parseDuration reads an RFC 5545 duration ("PT1H30M", "P1D", "P2W"):
// the exact part, and the nominal days (which follow the wall clock).
func parseDuration(s string) (exact time.Duration, days int, err error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return 0, 0, fmt.Errorf("bad duration %q", s)
	}
	inTime := false
	num := ""
	for _, r := range s[1:] {
		switch {
		case r >= '0' && r <= '9':
			num += string(r)
			continue
		case r == 'T':
			inTime = true
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			return 0, 0, fmt.Errorf("bad duration %q", s)
		}
		num = ""
		switch {
		case r == 'W' && !inTime:
			days += 7 * n
		case r == 'D' && !inTime:
			days += n
		case r == 'H' && inTime:
			exact += time.Duration(n) * time.Hour
		case r == 'M' && inTime:
			exact += time.Duration(n) * time.Minute
		case r == 'S' && inTime:
			exact += time.Duration(n) * time.Second
		default:
			return 0, 0, fmt.Errorf("bad duration %q", s)
		}
	}
	if num != "" {
		return 0, 0, fmt.Errorf("bad duration %q", s)
	}
	if neg {
		return -exact, -days, nil
	}
	return exact, days, nil
}

// ---- zones

// zone turns wall times (carried as times in carrier()) into instants and
// back. An IANA zone carries wall times as itself; a zone a file defines
// carries them as UTC wall times and applies its offsets.
type zone interface {
	carrier() *time.Location
	instant(wall time.Time) time.Time
	wall(instant time.Time) time.Time
}

var utc = ianaZone{time.UTC}

type ianaZone struct{ loc *time.Location }

func (z ianaZone) carrier() *time.Location { return z.loc }
func (z ianaZone) instant(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, z.loc)
}
func (z ianaZone) wall(t time.Time) time.Time { return t.In(z.loc) }

// definedZone is a VTIMEZONE's rules: each observance (STANDARD, DAYLIGHT)
// starts at its DTSTART and recurs by its RRULE or RDATEs, and sets the
// offset from UTC to its TZOFFSETTO. The changes around the window are
// worked out once (Outlook's rules start in 1601).
type definedZone struct {
	observances []obs
	lo, hi      time.Time     // wall times the changes are known between
	base        time.Duration // the offset at lo
	changes     []change      // in time order
}

type change struct {
	at time.Time // wall time, carried as UTC
	to time.Duration
}

// newDefinedZone works out z's changes between lo and hi.
func newDefinedZone(observances []obs, lo, hi time.Time) definedZone {
	z := definedZone{observances: observances, lo: lo, hi: hi}
	z.base = z.slowOffsetAt(lo)
	for _, o := range observances {
		var at []time.Time
		if r := o.ruleFrom(lo.Year()); r != nil {
			at = r.Between(lo, hi, true)
		}
		for _, t := range append(o.rdates, o.start) {
			if !t.Before(lo) && !t.After(hi) {
				at = append(at, t)
			}
		}
		for _, t := range at {
			z.changes = append(z.changes, change{at: t, to: o.to})
		}
	}
	slices.SortFunc(z.changes, func(a, b change) int { return a.at.Compare(b.at) })
	return z
}

// offsetAt is the offset in force at the wall time w.
func (z definedZone) offsetAt(w time.Time) time.Duration {
	if w.Before(z.lo) || w.After(z.hi) {
		return z.slowOffsetAt(w)
	}
	i, _ := slices.BinarySearchFunc(z.changes, w, func(c change, t time.Time) int {
		if c.at.After(t) {
			return 1
		}
		return -1
	})
	if i == 0 {
		return z.base
	}
	return z.changes[i-1].to
}

type obs struct {
	start    time.Time      // wall time, carried as UTC
	rule     *rrule.ROption // nil without an RRULE
	rdates   []time.Time
	from, to time.Duration
}

// ruleFrom is o's rule starting no earlier than the year before year:
// rrule-go cannot step over three centuries (its durations overflow), and
// zone rules start as early as 1601. Yearly rules are the same from any
// year on.
func (o obs) ruleFrom(year int) *rrule.RRule {
	if o.rule == nil {
		return nil
	}
	opt := *o.rule
	opt.Dtstart = o.start
	if o.start.Year() < year-1 {
		opt.Dtstart = time.Date(year-1, o.start.Month(), o.start.Day(), o.start.Hour(), o.start.Minute(), o.start.Second(), 0, time.UTC)
	}
	r, err := rrule.NewRRule(opt)
	if err != nil {
		return nil
	}
	return r
}

func observance(cb *ics.ComponentBase) (obs, error) {
	var o obs
	var err error
	if o.start, err = time.Parse("20060102T150405", value(cb, "DTSTART")); err != nil {
		return o, err
	}
	if o.from, err = offset(value(cb, "TZOFFSETFROM")); err != nil {
		return o, err
	}
	if o.to, err = offset(value(cb, "TZOFFSETTO")); err != nil {
		return o, err
	}
	if rr := value(cb, "RRULE"); rr != "" {
		if o.rule, err = rrule.StrToROptionInLocation(rr, time.UTC); err != nil {
			return o, err
		}
		o.rule.Dtstart = o.start
		if _, err := rrule.NewRRule(*o.rule); err != nil {
			return o, err
		}
	}
	for _, pr := range props(cb, "RDATE") {
		for _, v := range strings.Split(pr.Value, ",") {
			if t, err := time.Parse("20060102T150405", strings.TrimSpace(v)); err == nil {
				o.rdates = append(o.rdates, t)
			}
		}
	}
	return o, nil
}

// offset reads "+0100", "-0500" or "+053000".
func offset(s string) (time.Duration, error) {
	if len(s) != 5 && len(s) != 7 || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("bad offset %q", s)
	}
	h, err1 := strconv.Atoi(s[1:3])
	m, err2 := strconv.Atoi(s[3:5])
	sec := 0
	var err3 error
	if len(s) == 7 {
		sec, err3 = strconv.Atoi(s[5:7])
	}
	if err := errors.Join(err1, err2, err3); err != nil {
		return 0, fmt.Errorf("bad offset %q", s)
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second
	if s[0] == '-' {
		d = -d
	}
	return d, nil
}

// slowOffsetAt is the offset in force at the wall time w: the TZOFFSETTO of
// the observance that began last before it.
func (z definedZone) slowOffsetAt(w time.Time) time.Duration {
	var best time.Time
	off, found := time.Duration(0), false
	for _, o := range z.observances {
		onset := time.Time{}
		if !o.start.After(w) {
			onset = o.start
		}
		if r := o.ruleFrom(w.Year()); r != nil {
			if t := r.Before(w, true); !t.IsZero() {
				onset = t
			}
		}
		for _, t := range o.rdates {
			if !t.After(w) && t.After(onset) {
				onset = t
			}
		}
		if !onset.IsZero() && (!found || onset.After(best)) {
			best, off, found = onset, o.to, true
		}
	}
	if !found { // before every observance: the earliest one's offset before it
		first := slices.MinFunc(z.observances, func(a, b obs) int { return a.start.Compare(b.start) })
		return first.from
	}
	return off
}

func (z definedZone) carrier() *time.Location { return time.UTC }
func (z definedZone) instant(w time.Time) time.Time {
	w = time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, time.UTC)
	return w.Add(-z.offsetAt(w))
}
func (z definedZone) wall(t time.Time) time.Time {
	t = t.UTC()
	// The offset at the wall time the instant reads as with the offset in
	// force a day before: right but within a changeover's hour.
	guess := t.Add(z.offsetAt(t))
	return t.Add(z.offsetAt(guess))
}

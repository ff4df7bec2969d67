package icsfeed

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// BenchmarkParseABusyFeed reads a busy person's feed over the 180 days
// that count: 200 weekly meetings (each with an exception) in an Outlook
// zone the file defines, and 1,000 single events.
func BenchmarkParseABusyFeed(b *testing.B) {
	var f bytes.Buffer
	f.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:bench\r\n")
	f.WriteString("BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n" +
		"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n" +
		"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n")
	start := time.Date(2029, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := range 200 {
		s := start.Add(time.Duration(i) * 37 * time.Minute)
		fmt.Fprintf(&f, "BEGIN:VEVENT\r\nUID:w%d\r\nDTSTAMP:20290101T000000Z\r\nDTSTART;TZID=W. Europe Standard Time:%s\r\nDTEND;TZID=W. Europe Standard Time:%s\r\n"+
			"RRULE:FREQ=WEEKLY\r\nEXDATE;TZID=W. Europe Standard Time:%s\r\nEND:VEVENT\r\n",
			i, s.Format("20060102T150405"), s.Add(30*time.Minute).Format("20060102T150405"), s.AddDate(0, 0, 7*70).Format("20060102T150405"))
	}
	for i := range 1000 {
		s := time.Date(2030, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 4 * time.Hour)
		fmt.Fprintf(&f, "BEGIN:VEVENT\r\nUID:s%d\r\nDTSTAMP:20290101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nEND:VEVENT\r\n",
			i, s.Format("20060102T150405Z"), s.Add(time.Hour).Format("20060102T150405Z"))
	}
	f.WriteString("END:VCALENDAR\r\n")
	window := domain.Interval{Start: time.Date(2030, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2030, 8, 28, 0, 0, 0, 0, time.UTC)}
	b.SetBytes(int64(f.Len()))
	b.ReportAllocs()
	for b.Loop() {
		busy, err := Parse(bytes.NewReader(f.Bytes()), window, berlin)
		if err != nil || len(busy) == 0 {
			b.Fatal(err)
		}
	}
}

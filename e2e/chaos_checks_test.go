package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.temporal.io/sdk/converter"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/identity"
)

// ---- quiescence ----

// quiesce waits until nothing is left to do: every outbox relayed, every
// email sent, every consumer caught up, twice in a row.
func (w *chaosWorld) quiesce(ctx context.Context, within time.Duration) error {
	deadline := time.Now().Add(within)
	quietOnce := false
	var last string
	for time.Now().Before(deadline) {
		busy, err := w.busy(ctx)
		switch {
		case err != nil:
			last, quietOnce = err.Error(), false
		case busy == "":
			if quietOnce {
				return nil
			}
			quietOnce = true
		default:
			last, quietOnce = busy, false
		}
		time.Sleep(time.Second)
	}
	return fmt.Errorf("still busy after %s: %s", within, last)
}

// busy says what is still to be done, "" if nothing.
func (w *chaosWorld) busy(ctx context.Context) (string, error) { return stackBusy(ctx, w.db, w.js) }

// ---- invariants ----

type invariant struct {
	name     string
	n        int
	examples []string
}

type invariants struct {
	counts []*invariant
	// contradicting answers, by the fault the call met (or "none")
	contradicting map[*call]bool
}

func (inv *invariants) add(name string, example string) {
	for _, c := range inv.counts {
		if c.name == name {
			c.n++
			if len(c.examples) < 5 {
				c.examples = append(c.examples, example)
			}
			return
		}
	}
	panic("unknown invariant " + name)
}

const (
	invLost          = "lost"
	invStuck         = "stuck"
	invMoney         = "money"
	invDouble        = "double effects"
	invOverbooking   = "overbooking"
	invMissingEvents = "missing events"
	invContradicting = "contradicting answers"
	invUnanswered    = "unanswered calls"
)

// bookingFacts is what each part of the system says about one booking.
type bookingFacts struct {
	api, readModel, workflow, reputation string
	pendingActivities                    int
	captured, refunded                   int64
	captures                             int
	eventTypes                           []string
}

func (w *chaosWorld) check(ctx context.Context, t *testing.T, journeys []*journey, tokens func(string, identity.Role) string) *invariants {
	t.Helper()
	inv := &invariants{contradicting: map[*call]bool{}}
	for _, name := range []string{invLost, invStuck, invMoney, invDouble, invOverbooking, invMissingEvents, invContradicting, invUnanswered} {
		inv.counts = append(inv.counts, &invariant{name: name})
	}
	admin := w.admin(t, tokens)
	facts := map[string]*bookingFacts{}
	for _, j := range journeys {
		if j.id != "" {
			facts[j.id] = &bookingFacts{}
		}
	}

	// What the API, the read model, the workflow, reputation and payments say.
	for id, f := range facts {
		r := admin.call("GET", "/v1/bookings/"+id, nil)
		if r.status == 200 {
			f.api = trimStatus(str(r.body, "booking.status"))
		} else {
			f.api = fmt.Sprintf("HTTP %d", r.status)
		}
	}
	scanStatuses := func(query string, set func(*bookingFacts, string)) {
		rows, err := w.db.Query(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, s string
			if err := rows.Scan(&id, &s); err != nil {
				t.Fatal(err)
			}
			if f := facts[id]; f != nil {
				set(f, trimStatus(s))
			}
		}
	}
	scanStatuses(`SELECT id::text, status FROM booking.bookings`, func(f *bookingFacts, s string) { f.readModel = s })
	scanStatuses(`SELECT booking_id, status FROM reputation.bookings`, func(f *bookingFacts, s string) { f.reputation = s })
	for id, f := range facts {
		// An activity may still be on its way after the last restart: give
		// it a minute before calling it stuck.
		for try := 0; ; try++ {
			d, err := w.tc.DescribeWorkflowExecution(ctx, "booking-"+id, "")
			if err != nil {
				f.workflow = "describe: " + err.Error()
				break
			}
			if p := d.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()["BookingStatus"]; p != nil {
				var s string
				_ = converter.GetDefaultDataConverter().FromPayload(p, &s)
				f.workflow = trimStatus(s)
			}
			f.pendingActivities = len(d.GetPendingActivities())
			if f.pendingActivities == 0 || try >= 12 {
				break
			}
			time.Sleep(5 * time.Second)
		}
	}
	rows, err := w.db.Query(ctx, `SELECT p.booking_id, p.captured, p.refunded,
		(SELECT count(*) FROM payments.ledger_transactions lt WHERE lt.ref = p.booking_id AND lt.kind = 'capture')
		FROM payments.payments p`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var captured, refunded int64
		var captures int
		if err := rows.Scan(&id, &captured, &refunded, &captures); err != nil {
			t.Fatal(err)
		}
		if f := facts[id]; f != nil {
			f.captured, f.refunded, f.captures = captured, refunded, captures
		}
	}
	rows.Close()

	// The events on the BOOKING stream, by booking.
	bookingEvents, err := w.streamEvents(ctx, events.BookingStream.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range bookingEvents {
		var data struct {
			Booking struct {
				ID string `json:"id"`
			} `json:"booking"`
		}
		_ = json.Unmarshal(ev.Data, &data)
		if f := facts[data.Booking.ID]; f != nil {
			f.eventTypes = append(f.eventTypes, ev.Type)
		}
	}

	for _, j := range journeys {
		// Unanswered: a well-behaved client retried for its whole budget
		// and never got an answer other than "try again".
		for _, c := range j.calls {
			if c.status == 0 || c.status >= 500 {
				last := "no answer"
				if len(c.failures) > 0 {
					last = c.failures[len(c.failures)-1].what
				}
				inv.add(invUnanswered, fmt.Sprintf("booking %d %s: %d attempts over %ss, the last %s", j.i, c.op, len(c.failures),
					secs(c.end.Sub(c.start)), last))
			}
		}
		if j.id == "" {
			// The create never got a 200: there must be no booking, unless
			// the client gave up on it (then either is right).
			if c := j.calls[0]; c.status != 0 && w.menteeHasBooking(admin, j) {
				inv.contradicting[&j.calls[0]] = true
				inv.add(invContradicting, fmt.Sprintf("booking %d create answered %d %s, but the booking exists", j.i, c.status, c.reason))
			}
			continue
		}
		f := facts[j.id]
		// Which commands took effect: those answered 200, and those whose
		// effect shows although the client was told otherwise (a
		// contradicting answer) or never heard (it gave up).
		want, approved := "PENDING", false
		wantEvents := map[string]int{"booking.requested": 1}
		for k := 1; k < len(j.calls); k++ {
			c := &j.calls[k]
			took := c.ok() || applied(c.op, f.api)
			if !c.ok() && c.status != 0 && took {
				inv.contradicting[c] = true
				inv.add(invContradicting, fmt.Sprintf("booking %d %s answered %d %s, but it took effect", j.i, c.op, c.status, c.reason))
			}
			if took {
				want = map[string]string{"approve": "CONFIRMED", "reject": "REJECTED", "cancel": "CANCELLED"}[c.op]
				approved = approved || c.op == "approve"
				wantEvents["booking."+map[string]string{"approve": "approved", "reject": "rejected", "cancel": "cancelled"}[c.op]]++
			}
		}
		ex := fmt.Sprintf("booking %d (%s, %s): client %s, API %s, read model %s, workflow %s, reputation %s",
			j.i, j.id, j.kind, want, f.api, f.readModel, f.workflow, f.reputation)
		// Lost: every view agrees with the commands that took effect, and
		// so with every 200 the client got.
		if f.api != want || f.readModel != want || f.workflow != want {
			inv.add(invLost, ex)
		}
		// Stuck: work still in flight after everything settled.
		if f.pendingActivities > 0 {
			inv.add(invStuck, fmt.Sprintf("%s: %d activities still pending", ex, f.pendingActivities))
		}
		// Money: captured on approval, refunded in full on a cancellation
		// three days ahead, nothing otherwise.
		wantCaptured, wantRefunded := int64(0), int64(0)
		if approved {
			wantCaptured = 5000
			if want == "CANCELLED" {
				wantRefunded = 5000
			}
		}
		if f.captured != wantCaptured || f.refunded != wantRefunded || f.captures > 1 {
			inv.add(invMoney, fmt.Sprintf("booking %d (%s) %s: captured %d refunded %d in %d captures; want %d and %d",
				j.i, j.id, want, f.captured, f.refunded, f.captures, wantCaptured, wantRefunded))
		}
		// Missing events and events published twice: the BOOKING stream
		// holds one event per step the client was told happened, and the
		// consumers' projection (reputation) agrees.
		got := map[string]int{}
		for _, typ := range f.eventTypes {
			got[typ]++
		}
		for typ, n := range wantEvents {
			if got[typ] < n {
				inv.add(invMissingEvents, fmt.Sprintf("booking %d (%s): %s missing from the stream (has %v)", j.i, j.id, typ, f.eventTypes))
			}
		}
		for typ, n := range got {
			if n > 1 {
				inv.add(invDouble, fmt.Sprintf("booking %d (%s): %s published %d times", j.i, j.id, typ, n))
			}
		}
		if f.reputation != want {
			inv.add(invMissingEvents, fmt.Sprintf("booking %d (%s): reputation has it %q, want %s", j.i, j.id, f.reputation, want))
		}
	}

	w.checkConsumers(ctx, t, inv)
	w.checkLedgerAndProcessor(ctx, t, inv)
	w.checkNotifications(ctx, t, inv)
	w.checkReservations(ctx, t, inv, facts)
	w.checkLeftovers(ctx, t, inv)
	return inv
}

// menteeHasBooking says whether the journey's mentee has any booking.
func (w *chaosWorld) menteeHasBooking(admin user, j *journey) bool {
	r := admin.call("GET", "/v1/bookings?menteeId="+j.mentee, nil)
	if r.status != 200 {
		var n int
		_ = w.db.QueryRow(context.Background(), `SELECT count(*) FROM booking.bookings WHERE mentee_id = $1`, j.mentee).Scan(&n)
		return n > 0
	}
	list, _ := r.body["bookings"].([]any)
	for _, b := range list {
		if m, ok := b.(map[string]any); ok && m["menteeId"] == j.mentee {
			return true
		}
	}
	return false
}

// streamEvents reads a whole stream, resuming after a failed read (a NATS
// cluster may still be electing a leader after a node came back).
func (w *chaosWorld) streamEvents(ctx context.Context, stream string) ([]events.Event, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var out []events.Event
	var next uint64 = 1
	var last error
	for ctx.Err() == nil {
		s, err := w.js.Stream(ctx, stream)
		if err != nil {
			last = err
			time.Sleep(time.Second)
			continue
		}
		info, err := s.Info(ctx)
		if err != nil {
			last = err
			time.Sleep(time.Second)
			continue
		}
		if next > info.State.LastSeq {
			return out, nil
		}
		cons, err := w.js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{
			DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: next})
		if err != nil {
			last = err
			time.Sleep(time.Second)
			continue
		}
		for next <= info.State.LastSeq {
			msg, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
			if err != nil {
				last = err
				break
			}
			meta, err := msg.Metadata()
			if err != nil {
				last = err
				break
			}
			ev, err := events.Parse(msg.Data())
			if err != nil {
				return out, err
			}
			out = append(out, ev)
			next = meta.Sequence.Stream + 1
		}
	}
	return out, fmt.Errorf("read %s: %d messages, up to sequence %d: %w", stream, len(out), next-1, last)
}

// checkConsumers: every event on a stream reached every durable consumer of
// it (it is in that consumer's processed_events), and nothing was
// dead-lettered.
func (w *chaosWorld) checkConsumers(ctx context.Context, t *testing.T, inv *invariants) {
	processed := map[string]map[string]bool{} // consumer -> event id
	schemas, err := schemasWith(ctx, w.db, "processed_events")
	if err != nil {
		t.Fatal(err)
	}
	for _, schema := range schemas {
		rows, err := w.db.Query(ctx, `SELECT consumer, event_id::text FROM `+schema+`.processed_events`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c, id string
			if err := rows.Scan(&c, &id); err != nil {
				t.Fatal(err)
			}
			if processed[c] == nil {
				processed[c] = map[string]bool{}
			}
			processed[c][id] = true
		}
		rows.Close()
	}
	names := w.js.StreamNames(ctx)
	for stream := range names.Name() {
		if stream == events.DeadLetterStream.Name {
			s, err := w.js.Stream(ctx, stream)
			if err != nil {
				t.Fatal(err)
			}
			info, err := s.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for range info.State.Msgs {
				inv.add(invMissingEvents, "an event was dead-lettered")
			}
			continue
		}
		evs, err := w.streamEvents(ctx, stream)
		if err != nil {
			t.Fatal(err)
		}
		s, err := w.js.Stream(ctx, stream)
		if err != nil {
			t.Fatal(err)
		}
		infos := s.ListConsumers(ctx)
		for ci := range infos.Info() {
			if ci.Config.Durable == "" {
				continue
			}
			filters := ci.Config.FilterSubjects
			if ci.Config.FilterSubject != "" {
				filters = append(filters, ci.Config.FilterSubject)
			}
			for _, ev := range evs {
				if len(filters) > 0 && !slices.ContainsFunc(filters, func(f string) bool { return subjectMatches(f, ev.Type) }) {
					continue
				}
				if !processed[ci.Config.Durable][ev.ID.String()] {
					inv.add(invMissingEvents, fmt.Sprintf("%s %s never reached %s", ev.Type, ev.ID, ci.Config.Durable))
				}
			}
		}
	}
}

// checkLedgerAndProcessor: every ledger transaction balances, refunds never
// exceed captures, and the card processor holds one authorization per
// payment, none for nothing.
func (w *chaosWorld) checkLedgerAndProcessor(ctx context.Context, t *testing.T, inv *invariants) {
	count := func(query, what string) {
		var n int
		if err := w.db.QueryRow(ctx, query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		for range n {
			inv.add(invMoney, what)
		}
	}
	count(`SELECT count(*) FROM (SELECT tx_id FROM payments.ledger_entries GROUP BY tx_id HAVING sum(amount) <> 0) x`, "an unbalanced ledger transaction")
	count(`SELECT count(*) FROM payments.payments WHERE refunded > captured`, "a refund above the capture")
	count(`SELECT count(*) FROM payments.simcard_charges c WHERE NOT EXISTS (SELECT 1 FROM payments.payments p WHERE p.provider_ref = c.id)`,
		"a card authorization no payment knows of (authorized twice)")
	count(`SELECT count(*) FROM payments.simcard_charges c JOIN payments.payments p ON p.provider_ref = c.id
		WHERE c.captured <> p.captured OR c.refunded <> p.refunded`, "the card processor and payments disagree on a charge")
}

// checkNotifications: every email arrived exactly once at the mail server,
// and no reader got two inbox items for one fact.
func (w *chaosWorld) checkNotifications(ctx context.Context, t *testing.T, inv *invariants) {
	arrived, _ := w.smtp.counts()
	rows, err := w.db.Query(ctx, `SELECT id::text, status FROM notifications.emails`)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for rows.Next() {
		var id, status string
		if err := rows.Scan(&id, &status); err != nil {
			t.Fatal(err)
		}
		mid := id + "@bookwell"
		known[mid] = true
		switch {
		case status == "sent" && arrived[mid] == 0:
			inv.add(invMissingEvents, "email "+id+" recorded sent, never arrived")
		case status != "sent":
			inv.add(invStuck, "email "+id+" is "+status)
		}
	}
	rows.Close()
	for mid, n := range arrived {
		if n > 1 {
			inv.add(invDouble, fmt.Sprintf("email %s arrived %d times", mid, n))
		}
		if !known[mid] {
			inv.add(invDouble, "an email no one queued arrived: "+mid)
		}
	}
	var dup int
	if err := w.db.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM notifications.notifications
		WHERE booking_id <> '' GROUP BY user_id, kind, booking_id HAVING count(*) > 1) x`).Scan(&dup); err != nil {
		t.Fatal(err)
	}
	for range dup {
		inv.add(invDouble, "a reader has two inbox items of one kind for one booking")
	}
}

// checkReservations: no two live reservations of a mentor overlap (every
// offering here holds one mentee), and no ended booking still holds its slot.
func (w *chaosWorld) checkReservations(ctx context.Context, t *testing.T, inv *invariants, facts map[string]*bookingFacts) {
	var overlaps int
	if err := w.db.QueryRow(ctx, `SELECT count(*) FROM scheduling.reservations a JOIN scheduling.reservations b
		ON a.mentor_id = b.mentor_id AND a.booking_id < b.booking_id AND a.block && b.block
		WHERE a.status <> 'RELEASED' AND b.status <> 'RELEASED'`).Scan(&overlaps); err != nil {
		t.Fatal(err)
	}
	for range overlaps {
		inv.add(invOverbooking, "two live reservations overlap")
	}
	var miscounted int
	if err := w.db.QueryRow(ctx, `SELECT count(*) FROM scheduling.sessions s WHERE s.seats_taken <> (SELECT coalesce(sum(r.party_size), 0)
		FROM scheduling.reservations r WHERE r.session_id = s.id AND r.status <> 'RELEASED')`).Scan(&miscounted); err != nil {
		t.Fatal(err)
	}
	for range miscounted {
		inv.add(invOverbooking, "a session's seats taken differ from its live reservations")
	}
	rows, err := w.db.Query(ctx, `SELECT booking_id, status FROM scheduling.reservations`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, status string
		if err := rows.Scan(&id, &status); err != nil {
			t.Fatal(err)
		}
		f := facts[id]
		if f == nil {
			continue
		}
		live := status != "RELEASED"
		ended := f.api == "REJECTED" || f.api == "CANCELLED" || f.api == "EXPIRED"
		if live && ended {
			inv.add(invStuck, fmt.Sprintf("booking %s is %s but still holds its slot (%s)", id, f.api, status))
		}
		if !live && !ended {
			inv.add(invLost, fmt.Sprintf("booking %s is %s but its slot was released", id, f.api))
		}
	}
}

// checkLeftovers: nothing left unpublished or undelivered after settling.
func (w *chaosWorld) checkLeftovers(ctx context.Context, t *testing.T, inv *invariants) {
	busy, err := w.busy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if busy != "" {
		inv.add(invStuck, busy)
	}
}

// ---- figures ----

// kindFigures are the recovery figures of one fault kind.
type kindFigures struct {
	kind          string
	injected      int
	affected      int             // calls that failed at least once under it
	firstSuccess  []time.Duration // per fault: restart -> first success of an affected call
	allRecovered  []time.Duration // per affected call: restart -> its success
	latency       []time.Duration // affected calls: first attempt -> answer
	inUse         int             // 409 IDEMPOTENCY_KEY_IN_USE answers it caused
	gaveUp        int             // affected calls whose budget ran out
	contradicting int
	slowest       time.Duration // the slowest call in flight while it was down
}

// figures attributes each call that needed retries to the fault it met (the
// last one begun before its first failure) and computes, per fault kind,
// how long after the restart retried calls succeeded.
func figures(journeys []*journey, faults []injected, contradicting map[*call]bool) []*kindFigures {
	byKind := map[string]*kindFigures{}
	get := func(k string) *kindFigures {
		if byKind[k] == nil {
			byKind[k] = &kindFigures{kind: k}
		}
		return byKind[k]
	}
	for _, f := range faults {
		get(matrixLine(f.fault)).injected++
	}
	first := map[int]time.Duration{} // fault index -> first success
	for _, j := range journeys {
		for k := range j.calls {
			c := &j.calls[k]
			if len(c.failures) == 0 {
				if contradicting[c] {
					get("no fault").contradicting++
				}
				continue
			}
			fi := -1
			for i, f := range faults {
				if !f.start.After(c.failures[0].at) && c.failures[0].at.Before(f.recovered.Add(30*time.Second)) {
					fi = i
				}
			}
			kind := "no fault"
			if fi >= 0 {
				kind = matrixLine(faults[fi].fault)
			}
			kf := get(kind)
			kf.affected++
			if contradicting[c] {
				kf.contradicting++
			}
			for _, a := range c.failures {
				if strings.Contains(a.what, "IDEMPOTENCY_KEY_IN_USE") {
					kf.inUse++
				}
			}
			if c.status == 0 {
				kf.gaveUp++
				continue
			}
			kf.latency = append(kf.latency, c.end.Sub(c.start))
			if fi >= 0 {
				after := max(0, c.end.Sub(faults[fi].recovered))
				kf.allRecovered = append(kf.allRecovered, after)
				if d, ok := first[fi]; !ok || after < d {
					first[fi] = after
				}
			}
		}
	}
	for _, f := range faults {
		kf := get(matrixLine(f.fault))
		for _, j := range journeys {
			for _, c := range j.calls {
				if c.status != 0 && c.start.Before(f.recovered) && c.end.After(f.start) {
					kf.slowest = max(kf.slowest, c.end.Sub(c.start))
				}
			}
		}
	}
	for fi, d := range first {
		get(matrixLine(faults[fi].fault)).firstSuccess = append(get(matrixLine(faults[fi].fault)).firstSuccess, d)
	}
	var out []*kindFigures
	for _, kf := range byKind {
		out = append(out, kf)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].kind < out[j].kind })
	return out
}

// matrixLine groups faults into the lines of the fault matrix: a kill per
// process, a freeze of any process together.
func matrixLine(f fault) string {
	if f.kind == fFreeze {
		return fFreeze
	}
	return f.String()
}

func pctl(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p/100))]
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f", d.Seconds()) }

// slowest lists the n slowest answered calls (the unanswered ones are an
// invariant), with what they met on the way.
func slowest(journeys []*journey, faults []injected, began time.Time, n int) []string {
	var all []*call
	for _, j := range journeys {
		for k := range j.calls {
			if j.calls[k].status != 0 {
				all = append(all, &j.calls[k])
			}
		}
	}
	sort.Slice(all, func(a, b int) bool { return all[a].end.Sub(all[a].start) > all[b].end.Sub(all[b].start) })
	var out []string
	for _, c := range all[:min(n, len(all))] {
		var met []string
		for _, f := range faults {
			if f.start.Before(c.end) && f.recovered.After(c.start) {
				met = append(met, f.fault.String())
			}
		}
		var tries []string
		for _, a := range c.failures {
			tries = append(tries, a.what)
		}
		out = append(out, fmt.Sprintf("%s of booking %d at +%ss took %ss, answered %d after [%s], during [%s]", c.op, c.journey,
			secs(c.start.Sub(began)), secs(c.end.Sub(c.start)), c.status, strings.Join(tries, ", "), strings.Join(met, ", ")))
	}
	return out
}

func renderReport(seed uint64, n, clients int, took time.Duration, inv *invariants, figs []*kindFigures, slow []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Chaos run: seed %d, %d bookings, %d clients, %s\n\n", seed, n, clients, took.Round(time.Second))
	fmt.Fprintf(&b, "| invariant | count |\n|---|---|\n")
	for _, c := range inv.counts {
		fmt.Fprintf(&b, "| %s | %d |\n", c.name, c.n)
	}
	fmt.Fprintf(&b, "\nRecovery, per fault kind (seconds; \"after restart\" is from the moment the process or server was back):\n\n")
	fmt.Fprintf(&b, "| fault | injected | calls retried | first success after restart (max) | retried calls done after restart (p50 / max) | latency of retried calls (p50 / p90 / p99 / max) | slowest call in flight while down | 409 in use | gave up | contradicting |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|---|---|\n")
	for _, kf := range figs {
		first := "—"
		if len(kf.firstSuccess) > 0 {
			first = secs(slices.Max(kf.firstSuccess))
		}
		done := "—"
		if len(kf.allRecovered) > 0 {
			done = secs(pctl(kf.allRecovered, 50)) + " / " + secs(slices.Max(kf.allRecovered))
		}
		lat := "—"
		if len(kf.latency) > 0 {
			lat = fmt.Sprintf("%s / %s / %s / %s", secs(pctl(kf.latency, 50)), secs(pctl(kf.latency, 90)), secs(pctl(kf.latency, 99)), secs(slices.Max(kf.latency)))
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s | %s | %s | %d | %d | %d |\n", kf.kind, kf.injected, kf.affected, first, done, lat,
			secs(kf.slowest), kf.inUse, kf.gaveUp, kf.contradicting)
	}
	b.WriteString("\nThe slowest answered calls:\n\n")
	for _, s := range slow {
		b.WriteString("- " + s + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

//go:build faults

package faults

import (
	"fmt"
	"strings"
	"time"
)

const (
	// window is how far either side of a fault a mail counts as its.
	window = 10 * time.Second
	// lateAfter is when a confirmation counts as late, after its ticket.
	lateAfter = 30 * time.Second
)

// row is one line of the report: a fault, or the whole run.
type row struct {
	name           string
	mails          int
	lost, doubled  int // tickets: none, more than one
	unconfirmed    int // ticketed, but no confirmation
	confirmedTwice int
	flagged        int // of confirmedTwice: the emails row shows interrupted > 0
	late           int // confirmations more than lateAfter after the ticket
	maxDelay       time.Duration
	recovery       time.Duration // last mail done, after the fault's end; -1: not all done
	exits          int           // exits the suite did not ask for
}

// summarize fills a row from the mails sent in [from, to]; end is the
// fault's end, for the recovery time.
func summarize(name string, mails []*mail, from, to, end time.Time) row {
	r := row{name: name}
	var last time.Time
	for _, m := range mails {
		if m.sent.Before(from) || m.sent.After(to) {
			continue
		}
		r.mails++
		switch {
		case m.tickets == 0:
			r.lost++
		case m.tickets > 1:
			r.doubled++
		}
		if m.tickets > 0 {
			r.maxDelay = max(r.maxDelay, m.ticketAt.Sub(m.sent))
			switch {
			case m.confirms == 0:
				r.unconfirmed++
			case m.confirmedAt.Sub(m.ticketAt) > lateAfter:
				r.late++
			}
		}
		if m.confirms > 1 {
			r.confirmedTwice++
			if m.interrupted > 0 {
				r.flagged++
			}
		}
		if m.done() && m.doneAt().After(last) {
			last = m.doneAt()
		}
	}
	r.recovery = max(0, last.Sub(end))
	if r.lost+r.unconfirmed > 0 {
		r.recovery = -1
	}
	return r
}

// markdown renders the rows as a table.
func markdown(rows []row, waited time.Duration) string {
	var b strings.Builder
	b.WriteString("| fault | mails | lost | doubled | unconfirmed | confirmed twice (flagged) | max delay | confirmations late | recovery | unplanned exits |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		rec := "not within " + waited.Round(time.Second).String()
		if r.recovery >= 0 {
			rec = r.recovery.Round(100 * time.Millisecond).String()
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d (%d) | %s | %d | %s | %d |\n", r.name, r.mails, r.lost, r.doubled,
			r.unconfirmed, r.confirmedTwice, r.flagged, r.maxDelay.Round(100*time.Millisecond), r.late, rec, r.exits)
	}
	fmt.Fprintf(&b, "\nA fault's mails are those sent from %s before it began to %s after it ended. "+
		"Delay: SQS SendMessage to ticket created. Late: a confirmation more than %s after its ticket. "+
		"Recovery: the last of those mails ticketed and confirmed, after the fault's end. "+
		"Unplanned exits: processes that ended without being signalled, from the fault's start to the next fault's.\n",
		window, window, lateAfter)
	return b.String()
}

package inbound_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// orderedRun feeds raws through IngestInOrder and returns each outcome
// in the order done heard them, stopping when stop says so.
func orderedRun(t *testing.T, p *inbound.Pipeline, raws [][]byte, stop func(i int) bool) (actions []string, handed int) {
	t.Helper()
	p.IngestInOrder(context.Background(), func() (inbound.Item, bool) {
		if handed == len(raws) {
			return inbound.Item{}, false
		}
		handed++
		return inbound.Item{Raw: raws[handed-1]}, true
	}, func(it inbound.Item, res inbound.Result, err error) bool {
		i := len(actions)
		if !bytes.Equal(it.Raw, raws[i]) {
			t.Errorf("done heard of a mail out of order at %d", i)
		}
		if err != nil {
			t.Errorf("mail %d: %v", i, err)
			actions = append(actions, "error")
		} else {
			actions = append(actions, res.Action)
		}
		return !stop(i)
	})
	return actions, handed
}

// IngestInOrder gives each mail the outcome Ingest would, in order: a
// reply finds the ticket the mail just before it opened (recorded first),
// a repeated Message-ID and repeated bytes are duplicates, a mail with
// two From fields takes Process's path (quarantined), and a mail over
// ReadAhead waits for the ones before it and is still taken.
func TestIngestInOrder(t *testing.T) {
	big := strings.Repeat("Log line of the failing printer, with its error code 0x80070643.\r\n", inbound.ReadAhead/60)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		opts := pipelineOpts()
		opts.MaxMailBytes = 4 << 20
		p := inbound.NewPipeline(db, opts)
		to := "support@help.example.com"
		first := tripsMail(1, "ada@example.com", to, "")
		large := bytes.Replace(tripsMail(3, "cy@example.com", to, ""), []byte("It is on fire"), []byte(big), 1)
		raws := [][]byte{
			first,
			tripsMail(2, "ada@example.com", to, "In-Reply-To: <trips-1@example.com>\r\n"),
			append([]byte("X-Resent: yes\r\n"), first...), // the same Message-ID, other bytes
			first, // the same bytes
			[]byte("From: a@example.com\r\nFrom: b@example.com\r\nTo: " + to + "\r\nSubject: two\r\nMessage-ID: <two-from@example.com>\r\n\r\nhi\r\n"),
			large,
			tripsMail(4, "cy@example.com", to, "In-Reply-To: <trips-3@example.com>\r\n"),
		}
		if len(large) <= inbound.ReadAhead {
			t.Fatalf("the large mail is %d bytes, not over ReadAhead", len(large))
		}
		got, handed := orderedRun(t, p, raws, func(int) bool { return false })
		want := []string{store.ActionCreated, store.ActionAppended, store.ActionDuplicate, store.ActionDuplicate,
			store.ActionQuarantined, store.ActionCreated, store.ActionAppended}
		if fmt.Sprint(got) != fmt.Sprint(want) || handed != len(raws) {
			t.Errorf("actions %v (%d handed); want %v", got, handed, want)
		}
		var tickets, messages, raw int
		if err := db.X.Get(&tickets, `SELECT COUNT(*) FROM tickets`); err != nil {
			t.Fatal(err)
		}
		if err := db.X.Get(&messages, `SELECT COUNT(*) FROM messages`); err != nil {
			t.Fatal(err)
		}
		if err := db.X.Get(&raw, `SELECT COUNT(*) FROM inbound_mail WHERE status <> 'received'`); err != nil {
			t.Fatal(err)
		}
		// The repeated bytes are one inbound_mail row: six rows, all finished.
		if tickets != 2 || messages != 4 || raw != 6 {
			t.Errorf("%d tickets, %d messages, %d finished raw mails; want 2, 4, 6", tickets, messages, raw)
		}
		if db.Dialect == store.Postgres {
			// The documents computed with the next mail's raw save are the
			// ones the database would compute from the stored text.
			var wrong int
			if err := db.X.Get(&wrong, `SELECT COUNT(*) FROM messages m LEFT JOIN messages_fts f ON f.message_id = m.id
				WHERE f.doc IS NULL OR f.doc <> to_tsvector('simple', m.subject || ' ' || m.visible_text)`); err != nil {
				t.Fatal(err)
			}
			if wrong != 0 {
				t.Errorf("%d messages without their own search document", wrong)
			}
		}
	})
}

// When done says stop, IngestInOrder returns without asking for more
// mail. Mails read ahead are either recorded already (they committed in
// one group with the mail done stopped at) or left received; ingesting
// them again records each of them once.
func TestIngestInOrderStops(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		p := inbound.NewPipeline(db, pipelineOpts())
		to := "support@help.example.com"
		var raws [][]byte
		for i := 1; i <= 14; i++ {
			raws = append(raws, tripsMail(i, fmt.Sprintf("c%d@example.com", i), to, ""))
		}
		got, handed := orderedRun(t, p, raws, func(i int) bool { return i == 0 })
		if fmt.Sprint(got) != fmt.Sprint([]string{store.ActionCreated}) || handed == len(raws) {
			t.Errorf("actions %v, %d of %d mails handed over; want created, and the rest not all read", got, handed, len(raws))
		}
		for i, raw := range raws[1:] {
			res, err := p.Ingest(context.Background(), raw, inbound.Envelope{})
			if err != nil || (res.Action != store.ActionCreated && res.Action != store.ActionDuplicate) {
				t.Errorf("mail %d again after the stop: %+v, %v; want created, or duplicate when recorded before", i+1, res, err)
			}
		}
		var tickets int
		if err := db.X.Get(&tickets, `SELECT COUNT(*) FROM tickets`); err != nil {
			t.Fatal(err)
		}
		if tickets != len(raws) {
			t.Errorf("%d tickets for %d mails, want each mail recorded once", tickets, len(raws))
		}
	})
}

// dargo ingest's path keeps the round trips of one mail at 6 or fewer on
// PostgreSQL: its raw save (with the mail before it's search document),
// the claim with the route, the sender with the ticket, the message, and
// a BEGIN and COMMIT shared by the mails ready together.
func TestIngestInOrderRoundTrips(t *testing.T) {
	db, c := testdb.OpenCounted(t, store.Postgres)
	p := inbound.NewPipeline(db, pipelineOpts())
	to := "support@help.example.com"
	raws := func(from, n int) [][]byte {
		var out [][]byte
		for i := from; i < from+n; i++ {
			out = append(out, tripsMail(i, fmt.Sprintf("c%d@example.com", i), to, ""))
		}
		return out
	}
	orderedRun(t, p, raws(1, 5), func(int) bool { return false }) // warm-up: statements prepared
	c.Reset()
	got, _ := orderedRun(t, p, raws(100, 20), func(int) bool { return false })
	if len(got) != 20 {
		t.Fatalf("%d mails done, want 20", len(got))
	}
	trips := c.Trips()
	t.Logf("%d round trips for 20 mails", trips)
	if trips > 6*20 {
		t.Errorf("%d round trips for 20 mails (%.1f a mail), want at most 6 a mail:\n%s", trips, float64(trips)/20, strings.Join(c.Log(), "\n"))
	}
}

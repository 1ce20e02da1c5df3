package inbound_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// mergeMail is a plain mail from an address to one of the desk's.
func mergeMail(from, to, id string) []byte {
	return fmt.Appendf(nil, "From: %s\r\nTo: %s\r\nSubject: About my order\r\nMessage-ID: <%s@example.com>\r\n"+
		"Date: Fri, 27 Nov 2026 09:12:44 +0100\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHello, it is me again.\r\n", from, to, id)
}

// After two customer records are merged, mail from either address is the
// kept person's: a new mail opens a ticket in their name, and a reply from
// the merged address to the kept person's ticket is appended as theirs.
func TestPipelineMergedAddressIsTheKeptPersons(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := inbound.NewPipeline(db, pipelineOpts())
		ingest := func(raw []byte) inbound.Result {
			t.Helper()
			res, err := p.Ingest(ctx, raw, inbound.Envelope{})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		home := ingest(mergeMail("Mia Park <mia@home.test>", "support@"+pipelineDomain, "m1"))
		ingest(mergeMail("M. Park <m.park@work.test>", "support@"+pipelineDomain, "m2"))
		mia, err := db.UserByEmail(ctx, "mia@home.test")
		if err != nil {
			t.Fatal(err)
		}
		work, err := db.UserByEmail(ctx, "m.park@work.test")
		if err != nil {
			t.Fatal(err)
		}
		staff, err := db.SetRole(ctx, "agent@staff.test", "staff")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MergeCustomers(ctx, mia.ID, work.ID, staff.ID); err != nil {
			t.Fatal(err)
		}

		fresh := ingest(mergeMail("M. Park <M.Park@work.test>", "support@"+pipelineDomain, "m3"))
		if fresh.Action != store.ActionCreated || pipelineCount(t, db, `SELECT COUNT(*) FROM tickets WHERE id = ? AND customer_id = ?`, *fresh.Ticket, mia.ID) != 1 {
			t.Errorf("new mail from the merged address: %+v, want a ticket of user %d", fresh, mia.ID)
		}
		number := pipelineScalar(t, db, `SELECT number FROM tickets WHERE id = ?`, *home.Ticket)
		var n int64
		if _, err := fmt.Sscan(number, &n); err != nil {
			t.Fatal(err)
		}
		reply := ingest(mergeMail("m.park@work.test", replyaddr.Addr(pipelineSecret, "support", pipelineDomain, n), "m4"))
		if reply.Action != store.ActionAppended || *reply.Ticket != *home.Ticket {
			t.Errorf("reply from the merged address to the kept person's ticket: %+v, want appended to ticket %d", reply, *home.Ticket)
		}
		// A reply by thread headers alone: the merged address takes part in
		// the kept person's ticket.
		threaded := mergeMail("m.park@work.test", "support@"+pipelineDomain, "m5")
		threaded = bytes.Replace(threaded, []byte("Subject: About my order\r\n"), []byte("Subject: Re: About my order\r\nIn-Reply-To: <m1@example.com>\r\n"), 1)
		if res := ingest(threaded); res.Action != store.ActionAppended || *res.Ticket != *home.Ticket {
			t.Errorf("reply by headers from the merged address: %+v, want appended to ticket %d", res, *home.Ticket)
		}
		if got := pipelineCount(t, db, `SELECT COUNT(*) FROM messages WHERE author_id = ?`, mia.ID); got != 5 {
			t.Errorf("messages of the kept person = %d, want all 5", got)
		}
		if got := pipelineCount(t, db, `SELECT COUNT(*) FROM tickets WHERE customer_id = ?`, mia.ID); got != 3 {
			t.Errorf("tickets of the kept person = %d, want 3", got)
		}
	})
}

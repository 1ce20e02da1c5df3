package inbound_test

import (
	"context"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestMergedTicketRoutesToSurvivor: after #1 is merged into #2, a customer
// answering any old mail of #1 (its reply address, References to each of
// its Message-IDs, the id SES gave our notification, or [#1]) lands on #2.
func TestMergedTicketRoutesToSurvivor(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := adaTicket(t, db, pipelineOpts())
		res, err := p.Ingest(ctx, senderMail("Bob <bob@example.com>", "Printer on fire, again", "", "Me too."), inbound.Envelope{})
		if err != nil || *res.Ticket != 2 {
			t.Fatalf("open #2: %+v %v", res, err)
		}
		one, err := db.TicketByNumber(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		firstID := pipelineScalar(t, db, `SELECT message_id FROM messages WHERE ticket_id = ?`, one.ID)
		if err := db.RecordThreadID(ctx, one.ID, "minted.1@help.example.com", "minted"); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordThreadID(ctx, one.ID, store.SESMessageID("0102018f-ses-1"), "ses"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.MergeTickets(ctx, []int64{1}, 2, 0); err != nil {
			t.Fatal(err)
		}
		reply := replyaddr.Addr(pipelineSecret, "support", pipelineDomain, 1)
		cases := []struct {
			name, subject, extra string
		}{
			{"reply address", "Re: hello", "Cc: " + reply + "\r\n"},
			{"In-Reply-To the first mail", "Re: hello", "In-Reply-To: <" + firstID + ">\r\n"},
			{"References to a minted id", "Re: hello", "References: <minted.1@help.example.com>\r\n"},
			{"References to the SES-rewritten id", "Re: hello", "References: <0102018f-ses-1@eu-west-1.amazonses.com>\r\n"},
			{"subject tag", "Re: [#1] My printer is on fire", ""},
		}
		for _, c := range cases {
			res, err := p.Ingest(ctx, senderMail("Ada <ada@example.com>", c.subject, c.extra, c.name), inbound.Envelope{})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if res.Action != store.ActionAppended || res.Ticket == nil || *res.Ticket != 2 {
				t.Errorf("%s: %+v, want appended to #2", c.name, res)
			}
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM tickets`); n != 2 {
			t.Errorf("%d tickets, want 2: a reply opened a new one", n)
		}
	})
}

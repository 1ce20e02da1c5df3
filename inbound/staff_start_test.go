package inbound_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// A ticket staff started threads the customer's answer as usual, through
// the real inbound path: to the reply address, or with References to the
// id SES gave the first mail (or the id we minted), or the [#N] tag. A
// stranger's mail that points at it by headers opens a new ticket instead.
func TestStaffStartedTicketThreads(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := inbound.NewPipeline(db, pipelineOpts())
		sam, err := db.SetRole(ctx, "sam@support.example", "staff")
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.StartTicket(ctx, store.StaffStart{StaffID: sam.ID, To: store.Person{Email: "ada@example.com"},
			Cc: []store.Person{{Email: "bob@example.com"}}, Subject: "Your order", Text: "It is delayed."})
		if err != nil {
			t.Fatal(err)
		}
		// What the worker records when it sends the first mail.
		if err := db.RecordThreadID(ctx, got.TicketID, "minted.start@help.example.com", "minted"); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordThreadID(ctx, got.TicketID, store.SESMessageID("0102018f-start-1"), "ses"); err != nil {
			t.Fatal(err)
		}
		reply := replyaddr.Addr(pipelineSecret, "support", pipelineDomain, got.TicketNumber)
		cases := []struct {
			name, from, subject, extra string
		}{
			{"reply address", "Ada <ada@example.com>", "Re: Your order", "Cc: " + reply + "\r\n"},
			{"References to the SES-rewritten id", "ada@example.com", "Re: Your order", "References: <0102018f-start-1@eu-west-1.amazonses.com>\r\n"},
			{"In-Reply-To the minted id", "ada@example.com", "Re: Your order", "In-Reply-To: <minted.start@help.example.com>\r\n"},
			{"the Cc by subject tag", "bob@example.com", "Re: [#" + itoa(got.TicketNumber) + "] Your order", ""},
		}
		for _, c := range cases {
			res, err := p.Ingest(ctx, senderMail(c.from, c.subject, c.extra, c.name), inbound.Envelope{})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if res.Action != store.ActionAppended || res.Ticket == nil || *res.Ticket != got.TicketNumber {
				t.Errorf("%s: %+v, want appended to #%d", c.name, res, got.TicketNumber)
			}
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ? AND kind = 'inbound'`, got.TicketID); n != len(cases) {
			t.Errorf("%d answers on the ticket, want %d", n, len(cases))
		}
		res, err := p.Ingest(ctx, senderMail("eve@evil.test", "Re: Your order", "References: <0102018f-start-1@eu-west-1.amazonses.com>\r\n", "let me in"), inbound.Envelope{})
		if err != nil || res.Action != store.ActionCreated {
			t.Errorf("a stranger's mail with the thread's References: %+v %v, want a new ticket", res, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

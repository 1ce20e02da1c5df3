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

// TestSplitMessageRoutesItsThreadToTheNewTicket: Ada's "one more thing"
// mail on #1 is split into #2. Answers in that mail's thread, and to #2's
// notifications, land on #2; #1's reply address, its own ids and [#1]
// keep landing on #1.
func TestSplitMessageRoutesItsThreadToTheNewTicket(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := adaTicket(t, db, pipelineOpts())
		one, err := db.TicketByNumber(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		firstID := pipelineScalar(t, db, `SELECT message_id FROM messages WHERE ticket_id = ?`, one.ID)
		more := senderMail("Ada <ada@example.com>", "One more thing: my invoice", "In-Reply-To: <"+firstID+">\r\n", "The invoice is wrong too.")
		res, err := p.Ingest(ctx, more, inbound.Envelope{})
		if err != nil || res.Action != store.ActionAppended || *res.Ticket != 1 {
			t.Fatalf("one more thing: %+v %v", res, err)
		}
		moreMsg, _ := strconv.ParseInt(pipelineScalar(t, db, `SELECT MAX(id) FROM messages WHERE ticket_id = ?`, one.ID), 10, 64)
		moreID := pipelineScalar(t, db, `SELECT message_id FROM messages WHERE id = ?`, moreMsg)
		if err := db.RecordThreadID(ctx, one.ID, "minted.1@help.example.com", "minted"); err != nil {
			t.Fatal(err)
		}
		s, err := db.SplitMessage(ctx, store.SplitRequest{TicketID: one.ID, MessageID: moreMsg})
		if err != nil || s.IntoNumber != 2 {
			t.Fatalf("split: %+v %v", s, err)
		}
		// Staff answer on #2; the mail's id joins #2's thread as it is sent.
		if err := db.RecordThreadID(ctx, s.IntoID, "minted.2@help.example.com", "minted"); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name, subject, extra string
			want                 int64
		}{
			{"In-Reply-To the split mail", "Re: One more thing", "In-Reply-To: <" + moreID + ">\r\n", 2},
			{"answer to #2's notification", "Re: One more thing", "To: " + replyaddr.Addr(pipelineSecret, "support", pipelineDomain, 2) + "\r\n" +
				"References: <" + firstID + "> <" + moreID + "> <minted.2@help.example.com>\r\n", 2},
			{"References ending in #2's notification", "Re: One more thing", "References: <" + firstID + "> <" + moreID + "> <minted.2@help.example.com>\r\n", 2},
			{"#1's reply address", "Re: printer", "Cc: " + replyaddr.Addr(pipelineSecret, "support", pipelineDomain, 1) + "\r\n", 1},
			{"In-Reply-To #1's first mail", "Re: printer", "In-Reply-To: <" + firstID + ">\r\n", 1},
			{"References ending in #1's notification", "Re: printer", "References: <" + firstID + "> <" + moreID + "> <minted.1@help.example.com>\r\n", 1},
			{"subject tag", "Re: [#1] My printer is on fire", "", 1},
		}
		for _, c := range cases {
			res, err := p.Ingest(ctx, senderMail("Ada <ada@example.com>", c.subject, c.extra, c.name), inbound.Envelope{})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if res.Action != store.ActionAppended || res.Ticket == nil || *res.Ticket != c.want {
				t.Errorf("%s: %+v, want appended to #%d", c.name, res, c.want)
			}
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM tickets`); n != 2 {
			t.Errorf("%d tickets, want 2: a reply opened a new one", n)
		}
	})
}

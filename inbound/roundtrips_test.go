package inbound_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/internal/sqlcount"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// What one ordinary mail may cost on PostgreSQL: round trips counted by
// the driver, raw mail save included (it was 23 and 24, then 12 and 12).
const (
	maxNewTrips   = 6
	maxReplyTrips = 6
)

// tripsMail is a plain mail from ada, numbered n; extra holds header lines.
func tripsMail(n int, from, to, extra string) []byte {
	return []byte(fmt.Sprintf("From: Ada <%s>\r\nTo: %s\r\nSubject: Printer %d\r\nMessage-ID: <trips-%d@example.com>\r\n%s"+
		"Date: Mon, 7 Dec 2026 09:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIt is on fire, again (%d).\r\n", from, to, n, n, extra, n))
}

// tripsOf ingests raw once and returns its result and round trips.
func tripsOf(t *testing.T, p *inbound.Pipeline, c *sqlcount.Counter, raw []byte) (inbound.Result, int64) {
	t.Helper()
	c.Reset()
	res, err := p.Ingest(context.Background(), raw, inbound.Envelope{})
	if err != nil {
		t.Fatal(err)
	}
	return res, c.Trips()
}

func TestRoundTripsPerMail(t *testing.T) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			db, c := testdb.OpenCounted(t, dialect)
			ctx := context.Background()
			p := inbound.NewPipeline(db, pipelineOpts())
			// Warm up: the driver prepares each statement the first time.
			for i := range 3 {
				tripsOf(t, p, c, tripsMail(100+i, fmt.Sprintf("warm%d@example.com", i), "support@help.example.com", ""))
				tripsOf(t, p, c, tripsMail(200+i, fmt.Sprintf("warm%d@example.com", i), "support@help.example.com",
					fmt.Sprintf("In-Reply-To: <trips-%d@example.com>\r\n", 100+i)))
			}
			res, created := tripsOf(t, p, c, tripsMail(1, "ada@example.com", "support@help.example.com", ""))
			if res.Action != store.ActionCreated {
				t.Fatalf("first mail: %+v", res)
			}
			t.Logf("new ticket: %d round trips\n%s", created, strings.Join(c.Log(), "\n"))
			res, replied := tripsOf(t, p, c, tripsMail(2, "ada@example.com", "support@help.example.com", "In-Reply-To: <trips-1@example.com>\r\n"))
			if res.Action != store.ActionAppended {
				t.Fatalf("reply: %+v", res)
			}
			t.Logf("reply by In-Reply-To: %d round trips\n%s", replied, strings.Join(c.Log(), "\n"))
			to := replyaddr.Addr(pipelineSecret, "support", pipelineDomain, *res.Ticket)
			res, token := tripsOf(t, p, c, tripsMail(3, "ada@example.com", to, ""))
			if res.Action != store.ActionAppended {
				t.Fatalf("reply by token: %+v", res)
			}
			t.Logf("reply by reply address: %d round trips", token)
			staff, err := db.EnsureUser(ctx, "mia@example.org", "Mia Wong", "staff")
			if err != nil {
				t.Fatal(err)
			}
			opts := pipelineOpts()
			opts.TrustedAuthServIDs = []string{"mx.help.example.com"}
			sp := inbound.NewPipeline(db, opts)
			staffTo := replyaddr.StaffAddr(pipelineSecret, "support", pipelineDomain, *res.Ticket, staff.ID)
			res, staffTrips := tripsOf(t, sp, c, tripsMail(4, "mia@example.org", staffTo, staffTrusted))
			if res.Action != store.ActionAppended {
				t.Fatalf("staff answer: %+v", res)
			}
			t.Logf("staff answer by mail: %d round trips", staffTrips)
			res, bounce := tripsOf(t, p, c, pipelineEML(t, "dsn_permanent.eml", 0))
			if res.Action != store.ActionBounce {
				t.Fatalf("bounce: %+v", res)
			}
			t.Logf("bounce: %d round trips", bounce)
			t.Logf("ROUNDTRIPS %s new=%d reply=%d token=%d staff=%d bounce=%d", dialect, created, replied, token, staffTrips, bounce)
			if dialect == store.Postgres && (created > maxNewTrips || replied > maxReplyTrips || token > maxReplyTrips) {
				t.Errorf("PostgreSQL: a new ticket took %d round trips and a reply %d (%d by reply address), want at most %d and %d",
					created, replied, token, maxNewTrips, maxReplyTrips)
			}
		})
	}
}

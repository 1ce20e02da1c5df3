package inbound_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/inbound/mailparse"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// A batch whose transaction fails on a business answer (the second mail
// repeats the first one's Message-ID) is recorded one by one: the first
// opens its ticket, the repeat is a duplicate, the rest open theirs, and
// the whole batch costs one failed transaction and then one per mail.
func TestIngestBatchFallsBackOneByOne(t *testing.T) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			db, c := testdb.OpenCounted(t, dialect)
			p := inbound.NewPipeline(db, pipelineOpts())
			items := []mailparse.Item{
				{Raw: tripsMail(1, "ada@example.com", "support@help.example.com", "")},
				{Raw: tripsMail(1, "bob@example.com", "support@help.example.com", ""), Env: inbound.Envelope{SESID: "repeat"}},
				{Raw: tripsMail(3, "cy@example.com", "support@help.example.com", "")},
			}
			res := p.IngestBatch(context.Background(), items)
			var got []string
			for _, r := range res {
				if r.Err != nil {
					t.Fatal(r.Err)
				}
				got = append(got, r.Result.Action)
			}
			if fmt.Sprint(got) != fmt.Sprint([]string{store.ActionCreated, store.ActionDuplicate, store.ActionCreated}) {
				t.Errorf("actions %v; want created, duplicate, created", got)
			}
			var tickets int
			if err := db.X.Get(&tickets, `SELECT COUNT(*) FROM tickets`); err != nil {
				t.Fatal(err)
			}
			if tickets != 2 {
				t.Errorf("%d tickets, want 2", tickets)
			}
			c.Reset()
			res = p.IngestBatch(context.Background(), []mailparse.Item{
				{Raw: tripsMail(4, "dee@example.com", "support@help.example.com", "")},
				{Raw: tripsMail(5, "cy@example.com", "support@help.example.com", "In-Reply-To: <trips-3@example.com>\r\n")},
			})
			if res[0].Result.Action != store.ActionCreated || res[1].Result.Action != store.ActionAppended {
				t.Errorf("second batch: %+v; want created, appended", res)
			}
			// Raw saves may commit on their own (SQLite); the two mails' records share one.
			if n := c.Commits(); n > 3 {
				t.Errorf("second batch: %d commits, want the raw saves and one", n)
			}
		})
	}
}

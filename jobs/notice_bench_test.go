package jobs_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/outbound"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkStaffNoticeSend measures notices sent per second through the
// email:send handler and the dev outbox: load the row and its events,
// build, compose, store the mail, record it sent. "1" is a notice of one
// event (a new ticket), "20" a digest of twenty.
func BenchmarkStaffNoticeSend(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		for _, events := range []int{1, 20} {
			b.Run(fmt.Sprintf("%s/%d", dialect, events), func(b *testing.B) {
				ctx := context.Background()
				db := testdb.Open(b, dialect)
				db.NoticeWait = time.Hour // every event joins the one notice
				mia, tom := staff(b, db, "mia@acme.test", "Mia"), staff(b, db, "tom@acme.test", "Tom")
				got := customerMail(b, db, 0, ana, []store.Person{bob}, "My printer is on fire.", "photo.pdf")
				if events > 1 {
					if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: tom.ID, Assignee: &mia.ID}); err != nil {
						b.Fatal(err)
					}
					for i := 2; i < events; i++ {
						customerMail(b, db, got.TicketID, ana, nil, fmt.Sprintf("Mail number %d: still smoking.", i))
					}
				}
				id := noticeID(b, db, mia.Email)
				var n int
				if err := db.X.Get(&n, db.X.Rebind(`SELECT COUNT(*) FROM staff_events WHERE email_id = ?`), id); err != nil || n != events {
					b.Fatalf("the notice has %d events, %v; want %d", n, err, events)
				}
				h := jobs.NewHandlers(jobs.Opts{Store: db, Sender: outbound.NewDevOutbox(db), Outbound: noticeOpts(), Logger: quiet})
				task, err := jobs.NewEmailSendTask(id, store.EmailStaffNotice)
				if err != nil {
					b.Fatal(err)
				}
				requeue := db.X.Rebind(`UPDATE emails SET status = 'queued' WHERE id = ?`)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					b.StopTimer()
					if _, err := db.X.Exec(requeue, id); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					if err := h.HandleEmailSend(ctx, task); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				if email(b, db, id).Status != store.EmailSent {
					b.Fatal("the notice was not sent")
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notices/s")
			})
		}
	}
}

// BenchmarkStaffNoticeDigest measures digest latency with the real worker
// and relay (looking every second, DARGO_RELAY_INTERVAL's default): from
// the last of a burst of 20 customer mails to its notice recorded sent,
// and how long after the notice fell due (DARGO_NOTIFY_DIGEST_SECONDS, 3 s
// here) that was. Run it with -benchtime=3x: each round waits out the
// digest window.
func BenchmarkStaffNoticeDigest(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			e := newNoticeEnv(b, testdb.Open(b, dialect))
			db := e.db
			mia, tom := staff(b, db, "mia@acme.test", "Mia"), staff(b, db, "tom@acme.test", "Tom")
			got := customerMail(b, db, 0, ana, nil, "Opening mail.")
			if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: tom.ID, Assignee: &mia.ID}); err != nil {
				b.Fatal(err)
			}
			e.start(b, time.Second)
			db.NoticeWait = 3 * time.Second
			var sinceLast, pastDue time.Duration
			b.ResetTimer()
			for range b.N {
				drained(b, db)
				// Bursts come at any moment of the relay's second, not just
				// after the pass that sent the previous notice.
				time.Sleep(time.Duration(rand.Int64N(int64(time.Second))))
				e.freeze() // the burst falls in one instant, however slow the machine
				for i := 1; i <= 20; i++ {
					customerMail(b, db, got.TicketID, ana, nil, fmt.Sprintf("Burst mail number %02d.", i))
				}
				last := time.Now()
				e.thaw()
				id := noticeID(b, db, mia.Email)
				var sent struct {
					SentAt    *time.Time `db:"sent_at"`
					NotBefore *time.Time `db:"not_before"`
				}
				for sent.SentAt == nil {
					time.Sleep(5 * time.Millisecond)
					if err := db.X.Get(&sent, db.X.Rebind(`SELECT e.sent_at, o.not_before FROM emails e JOIN outbox o ON o.email_id = e.id WHERE e.id = ?`), id); err != nil {
						b.Fatal(err)
					}
				}
				sinceLast += time.Since(last)
				pastDue += sent.SentAt.Sub(*sent.NotBefore)
			}
			b.StopTimer()
			b.ReportMetric(float64(sinceLast.Milliseconds())/float64(b.N), "ms-after-last-event")
			b.ReportMetric(float64(pastDue.Milliseconds())/float64(b.N), "ms-after-due")
		})
	}
}

// noticeID is the newest staff notice row to addr.
func noticeID(tb testing.TB, db *store.DB, addr string) int64 {
	tb.Helper()
	emails, err := db.Emails(context.Background(), addr)
	if err != nil {
		tb.Fatal(err)
	}
	for i := len(emails) - 1; i >= 0; i-- {
		if emails[i].Kind == store.EmailStaffNotice {
			return emails[i].ID
		}
	}
	tb.Fatalf("no staff notice to %s", addr)
	return 0
}

// drained waits until no mail is queued.
func drained(tb testing.TB, db *store.DB) {
	tb.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var n int
		if err := db.X.Get(&n, `SELECT COUNT(*) FROM emails WHERE status = 'queued'`); err != nil {
			tb.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatal("the outbox never drained")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

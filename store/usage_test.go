package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

const ticketPage = "GET /tickets/{number}"

// usageClock sets db's clock to at and returns a way to move it.
func usageClock(db *store.DB, at time.Time) func(time.Time) {
	now := at
	db.Now = func() time.Time { return now }
	return func(t time.Time) { now = t }
}

func user(t *testing.T, db *store.DB, email, role string) *store.User {
	t.Helper()
	u, err := db.SetRole(context.Background(), email, role)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func record(t *testing.T, db *store.DB, userID int64, kind, name string) {
	t.Helper()
	if err := db.RecordUsage(context.Background(), userID, kind, name); err != nil {
		t.Fatal(err)
	}
}

// pseudonyms returns the pseudonym column of every raw event, by id.
func pseudonyms(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	if err := db.X.Select(&out, `SELECT pseudonym FROM usage_events ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return out
}

func object(t *testing.T, db *store.DB, userID int64, objected bool) {
	t.Helper()
	if _, err := db.SetChoice(context.Background(), userID, store.ChoiceAnalytics, objected, 0, store.ChoiceViaAccount); err != nil {
		t.Fatal(err)
	}
}

func TestUsageEventsArePseudonymous(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		move := usageClock(db, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC))
		alice := user(t, db, "alice@example.com", "customer")
		bob := user(t, db, "bob@example.com", "customer")
		sam := user(t, db, "sam@example.com", "staff")
		record(t, db, alice.ID, store.UsagePage, ticketPage)
		record(t, db, alice.ID, store.UsageFeature, store.FeatureReplySent)
		record(t, db, bob.ID, store.UsagePage, ticketPage)
		record(t, db, sam.ID, store.UsageFeature, store.FeatureNoteAdded)
		move(time.Date(2026, 12, 1, 0, 0, 1, 0, time.UTC))
		record(t, db, alice.ID, store.UsagePage, ticketPage)

		p := pseudonyms(t, db)
		if len(p) != 5 {
			t.Fatalf("events: %d, want 5", len(p))
		}
		for _, u := range []*store.User{alice, bob, sam} {
			id := strconv.FormatInt(u.ID, 10)
			if n := count(t, db, `SELECT COUNT(*) FROM usage_events WHERE pseudonym = ? OR pseudonym = ?`, id, u.Email); n != 0 {
				t.Errorf("%s is stored by id or address", u.Email)
			}
		}
		if p[0] != p[1] {
			t.Error("the same person in the same month has two pseudonyms")
		}
		if p[0] == p[2] || p[0] == p[3] || p[2] == p[3] {
			t.Error("two people share a pseudonym")
		}
		if p[4] == p[0] {
			t.Error("alice's pseudonym did not change with the month")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM usage_keys`); n != 2 {
			t.Errorf("month keys: %d, want 2", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM usage_events WHERE audience = 'staff' AND name = ?`, store.FeatureNoteAdded); n != 1 {
			t.Errorf("staff events: %d, want 1", n)
		}
		if err := db.RecordUsage(context.Background(), alice.ID, "click", "x"); err == nil {
			t.Error("an event of an unknown kind was recorded")
		}
	})
}

func TestUsageObjectionRecordsNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		alice := user(t, db, "alice@example.com", "customer")
		bob := user(t, db, "bob@example.com", "customer")
		record(t, db, alice.ID, store.UsagePage, ticketPage) // before she objects
		record(t, db, bob.ID, store.UsagePage, ticketPage)
		object(t, db, alice.ID, true)
		// Objecting takes back her earlier events too; bob's stay.
		if n := count(t, db, `SELECT COUNT(*) FROM usage_events`); n != 1 {
			t.Fatalf("%d events after alice objected, want bob's 1", n)
		}
		if ev, err := db.UsageEvents(context.Background(), alice.ID); err != nil || len(ev) != 0 {
			t.Fatalf("alice's events after objecting: %v, %v", ev, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'choice_changed' AND detail LIKE '%"usage_events_deleted":1%'`); n != 1 {
			t.Errorf("audit rows counting the deleted events: %d, want 1", n)
		}
		db.X.MustExec(`DELETE FROM usage_events`)
		record(t, db, alice.ID, store.UsagePage, ticketPage)
		record(t, db, alice.ID, store.UsageFeature, store.FeatureSignedIn)
		if n := count(t, db, `SELECT COUNT(*) FROM usage_events`); n != 0 {
			t.Fatalf("%d events recorded after an objection", n)
		}
		object(t, db, alice.ID, false) // withdrawn
		record(t, db, alice.ID, store.UsagePage, ticketPage)
		if n := count(t, db, `SELECT COUNT(*) FROM usage_events`); n != 1 {
			t.Fatalf("%d events after the objection was withdrawn, want 1", n)
		}
	})
}

func TestSweepUsageAggregatesThenDeletes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		oct1 := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
		move := usageClock(db, oct1)
		alice := user(t, db, "alice@example.com", "customer")
		bob := user(t, db, "bob@example.com", "customer")
		sam := user(t, db, "sam@example.com", "staff")
		record(t, db, alice.ID, store.UsagePage, ticketPage)
		record(t, db, alice.ID, store.UsagePage, ticketPage)
		record(t, db, bob.ID, store.UsageFeature, store.FeatureReplySent)
		record(t, db, sam.ID, store.UsagePage, "GET /inbox")
		move(oct1.Add(24 * time.Hour))
		record(t, db, alice.ID, store.UsagePage, ticketPage)

		// Two days later: both days are added up, nothing is old enough to go.
		move(oct1.Add(48 * time.Hour))
		n, err := db.SweepUsage(ctx, 30*24*time.Hour, 2)
		if err != nil || n != 0 {
			t.Fatalf("first sweep: %d, %v", n, err)
		}
		if got := count(t, db, `SELECT active_users FROM usage_days WHERE day = '2026-10-01'`); got != 3 {
			t.Errorf("active users on Oct 1: %d, want 3", got)
		}
		if got := count(t, db, `SELECT active_customers FROM usage_days WHERE day = '2026-10-01'`); got != 2 {
			t.Errorf("active customers on Oct 1: %d, want 2", got)
		}

		// November 10: October's raw events are past 30 days.
		move(time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC))
		record(t, db, alice.ID, store.UsagePage, ticketPage)
		n, err = db.SweepUsage(ctx, 30*24*time.Hour, 2)
		if err != nil || n != 5+1 {
			t.Fatalf("second sweep: %d, %v; want 5 events and 1 key", n, err)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM usage_events`); got != 1 {
			t.Errorf("raw events left: %d, want today's 1", got)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM usage_keys WHERE month = '2026-10'`); got != 0 {
			t.Error("October's key outlived its events")
		}
		if got := count(t, db, `SELECT COUNT(*) FROM usage_keys WHERE month = '2026-11'`); got != 1 {
			t.Error("November's key is gone while its event is kept")
		}
		// Another run counts nothing twice.
		if n, err := db.SweepUsage(ctx, 30*24*time.Hour, 2); err != nil || n != 0 {
			t.Fatalf("third sweep: %d, %v", n, err)
		}
		if got := count(t, db, `SELECT count FROM usage_daily WHERE day = '2026-10-01' AND name = ? AND audience = 'customer'`, ticketPage); got != 2 {
			t.Errorf("ticket page views kept for Oct 1: %d, want 2", got)
		}
		if got := count(t, db, `SELECT SUM(count) FROM usage_daily`); got != 5 {
			t.Errorf("events counted: %d, want 5", got)
		}

		r, err := db.UsageReport(ctx, 60)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Days) != 60 || r.Days[59].Day != "2026-11-10" || r.Days[59].ActiveUsers != 1 {
			t.Fatalf("report days: %d, last %+v", len(r.Days), r.Days[len(r.Days)-1])
		}
		if len(r.Pages) == 0 || r.Pages[0].Name != ticketPage || r.Pages[0].Customers != 4 {
			t.Errorf("report pages: %+v", r.Pages)
		}
		if len(r.Features) != 1 || r.Features[0].Total() != 1 {
			t.Errorf("report features: %+v", r.Features)
		}
	})
}

func TestUsageReportCountsTicketsByChannel(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		usageClock(db, time.Date(2026, 11, 10, 23, 30, 0, 0, time.UTC))
		deliver(t, db, newTicket("by mail"))
		d := newTicket("in the portal")
		d.Message.Source = "web"
		deliver(t, db, d)
		r, err := db.UsageReport(context.Background(), 30)
		if err != nil {
			t.Fatal(err)
		}
		today := r.Days[len(r.Days)-1]
		if today.Day != "2026-11-10" || today.TicketsByMail != 1 || today.TicketsInPortal != 1 {
			t.Errorf("today: %+v", today)
		}
	})
}

func TestUsageEventsExportAndErase(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		alice := user(t, db, "alice@example.com", "customer")
		bob := user(t, db, "bob@example.com", "customer")
		move := usageClock(db, time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC))
		record(t, db, alice.ID, store.UsagePage, ticketPage)
		record(t, db, bob.ID, store.UsagePage, "GET /tickets")
		move(time.Date(2026, 11, 1, 1, 0, 0, 0, time.UTC))
		record(t, db, alice.ID, store.UsageFeature, store.FeatureExportJSON)

		doc, err := db.Export(ctx, alice.Email, func(int64) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.UsageEvents) != 2 || doc.UsageEvents[0].Name != ticketPage || doc.UsageEvents[1].Name != store.FeatureExportJSON {
			t.Fatalf("alice's export: %+v", doc.UsageEvents)
		}
		if doc.UsageEvents[0].Pseudonym == doc.UsageEvents[1].Pseudonym {
			t.Error("one pseudonym across two months")
		}

		if _, err := db.Erase(ctx, alice.ID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM usage_events`); got != 1 {
			t.Errorf("events after erasing alice: %d, want bob's 1", got)
		}
		left, err := db.UsageEvents(ctx, bob.ID)
		if err != nil || len(left) != 1 || left[0].Name != "GET /tickets" {
			t.Errorf("bob's events: %+v, %v", left, err)
		}
		record(t, db, alice.ID, store.UsagePage, ticketPage)
		if got := count(t, db, `SELECT COUNT(*) FROM usage_events`); got != 1 {
			t.Error("an erased person's page view was recorded")
		}
	})
}

func BenchmarkRecordUsage(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		b.Run(dialect, func(b *testing.B) {
			db := testdb.Open(b, dialect)
			u, err := db.SetRole(context.Background(), "alice@example.com", "customer")
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				if err := db.RecordUsage(ctx, u.ID, store.UsagePage, ticketPage); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

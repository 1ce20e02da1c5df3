package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// berlin reads a wall-clock time in Berlin.
func berlin(t testing.TB, wall string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", wall, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

// slaDesk is a database with a default Berlin office schedule (Mon–Fri
// 09:00–17:00) and a clock the test sets.
func slaDesk(t *testing.T, db *store.DB) (admin *store.User, setClock func(string)) {
	t.Helper()
	now := berlin(t, "2026-12-07 08:00")
	db.Now = func() time.Time { return now }
	db.NoticeWait = 0
	admin, err := db.EnsureUser(context.Background(), "ada@desk.test", "Ada", "admin")
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.SaveSchedule(context.Background(), admin.ID, store.Schedule{Name: "Office", Zone: "Europe/Berlin", IsDefault: true,
		Week: "mon 09:00-17:00\ntue 09:00-17:00\nwed 09:00-17:00\nthu 09:00-17:00\nfri 09:00-17:00"})
	if err != nil {
		t.Fatal(err)
	}
	return admin, func(wall string) { now = berlin(t, wall) }
}

func savePolicy(t testing.TB, db *store.DB, p store.SLAPolicy) int64 {
	t.Helper()
	id, err := db.SaveSLAPolicy(context.Background(), 0, p)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func ticketSLA(t testing.TB, db *store.DB, ticketID int64) *store.TicketSLA {
	t.Helper()
	s, err := db.TicketSLA(context.Background(), ticketID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func wantTime(t testing.TB, what string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil || !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func wantNil(t testing.TB, what string, got *time.Time) {
	t.Helper()
	if got != nil {
		t.Errorf("%s = %v, want none", what, got)
	}
}

func change(t testing.TB, db *store.DB, c store.Change) {
	t.Helper()
	if err := db.ChangeTicket(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// TestSLALifecycle: create → pending (paused) → resumed (dues move later
// by the business time paused) → a note (no first response) → the first
// public reply → resolved → reopened by the customer (the resolution
// clock continues from where it stopped).
func TestSLALifecycle(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, at := slaDesk(t, db)
		mia := namedStaff(t, db, miaAddr, "Mia")
		savePolicy(t, db, store.SLAPolicy{Priority: "normal", FirstResponse: 4 * 3600, Resolution: 16 * 3600})

		at("2026-12-07 10:00") // Monday
		tk := deliver(t, db, newTicket("Printer on fire"))
		s := ticketSLA(t, db, tk.TicketID)
		wantTime(t, "first response due", s.FirstResponseDue, berlin(t, "2026-12-07 14:00"))
		wantTime(t, "resolution due", s.ResolutionDue, berlin(t, "2026-12-09 10:00"))
		wantTime(t, "next due", s.NextDue(), berlin(t, "2026-12-07 14:00"))

		at("2026-12-07 11:00")
		change(t, db, store.Change{TicketID: tk.TicketID, ActorID: mia.ID, Status: "pending"})
		s = ticketSLA(t, db, tk.TicketID)
		wantTime(t, "paused at", s.PausedAt, berlin(t, "2026-12-07 11:00"))
		wantTime(t, "first response due while paused", s.FirstResponseDue, berlin(t, "2026-12-07 14:00"))
		wantNil(t, "next due while paused", s.NextDue())

		at("2026-12-08 11:00") // 8 business hours later
		change(t, db, store.Change{TicketID: tk.TicketID, ActorID: mia.ID, Status: "open"})
		s = ticketSLA(t, db, tk.TicketID)
		wantNil(t, "paused at", s.PausedAt)
		wantTime(t, "first response due", s.FirstResponseDue, berlin(t, "2026-12-08 14:00"))
		wantTime(t, "resolution due", s.ResolutionDue, berlin(t, "2026-12-10 10:00"))

		at("2026-12-08 12:00")
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: tk.TicketID, AuthorID: mia.ID, Text: "internal", Note: true}); err != nil {
			t.Fatal(err)
		}
		wantNil(t, "first response after a note", ticketSLA(t, db, tk.TicketID).FirstResponseAt)

		at("2026-12-08 13:00")
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: tk.TicketID, AuthorID: mia.ID, Text: "On it"}); err != nil {
			t.Fatal(err)
		}
		s = ticketSLA(t, db, tk.TicketID)
		wantTime(t, "first response", s.FirstResponseAt, berlin(t, "2026-12-08 13:00"))
		wantTime(t, "next due after the first response", s.NextDue(), berlin(t, "2026-12-10 10:00"))

		at("2026-12-09 12:00")
		change(t, db, store.Change{TicketID: tk.TicketID, ActorID: mia.ID, Status: "resolved"})
		s = ticketSLA(t, db, tk.TicketID)
		wantTime(t, "resolved at", s.ResolvedAt, berlin(t, "2026-12-09 12:00"))
		wantTime(t, "resolution due", s.ResolutionDue, berlin(t, "2026-12-10 10:00"))

		at("2026-12-10 09:30") // 6 business hours were left
		d := reply(tk.TicketID, "alice@example.com")
		d.Reopen = true
		deliver(t, db, d)
		s = ticketSLA(t, db, tk.TicketID)
		wantNil(t, "resolved at after reopening", s.ResolvedAt)
		wantTime(t, "resolution due after reopening", s.ResolutionDue, berlin(t, "2026-12-10 15:30"))
		wantTime(t, "first response stays", s.FirstResponseAt, berlin(t, "2026-12-08 13:00"))

		// A ticket staff start is answered as it is made.
		started, err := db.StartTicket(ctx, store.StaffStart{StaffID: mia.ID, To: store.Person{Email: "bea@example.com"},
			Subject: "Your order", Text: "It shipped."})
		if err != nil {
			t.Fatal(err)
		}
		s = ticketSLA(t, db, started.TicketID)
		wantTime(t, "staff-started first response", s.FirstResponseAt, berlin(t, "2026-12-10 09:30"))
		wantTime(t, "staff-started next due", s.NextDue(), berlin(t, "2026-12-14 09:30")) // 7.5 h Thu, 8 h Fri, 0.5 h Mon
	})
}

// TestSLAPolicyChoice: a category's policy beats the priority's; changing
// the priority re-picks and recomputes from creation; a ticket no policy
// fits has no row; a schedule's new zone counts from the next event.
func TestSLAPolicyChoice(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		admin, at := slaDesk(t, db)
		savePolicy(t, db, store.SLAPolicy{Priority: "normal", FirstResponse: 4 * 3600})
		savePolicy(t, db, store.SLAPolicy{Priority: "normal", Category: "billing", FirstResponse: 3600})
		savePolicy(t, db, store.SLAPolicy{Priority: "urgent", FirstResponse: 1800})

		at("2026-12-07 10:00")
		general := deliver(t, db, newTicket("General"))
		b := newTicket("Billing")
		b.Category = "billing"
		billing := deliver(t, db, b)
		wantTime(t, "general", ticketSLA(t, db, general.TicketID).FirstResponseDue, berlin(t, "2026-12-07 14:00"))
		wantTime(t, "billing", ticketSLA(t, db, billing.TicketID).FirstResponseDue, berlin(t, "2026-12-07 11:00"))

		at("2026-12-07 10:10")
		change(t, db, store.Change{TicketID: general.TicketID, ActorID: admin.ID, Priority: "urgent"})
		wantTime(t, "urgent", ticketSLA(t, db, general.TicketID).FirstResponseDue, berlin(t, "2026-12-07 10:30"))
		change(t, db, store.Change{TicketID: billing.TicketID, ActorID: admin.ID, Category: "general"})
		wantTime(t, "billing moved to general", ticketSLA(t, db, billing.TicketID).FirstResponseDue, berlin(t, "2026-12-07 14:00"))

		change(t, db, store.Change{TicketID: general.TicketID, ActorID: admin.ID, Priority: "low"})
		if _, err := db.TicketSLA(ctx, general.TicketID); err == nil {
			t.Error("a low ticket (no policy) kept its SLA row")
		}

		// The office moves to New York: 10:00 Berlin is 04:00 there, so
		// four business hours run from 09:00 New York (15:00 Berlin).
		scheds, err := db.Schedules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		office := scheds[0]
		office.Zone = "America/New_York"
		if _, err := db.SaveSchedule(ctx, admin.ID, office); err != nil {
			t.Fatal(err)
		}
		change(t, db, store.Change{TicketID: billing.TicketID, ActorID: admin.ID, Status: "pending"})
		change(t, db, store.Change{TicketID: billing.TicketID, ActorID: admin.ID, Status: "open"})
		wantTime(t, "after the zone change", ticketSLA(t, db, billing.TicketID).FirstResponseDue, berlin(t, "2026-12-07 19:00"))
	})
}

// TestSLABreachOnce: two sweeps racing tell each breach once, to the
// assignee or, unassigned, to every staff member; a paused ticket
// breaches nothing.
func TestSLABreachOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		admin, at := slaDesk(t, db)
		mia := namedStaff(t, db, miaAddr, "Mia")
		namedStaff(t, db, bobAddr, "Bob")
		savePolicy(t, db, store.SLAPolicy{Priority: "normal", FirstResponse: 3600, Resolution: 2 * 3600})

		at("2026-12-07 10:00")
		unassigned := deliver(t, db, newTicket("Nobody's"))
		mine := deliver(t, db, newTicket("Mia's"))
		change(t, db, store.Change{TicketID: mine.TicketID, ActorID: admin.ID, Assignee: &mia.ID})
		paused := deliver(t, db, newTicket("Waiting"))
		change(t, db, store.Change{TicketID: paused.TicketID, ActorID: admin.ID, Status: "pending"})

		sweep := func() int {
			var wg sync.WaitGroup
			var mu sync.Mutex
			total := 0
			for range 2 {
				wg.Go(func() {
					n, err := db.TellSLABreaches(ctx)
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					total += n
					mu.Unlock()
				})
			}
			wg.Wait()
			return total
		}
		at("2026-12-07 10:59")
		if n := sweep(); n != 0 {
			t.Fatalf("before the due: %d told", n)
		}
		at("2026-12-07 11:30") // first responses missed
		if n := sweep(); n != 2 {
			t.Fatalf("first sweep told %d breaches, want 2", n)
		}
		if n := sweep(); n != 0 {
			t.Fatalf("second sweep told %d breaches again", n)
		}
		breaches := func(ticket int64) int {
			return count(t, db, `SELECT COUNT(*) FROM staff_events WHERE kind = ? AND ticket_id = ?`, store.NoticeSLABreach, ticket)
		}
		if n := breaches(unassigned.TicketID); n != 3 { // Ada, Mia, Bob
			t.Errorf("unassigned ticket: %d staff told, want 3", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM staff_events WHERE kind = ? AND ticket_id = ? AND user_id = ?`,
			store.NoticeSLABreach, mine.TicketID, mia.ID); n != 1 || breaches(mine.TicketID) != 1 {
			t.Errorf("assigned ticket: told %d (mia %d), want mia alone", breaches(mine.TicketID), n)
		}
		if n := breaches(paused.TicketID); n != 0 {
			t.Errorf("paused ticket told of %d times", n)
		}
		at("2026-12-07 12:30") // resolutions missed
		if n := sweep(); n != 2 {
			t.Fatalf("resolution sweep told %d, want 2", n)
		}
		s := ticketSLA(t, db, mine.TicketID)
		if !s.FirstResponseNotified || !s.ResolutionNotified {
			t.Errorf("flags = %v %v, want both set", s.FirstResponseNotified, s.ResolutionNotified)
		}
	})
}

// TestSLAAdminValidation: what an admin cannot save is refused with a reason.
func TestSLAAdminValidation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, s := range []store.Schedule{
			{Name: "", Zone: "UTC", Week: "mon 09:00-17:00"},
			{Name: "X", Zone: "Mars/Olympus", Week: "mon 09:00-17:00"},
			{Name: "X", Zone: "UTC", Week: ""},
			{Name: "X", Zone: "UTC", Week: "mon 17:00-09:00"},
		} {
			if _, err := db.SaveSchedule(ctx, 0, s); err == nil {
				t.Errorf("saved %+v", s)
			}
		}
		id, err := db.SaveSchedule(ctx, 0, store.Schedule{Name: "X", Zone: "UTC", Week: "mon 09:00-17:00"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.AddHoliday(ctx, 0, store.Holiday{ScheduleID: id, Day: "2026-12-25", Name: "Christmas"}); err != nil {
			t.Fatal(err)
		}
		if err := db.AddHoliday(ctx, 0, store.Holiday{ScheduleID: id, Day: "2026-12-25", Name: "Again"}); err == nil {
			t.Error("the same day twice")
		}
		if err := db.AddHoliday(ctx, 0, store.Holiday{ScheduleID: id, Day: "25.12.2026", Name: "X"}); err == nil {
			t.Error("a bad date")
		}
		if _, err := db.SaveSLAPolicy(ctx, 0, store.SLAPolicy{Priority: "normal"}); err == nil {
			t.Error("a policy without targets")
		}
		savePolicy(t, db, store.SLAPolicy{Priority: "normal", FirstResponse: 60})
		if _, err := db.SaveSLAPolicy(ctx, 0, store.SLAPolicy{Priority: "normal", Resolution: 60}); err == nil {
			t.Error("a second policy for the same priority")
		}
	})
}

// TestInboxSortDue: sort=due lists the nearest running due first, tickets
// without a running clock last, with the filters, page by page.
func TestInboxSortDue(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		admin, at := slaDesk(t, db)
		savePolicy(t, db, store.SLAPolicy{Priority: "normal", FirstResponse: 4 * 3600})
		savePolicy(t, db, store.SLAPolicy{Priority: "urgent", FirstResponse: 3600})
		var ids []int64
		for i, wall := range []string{"2026-12-07 09:00", "2026-12-07 09:30", "2026-12-07 10:00", "2026-12-07 10:30"} {
			at(wall)
			d := newTicket(fmt.Sprintf("T%d", i))
			if i == 3 {
				d.Priority = "low" // no policy
			}
			ids = append(ids, deliver(t, db, d).TicketID)
		}
		change(t, db, store.Change{TicketID: ids[2], ActorID: admin.ID, Priority: "urgent"}) // due 11:00: first
		// Due order: #3 (11:00), #1 (13:00), #2 (13:30), then #4 (none).
		want := []int64{ids[2], ids[0], ids[1], ids[3]}
		var got []int64
		var after *store.Cursor
		for range 3 {
			page, err := db.Inbox(ctx, store.InboxQuery{Queue: store.QueueOpen, Sort: store.SortDue, Limit: 3, After: after})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Rows {
				got = append(got, r.ID)
			}
			if page.Next == nil {
				break
			}
			after, err = store.ParseCursor(page.Next.String())
			if err != nil {
				t.Fatal(err)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("order = %v, want %v", got, want)
		}
		page, err := db.Inbox(ctx, store.InboxQuery{Queue: store.QueueOpen, Sort: store.SortDue, Priority: "normal"})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Rows) != 2 || page.Rows[0].ID != ids[0] || page.Rows[0].SLANextDue() == nil {
			t.Errorf("filtered by priority: %+v", page.Rows)
		}
		if _, err := db.Inbox(ctx, store.InboxQuery{Sort: "nonsense"}); !errors.Is(err, store.ErrInvalidQuery) {
			t.Errorf("unknown sort: %v", err)
		}
	})
}

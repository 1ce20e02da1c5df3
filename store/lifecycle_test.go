package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// lifecycleDesk is a desk on an injected clock with one staff member and
// a ticket from alice.
type lifecycleDesk struct {
	db     *store.DB
	clock  *time.Time
	staff  *store.User
	ticket *store.Recorded
}

func newLifecycleDesk(t *testing.T, db *store.DB) *lifecycleDesk {
	t.Helper()
	clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock }
	db.Lifecycle = store.DefaultLifecycle()
	staff, err := db.EnsureUser(context.Background(), "mia@support.example", "Mia", "staff")
	if err != nil {
		t.Fatal(err)
	}
	return &lifecycleDesk{db: db, clock: &clock, staff: staff, ticket: deliver(t, db, newTicket("Printer broken"))}
}

func (d *lifecycleDesk) at(at time.Time) { *d.clock = at }

// ask is a staff reply that sets the ticket pending.
func (d *lifecycleDesk) ask(t *testing.T) {
	t.Helper()
	if _, err := d.db.AddStaffReply(context.Background(), store.StaffReply{TicketID: d.ticket.TicketID, AuthorID: d.staff.ID,
		Text: "Which model is it?", Status: "pending"}); err != nil {
		t.Fatal(err)
	}
}

func (d *lifecycleDesk) sweep(t *testing.T) store.LifecycleSweep {
	t.Helper()
	s, err := d.db.SweepLifecycle(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (d *lifecycleDesk) status(t *testing.T) string {
	t.Helper()
	tk, err := d.db.Ticket(context.Background(), d.ticket.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	return tk.Status
}

// mails counts alice's mails of a kind.
func (d *lifecycleDesk) mails(t *testing.T, kind string) int {
	t.Helper()
	return count(t, d.db, `SELECT COUNT(*) FROM emails WHERE to_email = 'alice@example.com' AND kind = ?`, kind)
}

// TestAutoClose: a pending ticket is warned once 48 h before its 7 days
// run out; the customer's answer keeps it open; pending again, it is
// warned again, resolved on time with the usual status mail and a history
// that says why, then closed silently 7 days later.
func TestAutoClose(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newLifecycleDesk(t, db)
		ctx := context.Background()
		t0 := *d.clock
		d.ask(t)

		d.at(t0.Add(5*store.Day - time.Second))
		if s := d.sweep(t); s != (store.LifecycleSweep{}) {
			t.Fatalf("a second before the warning: %+v", s)
		}
		d.at(t0.Add(5 * store.Day))
		if s := d.sweep(t); s.Warned != 1 || s.Resolved != 0 {
			t.Fatalf("at the warning: %+v", s)
		}
		d.at(t0.Add(5*store.Day + time.Hour))
		if s := d.sweep(t); s.Warned != 0 {
			t.Fatalf("warned twice: %+v", s)
		}
		if n := d.mails(t, store.EmailAutocloseWarning); n != 1 {
			t.Fatalf("%d warnings, want 1", n)
		}

		// The customer answers: open again, and nothing closes it.
		d.at(t0.Add(6 * store.Day))
		r := reply(d.ticket.TicketID, "alice@example.com")
		r.Reopen = true
		deliver(t, db, r)
		d.at(t0.Add(20 * store.Day))
		if s := d.sweep(t); s != (store.LifecycleSweep{}) || d.status(t) != "open" {
			t.Fatalf("after the answer: %+v, status %s", s, d.status(t))
		}

		// Pending again: a new period, warned again, resolved on time.
		t1 := *d.clock
		d.ask(t)
		d.at(t1.Add(5 * store.Day))
		if s := d.sweep(t); s.Warned != 1 {
			t.Fatalf("second period's warning: %+v", s)
		}
		if n := d.mails(t, store.EmailAutocloseWarning); n != 2 {
			t.Fatalf("%d warnings, want 2", n)
		}
		d.at(t1.Add(7*store.Day - time.Second))
		if s := d.sweep(t); s.Resolved != 0 || d.status(t) != "pending" {
			t.Fatalf("a second early: %+v, %s", s, d.status(t))
		}
		d.at(t1.Add(7 * store.Day))
		if s := d.sweep(t); s.Resolved != 1 || d.status(t) != "resolved" {
			t.Fatalf("on time: %+v, %s", s, d.status(t))
		}
		if n := d.mails(t, store.EmailStatus); n != 1 {
			t.Fatalf("%d status mails, want 1", n)
		}
		acts, err := db.Activities(ctx, d.ticket.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		last := acts[len(acts)-1]
		if last.Kind != store.ActivityAutoclose || last.ActorID != nil || last.NewValue != "after 7 days without an answer" {
			t.Errorf("last activity %+v", last)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE ticket_id = ? AND action = ? AND actor_id IS NULL AND detail LIKE ?`,
			d.ticket.TicketID, store.AuditTicketChange, "%after 7 days without an answer%"); n != 1 {
			t.Errorf("%d audit entries saying why", n)
		}

		// Closed DARGO_CLOSE_DAYS later, with no mail.
		sent := count(t, db, `SELECT COUNT(*) FROM emails`)
		d.at(t1.Add(14*store.Day - time.Second))
		if s := d.sweep(t); s.Closed != 0 {
			t.Fatalf("closed early: %+v", s)
		}
		d.at(t1.Add(14 * store.Day))
		if s := d.sweep(t); s.Closed != 1 || d.status(t) != "closed" {
			t.Fatalf("close: %+v, %s", s, d.status(t))
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails`); n != sent {
			t.Errorf("closing mailed: %d emails, was %d", n, sent)
		}
	})
}

// TestAutoCloseLateWarning: a ticket overdue without a warning (the
// scheduler was down, or the setting is new) is warned first and resolved
// the warning's time later, never unannounced; a staff reply to a pending
// ticket restarts its clock.
func TestAutoCloseLateWarning(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newLifecycleDesk(t, db)
		t0 := *d.clock
		d.ask(t)
		d.at(t0.Add(3 * store.Day))
		d.ask(t) // asked again: the clock starts over
		d.at(t0.Add(7 * store.Day))
		if s := d.sweep(t); s != (store.LifecycleSweep{}) {
			t.Fatalf("7 days after the first question: %+v", s)
		}
		d.at(t0.Add(30 * store.Day))
		if s := d.sweep(t); s.Warned != 1 || s.Resolved != 0 {
			t.Fatalf("overdue: %+v", s)
		}
		d.at(t0.Add(32*store.Day - time.Second))
		if s := d.sweep(t); s.Resolved != 0 {
			t.Fatalf("resolved before the warning ran out: %+v", s)
		}
		d.at(t0.Add(32 * store.Day))
		if s := d.sweep(t); s.Resolved != 1 {
			t.Fatalf("after the warning: %+v", s)
		}
	})
}

// TestAutoCloseSettingsOff: 0 days never auto-closes nor closes; no
// warning hours resolves on time without a warning.
func TestAutoCloseSettingsOff(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newLifecycleDesk(t, db)
		t0 := *d.clock
		db.Lifecycle = store.Lifecycle{}
		d.ask(t)
		d.at(t0.Add(400 * store.Day))
		if s := d.sweep(t); s != (store.LifecycleSweep{}) || d.status(t) != "pending" {
			t.Fatalf("all off: %+v, %s", s, d.status(t))
		}
		db.Lifecycle = store.Lifecycle{AutoClose: 7 * store.Day}
		if s := d.sweep(t); s.Resolved != 1 || s.Warned != 0 {
			t.Fatalf("no warning: %+v", s)
		}
		if n := d.mails(t, store.EmailAutocloseWarning); n != 0 {
			t.Errorf("%d warnings with warnings off", n)
		}
		d.at(t0.Add(800 * store.Day))
		if s := d.sweep(t); s.Closed != 0 || d.status(t) != "resolved" {
			t.Fatalf("close off: %+v, %s", s, d.status(t))
		}
	})
}

// TestLifecycleSweepsAtOnce: two sweeps at the same time warn each ticket
// once and resolve it once.
func TestLifecycleSweepsAtOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newLifecycleDesk(t, db)
		ctx := context.Background()
		t0 := *d.clock
		ids := []int64{d.ticket.TicketID}
		for range 9 {
			ids = append(ids, deliver(t, db, newTicket("More")).TicketID)
		}
		for _, id := range ids {
			if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: id, AuthorID: d.staff.ID, Text: "Which?", Status: "pending"}); err != nil {
				t.Fatal(err)
			}
		}
		both := func() store.LifecycleSweep {
			var wg sync.WaitGroup
			var mu sync.Mutex
			var sum store.LifecycleSweep
			for range 2 {
				wg.Go(func() {
					s, err := db.SweepLifecycle(ctx)
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					sum.Warned, sum.Resolved = sum.Warned+s.Warned, sum.Resolved+s.Resolved
					mu.Unlock()
				})
			}
			wg.Wait()
			return sum
		}
		d.at(t0.Add(5 * store.Day))
		if s := both(); s.Warned != 10 {
			t.Errorf("warned %d, want 10", s.Warned)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = ?`, store.EmailAutocloseWarning); n != 10 {
			t.Errorf("%d warning mails, want 10", n)
		}
		d.at(t0.Add(7 * store.Day))
		if s := both(); s.Resolved != 10 {
			t.Errorf("resolved %d, want 10", s.Resolved)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = ?`, store.EmailStatus); n != 10 {
			t.Errorf("%d status mails, want 10", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM activity WHERE kind = ?`, store.ActivityAutoclose); n != 10 {
			t.Errorf("%d auto-close activities, want 10", n)
		}
	})
}

// TestReopenWindow: an answer to a ticket closed exactly DARGO_REOPEN_DAYS
// ago (or less) reopens it; a second later it opens a linked follow-up
// with a confirmation, and later answers to the old thread join the
// follow-up; automatic mail stays on the old ticket; 0 always reopens.
func TestReopenWindow(t *testing.T) {
	answer := func(id int64, auto bool) *store.Incoming {
		r := reply(id, "alice@example.com")
		r.Reopen, r.Confirm, r.Message.Auto = !auto, !auto, auto
		return r
	}
	cases := []struct {
		name      string
		after     time.Duration
		reopenFor time.Duration
		followUp  bool
	}{
		{"a second before the limit", 30*store.Day - time.Second, 30 * store.Day, false},
		{"exactly at the limit", 30 * store.Day, 30 * store.Day, false},
		{"a second after the limit", 30*store.Day + time.Second, 30 * store.Day, true},
		{"window off", 900 * store.Day, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				d := newLifecycleDesk(t, db)
				ctx := context.Background()
				db.Lifecycle.Reopen = c.reopenFor
				closedAt := *d.clock
				if err := db.ChangeTicket(ctx, store.Change{TicketID: d.ticket.TicketID, ActorID: d.staff.ID, Status: "closed"}); err != nil {
					t.Fatal(err)
				}
				d.at(closedAt.Add(c.after))
				got := deliver(t, db, answer(d.ticket.TicketID, false))
				if got.Created != c.followUp || (got.TicketID == d.ticket.TicketID) == c.followUp {
					t.Fatalf("created %v ticket %d (old %d), want follow-up %v", got.Created, got.TicketID, d.ticket.TicketID, c.followUp)
				}
				if !c.followUp {
					if s := d.status(t); s != "open" {
						t.Errorf("reopened as %s", s)
					}
					return
				}
				if s := d.status(t); s != "closed" {
					t.Errorf("the old ticket is %s", s)
				}
				links, err := db.TicketLinks(ctx, &store.Ticket{ID: got.TicketID, FollowUpOf: &d.ticket.TicketID})
				if err != nil || links.FollowUpOf == nil || links.FollowUpOf.ID != d.ticket.TicketID {
					t.Fatalf("new ticket's links %+v, %v", links, err)
				}
				old, _ := db.Ticket(ctx, d.ticket.TicketID)
				links, err = db.TicketLinks(ctx, old)
				if err != nil || len(links.ContinuedIn) != 1 || links.ContinuedIn[0].ID != got.TicketID || links.ContinuedIn[0].Subject != "Printer broken" {
					t.Fatalf("old ticket's links %+v, %v", links, err)
				}
				if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = ? AND ticket_id = ?`, store.EmailConfirmation, got.TicketID); n != 1 {
					t.Errorf("%d confirmations of the follow-up", n)
				}
				// Another answer to the old thread joins the follow-up.
				again := deliver(t, db, answer(d.ticket.TicketID, false))
				if again.TicketID != got.TicketID || again.Created {
					t.Errorf("second answer went to %d (created %v), want %d", again.TicketID, again.Created, got.TicketID)
				}
				// Someone else's answer to the old thread opens their own
				// follow-up: it never lands in alice's.
				bob := reply(d.ticket.TicketID, "bob@example.com")
				bob.Reopen, bob.Message.SenderAuth = true, store.SenderVerified
				theirs := deliver(t, db, bob)
				if !theirs.Created || theirs.TicketID == got.TicketID || theirs.TicketID == d.ticket.TicketID {
					t.Errorf("bob's answer went to %d (created %v); alice's follow-up is %d", theirs.TicketID, theirs.Created, got.TicketID)
				}
				if n := count(t, db, `SELECT COUNT(*) FROM participants p JOIN users u ON u.id = p.user_id
					WHERE p.ticket_id = ? AND u.email = 'bob@example.com'`, got.TicketID); n != 0 {
					t.Errorf("bob joined alice's follow-up")
				}
				// An auto-reply stays on the old ticket and opens nothing.
				auto := deliver(t, db, answer(d.ticket.TicketID, true))
				if auto.TicketID != d.ticket.TicketID || auto.Created || d.status(t) != "closed" {
					t.Errorf("auto-reply went to %d (created %v), status %s", auto.TicketID, auto.Created, d.status(t))
				}
			})
		})
	}
}

// TestSnooze: a snoozed ticket leaves the queues until its time (exactly,
// before any sweep), then the sweep wakes it once and tells its assignee,
// who follows it; a customer's answer wakes it at once without a second
// notice; staff unsnooze; past times and resolved tickets are refused.
func TestSnooze(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newLifecycleDesk(t, db)
		ctx := context.Background()
		t0 := *d.clock
		id := d.ticket.TicketID
		if err := db.ChangeTicket(ctx, store.Change{TicketID: id, ActorID: d.staff.ID, Assignee: &d.staff.ID}); err != nil {
			t.Fatal(err)
		}
		in := func(queue string) bool {
			t.Helper()
			page, err := db.Inbox(ctx, store.InboxQuery{Queue: queue, ViewerID: d.staff.ID})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Rows {
				if r.ID == id {
					return true
				}
			}
			return false
		}
		notices := func() int {
			return count(t, db, `SELECT COUNT(*) FROM staff_events WHERE kind = ? AND ticket_id = ?`, store.NoticeSnoozeEnded, id)
		}
		if err := db.Snooze(ctx, id, d.staff.ID, t0.Add(-time.Minute)); err == nil {
			t.Error("a snooze into the past was taken")
		}
		if err := db.Snooze(ctx, id, d.staff.ID, t0.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if in(store.QueueOpen) || in(store.QueueMine) || in(store.QueueUnassigned) || !in(store.QueueSnoozed) || !in(store.QueueAll) {
			t.Errorf("snoozed: open %v mine %v snoozed %v all %v", in(store.QueueOpen), in(store.QueueMine), in(store.QueueSnoozed), in(store.QueueAll))
		}
		counts, err := db.QueueCounts(ctx, d.staff.ID)
		if err != nil || counts.Snoozed != 1 || counts.Open != 0 {
			t.Errorf("counts %+v, %v", counts, err)
		}
		d.at(t0.Add(3*time.Hour - time.Second))
		if s := d.sweep(t); s.Woken != 0 || in(store.QueueOpen) {
			t.Fatalf("a second early: %+v", s)
		}
		d.at(t0.Add(3 * time.Hour))
		if !in(store.QueueOpen) || in(store.QueueSnoozed) {
			t.Error("not back in the queue at its time, before the sweep")
		}
		if s := d.sweep(t); s.Woken != 1 || notices() != 1 {
			t.Fatalf("wake: %+v, %d notices", s, notices())
		}
		if s := d.sweep(t); s.Woken != 0 || notices() != 1 {
			t.Fatalf("second sweep: %+v, %d notices", s, notices())
		}

		// The customer writes: awake at once, told as a customer reply.
		if err := db.Snooze(ctx, id, d.staff.ID, t0.Add(3*store.Day)); err != nil {
			t.Fatal(err)
		}
		r := reply(id, "alice@example.com")
		r.Reopen = true
		deliver(t, db, r)
		if in(store.QueueSnoozed) || !in(store.QueueOpen) {
			t.Error("the customer's answer did not wake it")
		}
		d.at(t0.Add(4 * store.Day))
		if s := d.sweep(t); s.Woken != 0 || notices() != 1 {
			t.Errorf("after the answer: %+v, %d notices", s, notices())
		}

		// Unsnooze by hand tells nobody.
		if err := db.Snooze(ctx, id, d.staff.ID, t0.Add(5*store.Day)); err != nil {
			t.Fatal(err)
		}
		if err := db.Unsnooze(ctx, id, d.staff.ID); err != nil {
			t.Fatal(err)
		}
		if in(store.QueueSnoozed) || !in(store.QueueOpen) || notices() != 1 {
			t.Error("unsnooze")
		}
		acts, err := db.Activities(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, a := range acts {
			if a.Kind == store.ActivitySnooze || a.Kind == store.ActivityUnsnooze {
				kinds = append(kinds, a.Kind+":"+a.NewValue[:min(len(a.NewValue), 8)])
			}
		}
		if got := strings.Join(kinds, " "); got != "snooze:2026-03- unsnooze:time snooze:2026-03- unsnooze:customer snooze:2026-03- unsnooze:staff" {
			t.Errorf("history %s", got)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE ticket_id = ? AND action IN (?, ?)`, id, store.AuditTicketSnooze, store.AuditTicketUnsnooze); n != 6 {
			t.Errorf("%d snooze audit entries, want 6", n)
		}
		if err := db.ChangeTicket(ctx, store.Change{TicketID: id, ActorID: d.staff.ID, Status: "resolved"}); err != nil {
			t.Fatal(err)
		}
		if err := db.Snooze(ctx, id, d.staff.ID, t0.Add(6*store.Day)); err == nil {
			t.Error("a resolved ticket snoozed")
		}
	})
}

// TestSnoozeEndedTellsOnlyFollowers: the assignee who stopped following
// is not told; an unassigned ticket's snoozer who follows it is.
func TestSnoozeEndedTellsOnlyFollowers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newLifecycleDesk(t, db)
		ctx := context.Background()
		t0 := *d.clock
		other := deliver(t, db, newTicket("Second")).TicketID
		if err := db.ChangeTicket(ctx, store.Change{TicketID: d.ticket.TicketID, ActorID: d.staff.ID, Assignee: &d.staff.ID}); err != nil {
			t.Fatal(err)
		}
		if err := db.Unfollow(ctx, d.ticket.TicketID, d.staff.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.Follow(ctx, other, d.staff.ID); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{d.ticket.TicketID, other} {
			if err := db.Snooze(ctx, id, d.staff.ID, t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		d.at(t0.Add(time.Hour))
		if s := d.sweep(t); s.Woken != 2 {
			t.Fatalf("%+v", s)
		}
		for id, want := range map[int64]int{d.ticket.TicketID: 0, other: 1} {
			if n := count(t, db, `SELECT COUNT(*) FROM staff_events WHERE kind = ? AND ticket_id = ? AND user_id = ?`, store.NoticeSnoozeEnded, id, d.staff.ID); n != want {
				t.Errorf("ticket %d: %d notices, want %d", id, n, want)
			}
		}
	})
}

// TestSnoozePresets: the presets in a staff member's zone, across both
// DST changes of America/New_York in 2026.
func TestSnoozePresets(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name string
		now  string
		want map[string]string
	}{
		{"Saturday before spring forward", "2026-03-07T20:00:00Z", map[string]string{ // 15:00 EST
			"later":    "2026-03-07T23:00:00Z",
			"tomorrow": "2026-03-08T13:00:00Z", // 9:00 EDT
			"3days":    "2026-03-10T19:00:00Z", // 15:00 EDT
			"monday":   "2026-03-09T13:00:00Z",
		}},
		{"Saturday before fall back", "2026-10-31T16:00:00Z", map[string]string{ // 12:00 EDT
			"later":    "2026-10-31T19:00:00Z",
			"tomorrow": "2026-11-01T14:00:00Z", // 9:00 EST
			"3days":    "2026-11-03T17:00:00Z", // 12:00 EST
			"monday":   "2026-11-02T14:00:00Z",
		}},
		{"on a Monday, next Monday is a week on", "2026-03-09T14:00:00Z", map[string]string{ // 10:00 EDT
			"monday": "2026-03-16T13:00:00Z",
		}},
		{"late evening: tomorrow is the local tomorrow", "2026-03-08T03:30:00Z", map[string]string{ // Sat 22:30 EST
			"tomorrow": "2026-03-08T13:00:00Z",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for key, want := range c.want {
				got, ok := store.SnoozePreset(key, utc(c.now), ny)
				if !ok || !got.Equal(utc(want)) {
					t.Errorf("%s: %v, want %s", key, got.UTC(), want)
				}
			}
		})
	}
	if _, ok := store.SnoozePreset("never", time.Now(), ny); ok {
		t.Error("an unknown preset")
	}
}

// TestAutoCloseWaitsForSnooze: a snoozed pending ticket is neither warned
// nor resolved until its snooze ends; then it is warned first.
func TestAutoCloseWaitsForSnooze(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newLifecycleDesk(t, db)
		t0 := *d.clock
		d.ask(t)
		if err := db.Snooze(context.Background(), d.ticket.TicketID, d.staff.ID, t0.Add(10*store.Day)); err != nil {
			t.Fatal(err)
		}
		d.at(t0.Add(10*store.Day - time.Second))
		if s := d.sweep(t); s != (store.LifecycleSweep{}) {
			t.Fatalf("while snoozed: %+v", s)
		}
		d.at(t0.Add(10 * store.Day))
		if s := d.sweep(t); s.Warned != 1 || s.Resolved != 0 || s.Woken != 1 {
			t.Fatalf("at its end: %+v", s)
		}
		d.at(t0.Add(12 * store.Day))
		if s := d.sweep(t); s.Resolved != 1 {
			t.Fatalf("after the warning: %+v", s)
		}
	})
}

package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// The desk's staff in these tests: names matter to mentions.
const (
	miaAddr = "mia@desk.test"
	bobAddr = "bob@desk.test"
)

// namedStaff creates a staff member with a name.
func namedStaff(t testing.TB, db *store.DB, email, name string) *store.User {
	t.Helper()
	u, err := db.EnsureUser(context.Background(), email, name, "staff")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// fixClock stops db's clock at a whole second and returns a setter.
func fixClock(db *store.DB) (start time.Time, set func(time.Time)) {
	start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := start
	db.Now = func() time.Time { return now }
	return start, func(t time.Time) { now = t }
}

// notices lists the staff notice mails to a person, oldest first.
func notices(t testing.TB, db *store.DB, userID int64) []store.Email {
	t.Helper()
	var out []store.Email
	err := db.X.SelectContext(context.Background(), &out, db.X.Rebind(`SELECT * FROM emails WHERE kind = ? AND user_id = ? ORDER BY id`),
		store.EmailStaffNotice, userID)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// events lists a person's staff events of a kind ("" every kind), oldest first.
func events(t testing.TB, db *store.DB, userID int64, kind string) []store.StaffEvent {
	t.Helper()
	var out []store.StaffEvent
	err := db.X.SelectContext(context.Background(), &out, db.X.Rebind(`SELECT * FROM staff_events WHERE user_id = ? AND (kind = ? OR ? = '') ORDER BY id`),
		userID, kind, kind)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// told lists who has events of the kind about the ticket, by address.
func told(t testing.TB, db *store.DB, ticketID int64, kind string) []string {
	t.Helper()
	var out []string
	err := db.X.SelectContext(context.Background(), &out, db.X.Rebind(`SELECT DISTINCT u.email FROM staff_events e JOIN users u ON u.id = e.user_id
		WHERE e.ticket_id = ? AND e.kind = ? ORDER BY u.email`), ticketID, kind)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func wantTold(t testing.TB, db *store.DB, ticketID int64, kind string, want ...string) {
	t.Helper()
	if got := told(t, db, ticketID, kind); !slices.Equal(got, want) {
		t.Errorf("%s told about ticket %d: %q, want %q", kind, ticketID, got, want)
	}
}

// notBefore is when the outbox holds a mail until.
func notBefore(t testing.TB, db *store.DB, emailID int64) time.Time {
	t.Helper()
	var nb *time.Time
	if err := db.X.GetContext(context.Background(), &nb, db.X.Rebind(`SELECT not_before FROM outbox WHERE email_id = ?`), emailID); err != nil {
		t.Fatalf("outbox row of email %d: %v", emailID, err)
	}
	if nb == nil {
		return time.Time{}
	}
	return nb.UTC()
}

func TestNoticeNewTicket(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start, _ := fixClock(db)
		mia := namedStaff(t, db, miaAddr, "Mia Wong")
		bob := namedStaff(t, db, bobAddr, "Bob Stone")
		if err := db.SaveStaffPrefs(ctx, store.StaffPrefs{UserID: bob.ID, NewTicket: true, CustomerReply: true, Assigned: true,
			Mention: true, PrivacyDue: true, Categories: "billing"}); err != nil {
			t.Fatal(err)
		}
		demoted := namedStaff(t, db, "cat@desk.test", "Cat")
		if _, err := db.SetRole(ctx, demoted.Email, "customer"); err != nil {
			t.Fatal(err)
		}
		erased := namedStaff(t, db, "dan@desk.test", "Dan")
		exec(t, db, `UPDATE users SET erased_at = ? WHERE id = ?`, start, erased.ID)
		if _, err := db.EnsureUser(ctx, "carol@example.com", "Carol", "customer"); err != nil {
			t.Fatal(err)
		}

		general := deliver(t, db, newTicket("Printer on fire"))
		wantTold(t, db, general.TicketID, store.NoticeNewTicket, miaAddr)
		d := newTicket("Invoice twice")
		d.Category = "billing"
		billing := deliver(t, db, d)
		wantTold(t, db, billing.TicketID, store.NoticeNewTicket, bobAddr, miaAddr)

		// One held mail and one event per person and ticket.
		alice, _ := db.UserByEmail(ctx, "alice@example.com")
		for _, c := range []struct {
			who     *store.User
			tickets []int64
		}{{mia, []int64{general.TicketID, billing.TicketID}}, {bob, []int64{billing.TicketID}}} {
			mails := notices(t, db, c.who.ID)
			if len(mails) != len(c.tickets) {
				t.Fatalf("%s: %d notice mails, want %d", c.who.Email, len(mails), len(c.tickets))
			}
			for i, m := range mails {
				if m.Status != store.EmailQueued || m.ToEmail != c.who.Email || m.TicketID == nil || *m.TicketID != c.tickets[i] {
					t.Errorf("%s notice %d: %+v", c.who.Email, i, m)
				}
				if nb := notBefore(t, db, m.ID); !nb.Equal(start.Add(store.DefaultNoticeWait)) {
					t.Errorf("%s notice held until %v, want %v", c.who.Email, nb, start.Add(store.DefaultNoticeWait))
				}
			}
			evs := events(t, db, c.who.ID, "")
			if len(evs) != len(c.tickets) {
				t.Fatalf("%s: %d events, want %d", c.who.Email, len(evs), len(c.tickets))
			}
			for i, e := range evs {
				if e.Kind != store.NoticeNewTicket || e.TicketID != c.tickets[i] || e.EmailID == nil || *e.EmailID != mails[i].ID ||
					e.ActorID == nil || *e.ActorID != alice.ID || e.MessageID == nil {
					t.Errorf("%s event %d: %+v", c.who.Email, i, e)
				}
			}
		}

		// Automatic mail and spam tell nobody.
		auto := newTicket("Out of office")
		auto.Message.Auto = true
		spam := newTicket("Cheap pills")
		spam.Flag = "spam"
		for _, d := range []*store.Incoming{auto, spam} {
			got := deliver(t, db, d)
			wantTold(t, db, got.TicketID, store.NoticeNewTicket)
		}
		// Only staff were ever told.
		if n := count(t, db, `SELECT COUNT(*) FROM emails e JOIN users u ON u.id = e.user_id WHERE e.kind = ? AND u.email NOT IN (?, ?)`,
			store.EmailStaffNotice, miaAddr, bobAddr); n != 0 {
			t.Errorf("%d notices to others than mia and bob", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM staff_events WHERE user_id NOT IN (?, ?)`, mia.ID, bob.ID); n != 0 {
			t.Errorf("%d events for others than mia and bob", n)
		}
	})
}

func TestNoticeCustomerReply(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mia := namedStaff(t, db, miaAddr, "Mia Wong")
		bob := namedStaff(t, db, bobAddr, "Bob Stone")
		namedStaff(t, db, "cat@desk.test", "Cat")
		admin, _ := db.EnsureUser(ctx, "admin@desk.test", "Ada", "admin")
		got := deliver(t, db, newTicket("Printer on fire"))
		if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: admin.ID, Assignee: &mia.ID}); err != nil {
			t.Fatal(err)
		}
		if err := db.Follow(ctx, got.TicketID, bob.ID); err != nil {
			t.Fatal(err)
		}
		wantTold(t, db, got.TicketID, store.NoticeCustomerReply)
		r := deliver(t, db, reply(got.TicketID, "alice@example.com"))
		wantTold(t, db, got.TicketID, store.NoticeCustomerReply, bobAddr, miaAddr)
		for _, u := range []*store.User{mia, bob} {
			evs := events(t, db, u.ID, store.NoticeCustomerReply)
			if len(evs) != 1 || evs[0].MessageID == nil || *evs[0].MessageID != r.MessageID {
				t.Errorf("%s customer_reply events: %+v", u.Email, evs)
			}
		}
		// Bob writes in as a customer would: he is not told of his own message.
		deliver(t, db, reply(got.TicketID, bobAddr))
		if n := len(events(t, db, bob.ID, store.NoticeCustomerReply)); n != 1 {
			t.Errorf("bob told %d times, want 1 (not of his own message)", n)
		}
		if n := len(events(t, db, mia.ID, store.NoticeCustomerReply)); n != 2 {
			t.Errorf("mia told %d times, want 2", n)
		}
		// A ticket nobody is assigned to or follows tells nobody of answers.
		lone := deliver(t, db, newTicket("Nobody follows"))
		deliver(t, db, reply(lone.TicketID, "alice@example.com"))
		wantTold(t, db, lone.TicketID, store.NoticeCustomerReply)
		// Unfollowing stops it.
		if err := db.Unfollow(ctx, got.TicketID, bob.ID); err != nil {
			t.Fatal(err)
		}
		deliver(t, db, reply(got.TicketID, "alice@example.com"))
		if n := len(events(t, db, bob.ID, store.NoticeCustomerReply)); n != 1 {
			t.Errorf("bob told %d times after unfollowing, want 1", n)
		}
	})
}

func TestFollowOnAssign(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mia := namedStaff(t, db, miaAddr, "Mia Wong")
		bob := namedStaff(t, db, bobAddr, "Bob Stone")
		one := deliver(t, db, newTicket("One"))
		two := deliver(t, db, newTicket("Two"))
		// Bob assigns one to Mia: she is told and follows it.
		if err := db.ChangeTicket(ctx, store.Change{TicketID: one.TicketID, ActorID: bob.ID, Assignee: &mia.ID}); err != nil {
			t.Fatal(err)
		}
		wantTold(t, db, one.TicketID, store.NoticeAssigned, miaAddr)
		if evs := events(t, db, mia.ID, store.NoticeAssigned); len(evs) != 1 || evs[0].ActorID == nil || *evs[0].ActorID != bob.ID {
			t.Errorf("assigned events: %+v", evs)
		}
		// Mia takes two herself: she follows it, nobody is told.
		if err := db.ChangeTicket(ctx, store.Change{TicketID: two.TicketID, ActorID: mia.ID, Assignee: &mia.ID}); err != nil {
			t.Fatal(err)
		}
		wantTold(t, db, two.TicketID, store.NoticeAssigned)
		for _, id := range []int64{one.TicketID, two.TicketID} {
			fs, err := db.Followers(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != 1 || fs[0].ID != mia.ID {
				t.Errorf("followers of %d: %+v", id, fs)
			}
		}
		// Following twice is harmless; customers cannot follow.
		for range 2 {
			if err := db.Follow(ctx, one.TicketID, bob.ID); err != nil {
				t.Fatal(err)
			}
		}
		fs, _ := db.Followers(ctx, one.TicketID)
		if len(fs) != 2 || fs[0].Email != bobAddr || fs[1].Email != miaAddr {
			t.Errorf("followers: %+v", fs)
		}
		alice, _ := db.UserByEmail(ctx, "alice@example.com")
		if err := db.Follow(ctx, one.TicketID, alice.ID); err == nil {
			t.Error("a customer followed a ticket")
		}
		// Assigning the same person again tells nobody again.
		if err := db.ChangeTicket(ctx, store.Change{TicketID: one.TicketID, ActorID: bob.ID, Assignee: &mia.ID}); err != nil {
			t.Fatal(err)
		}
		if n := len(events(t, db, mia.ID, store.NoticeAssigned)); n != 1 {
			t.Errorf("mia told of %d assignments, want 1", n)
		}
	})
}

func TestPrivacyDue(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start, setClock := fixClock(db)
		mia := namedStaff(t, db, miaAddr, "Mia Wong")
		namedStaff(t, db, bobAddr, "Bob Stone")
		open := func(subject string) int64 {
			d := newTicket(subject)
			d.Category = store.PrivacyCategory
			return deliver(t, db, d).TicketID
		}
		assigned := open("Delete my data")
		if err := db.ChangeTicket(ctx, store.Change{TicketID: assigned, ActorID: mia.ID, Assignee: &mia.ID}); err != nil {
			t.Fatal(err)
		}
		unassigned := open("What do you keep about me?")
		resolved := open("Export my data")
		if err := db.ChangeTicket(ctx, store.Change{TicketID: resolved, ActorID: mia.ID, Status: "resolved"}); err != nil {
			t.Fatal(err)
		}
		setClock(start.Add(18 * 24 * time.Hour))
		young := open("Correct my address")

		setClock(start.Add(28 * 24 * time.Hour))
		for run := range 2 {
			n, err := db.TellPrivacyDue(ctx, 3*24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if want := []int{2, 0}[run]; n != want {
				t.Errorf("run %d told of %d requests, want %d", run, n, want)
			}
		}
		wantTold(t, db, assigned, store.NoticePrivacyDue, miaAddr)
		wantTold(t, db, unassigned, store.NoticePrivacyDue, bobAddr, miaAddr)
		wantTold(t, db, resolved, store.NoticePrivacyDue)
		wantTold(t, db, young, store.NoticePrivacyDue)
		evs := events(t, db, mia.ID, store.NoticePrivacyDue)
		if len(evs) != 2 || evs[0].Detail != start.Add(store.PrivacyDue).Format(time.RFC3339) || evs[0].ActorID != nil {
			t.Errorf("privacy events: %+v", evs)
		}
		// The sweep keeps them, so nobody is told twice.
		setClock(start.Add(400 * 24 * time.Hour))
		if _, err := db.SweepStaffEvents(ctx, 24*time.Hour, 100); err != nil {
			t.Fatal(err)
		}
		if n := len(events(t, db, mia.ID, store.NoticePrivacyDue)); n != 2 {
			t.Errorf("privacy events after sweep: %d, want 2", n)
		}
	})
}

func TestStaffPrefs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mia := namedStaff(t, db, miaAddr, "Mia Wong")
		p, err := db.StaffPrefs(ctx, mia.ID)
		if err != nil {
			t.Fatal(err)
		}
		if *p != store.DefaultStaffPrefs(mia.ID) {
			t.Errorf("unsaved prefs = %+v, want defaults", p)
		}
		want := store.StaffPrefs{UserID: mia.ID, NewTicket: false, CustomerReply: true, Assigned: false, Mention: true,
			PrivacyDue: false, Away: true, Categories: " billing, ,privacy "}
		if err := db.SaveStaffPrefs(ctx, want); err != nil {
			t.Fatal(err)
		}
		p, err = db.StaffPrefs(ctx, mia.ID)
		if err != nil {
			t.Fatal(err)
		}
		want.Categories, want.UpdatedAt = "billing,privacy", p.UpdatedAt
		if *p != want {
			t.Errorf("saved prefs = %+v, want %+v", p, want)
		}
		if !slices.Equal(p.CategoryList(), []string{"billing", "privacy"}) || !p.Follows("privacy") || p.Follows("general") {
			t.Errorf("categories: %q", p.CategoryList())
		}
		log, err := db.AuditLog(ctx, store.AuditQuery{Action: store.AuditStaffPrefs})
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 1 || log[0].UserID == nil || *log[0].UserID != mia.ID || log[0].ActorID == nil || *log[0].ActorID != mia.ID {
			t.Errorf("audit: %+v", log)
		}
	})
}

// TestNoticePrefs switches each kind off in turn, then goes away: each
// time, what would tell Mia tells her nothing, and tells Bob as usual.
func TestNoticePrefs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start, setClock := fixClock(db)
		mia := namedStaff(t, db, miaAddr, "Mia Wong")
		bob := namedStaff(t, db, bobAddr, "Bob Stone")
		// Zoe only causes notices; she wants none.
		zoe := namedStaff(t, db, "zoe@desk.test", "Zoe")
		if err := db.SaveStaffPrefs(ctx, store.StaffPrefs{UserID: zoe.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SaveSLAPolicy(ctx, 0, store.SLAPolicy{Priority: "urgent", FirstResponse: 3600}); err != nil {
			t.Fatal(err)
		}
		// cause makes one event of the kind for both Mia and Bob.
		day := 0
		cause := func(kind string) int64 {
			day++
			setClock(start.Add(time.Duration(day) * 24 * time.Hour))
			d := newTicket("About " + kind)
			if kind == store.NoticePrivacyDue {
				d.Category = store.PrivacyCategory
			}
			if kind == store.NoticeSLABreach {
				d.Priority = "urgent" // the one priority with an SLA policy here
			}
			got := deliver(t, db, d)
			switch kind {
			case store.NoticeCustomerReply:
				for _, u := range []*store.User{mia, bob} {
					if err := db.Follow(ctx, got.TicketID, u.ID); err != nil {
						t.Fatal(err)
					}
				}
				deliver(t, db, reply(got.TicketID, "alice@example.com"))
			case store.NoticeAssigned:
				for _, u := range []*store.User{mia, bob} {
					if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: zoe.ID, Assignee: &u.ID}); err != nil {
						t.Fatal(err)
					}
				}
			case store.NoticeMention:
				if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: zoe.ID, Note: true, Text: "@mia @bob look"}); err != nil {
					t.Fatal(err)
				}
			case store.NoticePrivacyDue:
				setClock(start.Add(time.Duration(day)*24*time.Hour + 29*24*time.Hour))
				if _, err := db.TellPrivacyDue(ctx, 3*24*time.Hour); err != nil {
					t.Fatal(err)
				}
			case store.NoticeSLABreach:
				setClock(start.Add(time.Duration(day)*24*time.Hour + 2*time.Hour))
				if _, err := db.TellSLABreaches(ctx); err != nil {
					t.Fatal(err)
				}
			}
			return got.TicketID
		}
		for _, kind := range store.NoticeKinds {
			p := store.DefaultStaffPrefs(mia.ID)
			switch kind {
			case store.NoticeNewTicket:
				p.NewTicket = false
			case store.NoticeCustomerReply:
				p.CustomerReply = false
			case store.NoticeAssigned:
				p.Assigned = false
			case store.NoticeMention:
				p.Mention = false
			case store.NoticePrivacyDue:
				p.PrivacyDue = false
			case store.NoticeSLABreach:
				p.SLABreach = false
			}
			if err := db.SaveStaffPrefs(ctx, p); err != nil {
				t.Fatal(err)
			}
			id := cause(kind)
			wantTold(t, db, id, kind, bobAddr)
		}
		// With every kind on again but away, Mia is told nothing at all.
		away := store.DefaultStaffPrefs(mia.ID)
		away.Away = true
		if err := db.SaveStaffPrefs(ctx, away); err != nil {
			t.Fatal(err)
		}
		before := len(events(t, db, mia.ID, ""))
		for _, kind := range store.NoticeKinds {
			id := cause(kind)
			wantTold(t, db, id, kind, bobAddr)
		}
		if n := len(events(t, db, mia.ID, "")); n != before {
			t.Errorf("away: mia got %d events, want none", n-before)
		}
		// Back from away: told again.
		if err := db.SaveStaffPrefs(ctx, store.DefaultStaffPrefs(mia.ID)); err != nil {
			t.Fatal(err)
		}
		for _, kind := range store.NoticeKinds {
			id := cause(kind)
			wantTold(t, db, id, kind, bobAddr, miaAddr)
		}
	})
}

// TestDigest: a burst of customer mail makes one notice; a notice about
// to be sent takes no more events.
func TestDigest(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start, setClock := fixClock(db)
		mia := namedStaff(t, db, miaAddr, "Mia Wong")
		got := deliver(t, db, newTicket("Printer on fire"))
		if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: mia.ID, Assignee: &mia.ID}); err != nil {
			t.Fatal(err)
		}
		// The new-ticket notice goes out first.
		first := notices(t, db, mia.ID)
		if len(first) != 1 {
			t.Fatalf("notices after the new ticket: %+v", first)
		}
		threadIDs := count(t, db, `SELECT COUNT(*) FROM thread_ids WHERE ticket_id = ?`, got.TicketID)
		if err := db.MarkEmailSent(ctx, first[0].ID, store.Sent{HeaderID: "notice-1@desk.test", SESID: "ses-notice-1"}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM thread_ids WHERE ticket_id = ?`, got.TicketID); n != threadIDs {
			t.Errorf("thread ids after a staff notice was sent: %d, want %d", n, threadIDs)
		}
		for _, id := range []string{"notice-1@desk.test", store.SESMessageID("ses-notice-1")} {
			if ok, err := db.ThreadIDExists(ctx, id); err != nil || ok {
				t.Errorf("thread id %s recorded: %v %v", id, ok, err)
			}
		}

		// Twenty customer mails within the wait: one digest.
		setClock(start.Add(10 * time.Second))
		var msgs []int64
		for range 20 {
			msgs = append(msgs, deliver(t, db, reply(got.TicketID, "alice@example.com")).MessageID)
		}
		mails := notices(t, db, mia.ID)
		if len(mails) != 2 {
			t.Fatalf("notices after the burst: %d, want 2", len(mails))
		}
		digest := mails[1]
		if n := count(t, db, `SELECT COUNT(*) FROM staff_events WHERE email_id = ?`, digest.ID); n != 20 {
			t.Errorf("events in the digest: %d, want 20", n)
		}
		due := start.Add(10*time.Second + store.DefaultNoticeWait)
		if nb := notBefore(t, db, digest.ID); !nb.Equal(due) {
			t.Errorf("digest held until %v, want %v", nb, due)
		}

		o, err := db.Outgoing(ctx, digest.ID)
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.StaffNotice(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(n.Items) != 20 {
			t.Fatalf("items: %d, want 20", len(n.Items))
		}
		for i, it := range n.Items {
			if it.Kind != store.NoticeCustomerReply || it.Message == nil || it.Message.ID != msgs[i] ||
				it.Author == nil || it.Author.Email != "alice@example.com" || it.Actor == nil || it.Actor.Email != "alice@example.com" {
				t.Errorf("item %d: %+v", i, it)
			}
		}
		if n.Customer == nil || n.Customer.Email != "alice@example.com" || n.Assignee == nil || n.Assignee.ID != mia.ID {
			t.Errorf("customer %+v, assignee %+v", n.Customer, n.Assignee)
		}
		if len(n.Participants) != 1 || n.Participants[0].Email != "alice@example.com" || n.Participants[0].Role != "customer" {
			t.Errorf("participants: %+v", n.Participants)
		}
		if len(n.Followers) != 1 || n.Followers[0].ID != mia.ID {
			t.Errorf("followers: %+v", n.Followers)
		}
		if !slices.Equal(n.Earlier, []string{store.SESMessageID("ses-notice-1")}) {
			t.Errorf("earlier: %q", n.Earlier)
		}

		// Until the margin before it is due, events still join the digest.
		setClock(due.Add(-store.UndoMargin - time.Second))
		deliver(t, db, reply(got.TicketID, "alice@example.com"))
		if mails := notices(t, db, mia.ID); len(mails) != 2 {
			t.Errorf("notices before the margin: %d, want 2", len(mails))
		}
		// Within the margin a relay may be sending it: a new mail opens.
		setClock(due.Add(-store.UndoMargin))
		deliver(t, db, reply(got.TicketID, "alice@example.com"))
		mails = notices(t, db, mia.ID)
		if len(mails) != 3 {
			t.Fatalf("notices within the margin: %d, want 3", len(mails))
		}
		if n := count(t, db, `SELECT COUNT(*) FROM staff_events WHERE email_id = ?`, digest.ID); n != 21 {
			t.Errorf("events in the digest: %d, want 21", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM staff_events WHERE email_id = ?`, mails[2].ID); n != 1 {
			t.Errorf("events in the new notice: %d, want 1", n)
		}
	})
}

package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// staffMailDesk is a ticket from alice with Mia and Bob on staff.
type staffMailDesk struct {
	db       *store.DB
	ticket   int64
	mia, bob *store.User
	alice    *store.User
}

func newStaffMailDesk(t *testing.T, db *store.DB) *staffMailDesk {
	t.Helper()
	d := &staffMailDesk{db: db, mia: namedStaff(t, db, miaAddr, "Mia Wong"), bob: namedStaff(t, db, bobAddr, "Bob Stone")}
	d.ticket = deliver(t, db, newTicket("Printer on fire")).TicketID
	d.alice, _ = db.UserByEmail(context.Background(), "alice@example.com")
	return d
}

// mail is Mia's verified answer by mail, with a raw inbound mail of its own.
func (d *staffMailDesk) mail(t *testing.T, reply string) store.StaffMail {
	t.Helper()
	id := newMessageID()
	in, _, err := d.db.SaveInboundMail(context.Background(), &store.InboundMail{Key: "staff-" + id}, []byte("raw "+id))
	if err != nil {
		t.Fatal(err)
	}
	return store.StaffMail{InboundMailID: in.ID, TicketID: d.ticket, StaffID: d.mia.ID,
		From: store.Person{Email: miaAddr, Name: "Mia Wong"}, MessageID: id, Subject: "Re: Printer on fire",
		Text: reply + "\n\nOn Monday Alice wrote:\n> Hello", Reply: reply,
		SenderAuth: store.SenderVerified, SenderAuthReason: "dkim=pass header.d=desk.test"}
}

func (d *staffMailDesk) record(t *testing.T, m store.StaffMail) *store.Recorded {
	t.Helper()
	got, err := d.db.RecordStaffMail(context.Background(), m)
	if err != nil {
		t.Fatalf("record staff mail: %v", err)
	}
	if got.TicketID != d.ticket {
		t.Errorf("delivered to ticket %d, want %d", got.TicketID, d.ticket)
	}
	return got
}

// mails counts the ticket's mails of a kind.
func (d *staffMailDesk) mails(t *testing.T, kind string) int {
	t.Helper()
	return count(t, d.db, `SELECT COUNT(*) FROM emails WHERE ticket_id = ? AND kind = ?`, d.ticket, kind)
}

func (d *staffMailDesk) message(t *testing.T, id int64) *store.Message {
	t.Helper()
	m, err := d.db.MessageByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (d *staffMailDesk) wantInbound(t *testing.T, id, message int64) {
	t.Helper()
	in, err := d.db.InboundMail(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != "processed" || in.Action != "appended" || in.TicketID == nil || *in.TicketID != d.ticket ||
		(message == 0) != (in.MessageID == nil) || message != 0 && *in.MessageID != message {
		t.Errorf("inbound mail: %+v, want appended to %d with message %d", in, d.ticket, message)
	}
}

func TestStaffMailReply(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := newStaffMailDesk(t, db)
		m := d.mail(t, "Try turning it off and on.")
		got := d.record(t, m)
		msg := d.message(t, got.MessageID)
		if msg.Kind != "outbound" || msg.AuthorID == nil || *msg.AuthorID != d.mia.ID || msg.Source != "email" ||
			msg.SenderAuth != store.SenderVerified || msg.SenderAuthReason != m.SenderAuthReason || msg.MessageID != m.MessageID ||
			msg.VisibleText != m.Reply || msg.InboundMailID == nil || *msg.InboundMailID != m.InboundMailID {
			t.Errorf("message: %+v", msg)
		}
		// The staff member's own Message-ID stays on the message, out of the
		// ticket's thread ids: it must not reach the customer in References.
		if ok, err := db.ThreadIDExists(ctx, m.MessageID); err != nil || ok {
			t.Errorf("the staff member's Message-ID became a thread id: %v %v", ok, err)
		}
		var mails []store.Email
		if err := db.X.SelectContext(ctx, &mails, db.X.Rebind(`SELECT * FROM emails WHERE message_id = ?`), got.MessageID); err != nil {
			t.Fatal(err)
		}
		if len(mails) != 1 || mails[0].Kind != store.EmailReply || mails[0].ToEmail != "alice@example.com" || mails[0].Status != store.EmailQueued {
			t.Errorf("reply mails: %+v", mails)
		}
		d.wantInbound(t, m.InboundMailID, got.MessageID)

		// The same inbound mail again: another consumer already finished it.
		again := m
		again.MessageID = newMessageID()
		if _, err := db.RecordStaffMail(ctx, again); !errors.Is(err, store.ErrProcessed) {
			t.Errorf("same inbound mail twice: %v, want ErrProcessed", err)
		}
	})
}

func TestStaffMailNote(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newStaffMailDesk(t, db)
		m := d.mail(t, "@bob can you check the toner?")
		m.Note, m.Commands = true, []string{"#note"}
		got := d.record(t, m)
		if msg := d.message(t, got.MessageID); msg.Kind != "note" || *msg.AuthorID != d.mia.ID || msg.Source != "email" {
			t.Errorf("note: %+v", msg)
		}
		if n := d.mails(t, store.EmailReply) + d.mails(t, store.EmailStatus); n != 0 {
			t.Errorf("%d mails to the customer about a note", n)
		}
		wantTold(t, db, d.ticket, store.NoticeMention, bobAddr)
		d.wantInbound(t, m.InboundMailID, got.MessageID)
	})
}

func TestStaffMailCommands(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := newStaffMailDesk(t, db)
		ticket := func() *store.Ticket {
			tk, err := db.Ticket(ctx, d.ticket)
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}

		// A reply that resolves: one reply mail that announces it.
		m := d.mail(t, "Fixed it, closing.")
		m.Status, m.Commands = "resolved", []string{"#resolve"}
		got := d.record(t, m)
		if tk := ticket(); tk.Status != "resolved" {
			t.Errorf("status = %s, want resolved", tk.Status)
		}
		var replies []store.Email
		if err := db.X.SelectContext(ctx, &replies, db.X.Rebind(`SELECT * FROM emails WHERE ticket_id = ? AND kind = ?`), d.ticket, store.EmailReply); err != nil {
			t.Fatal(err)
		}
		if len(replies) != 1 || replies[0].Announces != "resolved" || replies[0].MessageID == nil || *replies[0].MessageID != got.MessageID {
			t.Errorf("reply mails: %+v", replies)
		}
		if n := d.mails(t, store.EmailStatus); n != 0 {
			t.Errorf("status mails: %d, want 0", n)
		}

		// Commands alone: a status mail and no message.
		if err := db.ChangeTicket(ctx, store.Change{TicketID: d.ticket, ActorID: d.mia.ID, Status: "open"}); err != nil {
			t.Fatal(err)
		}
		messages := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ?`, d.ticket)
		m = d.mail(t, "")
		m.Text = "#resolve\n\nOn Monday Alice wrote:\n> Hello"
		m.Status, m.Commands = "resolved", []string{"#resolve"}
		got = d.record(t, m)
		if got.MessageID != 0 || count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ?`, d.ticket) != messages {
			t.Errorf("commands alone wrote message %d", got.MessageID)
		}
		if tk := ticket(); tk.Status != "resolved" {
			t.Errorf("status = %s, want resolved", tk.Status)
		}
		if n := d.mails(t, store.EmailStatus); n != 1 {
			t.Errorf("status mails: %d, want 1", n)
		}
		d.wantInbound(t, m.InboundMailID, 0)

		// Priority and assignee apply before the reply is written.
		m = d.mail(t, "Bob will take over.")
		m.Priority, m.Assignee, m.Commands = "high", &d.bob.ID, []string{"#priority high", "#assign @bob"}
		got = d.record(t, m)
		if tk := ticket(); tk.Priority != "high" || tk.AssigneeID == nil || *tk.AssigneeID != d.bob.ID {
			t.Errorf("ticket: %+v", tk)
		}
		if msg := d.message(t, got.MessageID); msg.Kind != "outbound" || *msg.AuthorID != d.mia.ID {
			t.Errorf("message: %+v", msg)
		}
		wantTold(t, db, d.ticket, store.NoticeAssigned, bobAddr)
		if fs, _ := db.Followers(ctx, d.ticket); len(fs) != 1 || fs[0].ID != d.bob.ID {
			t.Errorf("followers: %+v", fs)
		}

		// Every command is audited, in order, as Mia's.
		log, err := db.AuditLog(ctx, store.AuditQuery{Action: store.AuditMailCommand})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"#assign @bob", "#priority high", "#resolve", "#resolve"} // newest first
		if len(log) != len(want) {
			t.Fatalf("mail_command entries: %+v", log)
		}
		for i, e := range log {
			if e.ActorID == nil || *e.ActorID != d.mia.ID || e.TicketID == nil || *e.TicketID != d.ticket ||
				!containsJSON(e.Detail, "command", want[i]) {
				t.Errorf("entry %d: %+v, want command %q", i, e, want[i])
			}
		}

		// An unknown status or priority changes nothing.
		m = d.mail(t, "x")
		m.Priority = "whenever"
		if _, err := db.RecordStaffMail(ctx, m); !errors.Is(err, store.ErrInvalidChange) {
			t.Errorf("unknown priority: %v, want ErrInvalidChange", err)
		}
	})
}

func TestStaffMailHeld(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := newStaffMailDesk(t, db)
		// Mia is away: a held answer reaches her all the same.
		away := store.DefaultStaffPrefs(d.mia.ID)
		away.Away = true
		if err := db.SaveStaffPrefs(ctx, away); err != nil {
			t.Fatal(err)
		}
		customerMails := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind <> ?`, store.EmailStaffNotice)
		m := d.mail(t, "Refund approved, send me your card number.")
		m.From = store.Person{Email: "mallory@evil.test", Name: "Mia Wong"}
		m.SenderAuth, m.SenderAuthReason = store.SenderUnverified, "dkim=fail"
		m.Held = "the sender is not mia@desk.test"
		m.Status, m.Commands = "resolved", []string{"#resolve"}
		got := d.record(t, m)

		msg := d.message(t, got.MessageID)
		mallory, err := db.UserByEmail(ctx, "mallory@evil.test")
		if err != nil {
			t.Fatal(err)
		}
		if msg.Kind != "note" || msg.Flag != store.FlagHeld || msg.AuthorID == nil || *msg.AuthorID != mallory.ID ||
			msg.SenderAuth != store.SenderUnverified || msg.Source != "email" || msg.MessageID != m.MessageID {
			t.Errorf("held note: %+v", msg)
		}
		if mallory.Role != "customer" {
			t.Errorf("the held mail's sender became %s", mallory.Role)
		}
		if tk, _ := db.Ticket(ctx, d.ticket); tk.Status != "open" {
			t.Errorf("a held mail's command applied: status %s", tk.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind <> ?`, store.EmailStaffNotice); n != customerMails {
			t.Errorf("a held mail queued %d mails", n-customerMails)
		}
		evs := events(t, db, d.mia.ID, store.NoticeHeld)
		if len(evs) != 1 || evs[0].Detail != m.Held || evs[0].MessageID == nil || *evs[0].MessageID != got.MessageID || evs[0].EmailID == nil {
			t.Fatalf("held events: %+v", evs)
		}
		if e, err := db.Email(ctx, *evs[0].EmailID); err != nil || e.Kind != store.EmailStaffNotice || e.ToEmail != miaAddr || e.Status != store.EmailQueued {
			t.Errorf("held notice: %+v %v", e, err)
		}
		wantTold(t, db, d.ticket, store.NoticeHeld, miaAddr)
		log, err := db.AuditLog(ctx, store.AuditQuery{Action: store.AuditMailHeld})
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 1 || *log[0].ActorID != d.mia.ID || *log[0].TicketID != d.ticket || !containsJSON(log[0].Detail, "reason", m.Held) {
			t.Errorf("mail_held audit: %+v", log)
		}
		if n := len(mustAudit(t, db, store.AuditMailCommand)); n != 0 {
			t.Errorf("%d commands of a held mail audited", n)
		}
		d.wantInbound(t, m.InboundMailID, got.MessageID)
	})
}

func TestStaffMailDuplicate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := newStaffMailDesk(t, db)
		for _, held := range []string{"", "not verified"} {
			m := d.mail(t, "Try turning it off and on.")
			m.Held = held
			m.Status, m.Commands = "pending", []string{"#pending"}
			d.record(t, m)
			// The second copy, as the mail client or SES sent it again.
			second := d.mail(t, "Try turning it off and on.")
			second.MessageID = "<" + m.MessageID + ">"
			second.Held = held
			second.Status, second.Commands = "resolved", []string{"#resolve"}

			before := rowCounts(t, db)
			audits := count(t, db, `SELECT COUNT(*) FROM audit_log`)
			evs := count(t, db, `SELECT COUNT(*) FROM staff_events`)
			tk, _ := db.Ticket(ctx, d.ticket)
			if _, err := db.RecordStaffMail(ctx, second); !errors.Is(err, store.ErrDuplicate) {
				t.Fatalf("held %q: second copy: %v, want ErrDuplicate", held, err)
			}
			after := rowCounts(t, db)
			for table, n := range before {
				if after[table] != n {
					t.Errorf("held %q: %s rows %d → %d", held, table, n, after[table])
				}
			}
			if n := count(t, db, `SELECT COUNT(*) FROM audit_log`); n != audits {
				t.Errorf("held %q: audit entries %d → %d", held, audits, n)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM staff_events`); n != evs {
				t.Errorf("held %q: staff events %d → %d", held, evs, n)
			}
			if now, _ := db.Ticket(ctx, d.ticket); now.Status != tk.Status {
				t.Errorf("held %q: status %s → %s", held, tk.Status, now.Status)
			}
			if in, _ := db.InboundMail(ctx, second.InboundMailID); in.Status != "received" || in.ProcessedAt != nil {
				t.Errorf("held %q: the duplicate's inbound mail: %+v", held, in)
			}
		}
	})
}

// mustAudit lists the audit entries of an action, newest first.
func mustAudit(t testing.TB, db *store.DB, action string) []store.AuditEntry {
	t.Helper()
	log, err := db.AuditLog(context.Background(), store.AuditQuery{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// containsJSON reports whether the JSON object detail has key: value (a string).
func containsJSON(detail, key, value string) bool {
	var m map[string]any
	if err := json.Unmarshal([]byte(detail), &m); err != nil {
		return false
	}
	s, ok := m[key].(string)
	return ok && s == value
}

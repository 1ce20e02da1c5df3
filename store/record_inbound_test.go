package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestDeliverOpensNumberedTickets(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tests := []struct {
			subject, category, wantCategory string
		}{
			{"Printer on fire", "", "general"},
			{"Refund please", "billing", "billing"},
			{"Login broken", "account", "account"},
		}
		for i, tt := range tests {
			d := newTicket(tt.subject)
			d.Category = tt.category
			got := deliver(t, db, d)
			if !got.Created || got.TicketNumber != int64(i+1) || got.TicketID == 0 || got.MessageID == 0 {
				t.Errorf("delivery %d = %+v, want a created ticket #%d", i, got, i+1)
			}
			tk, err := db.TicketByNumber(ctx, got.TicketNumber)
			if err != nil {
				t.Fatal(err)
			}
			if tk.ID != got.TicketID || tk.Subject != tt.subject || tk.Category != tt.wantCategory ||
				tk.Status != "open" || tk.Priority != "normal" || tk.AssigneeID != nil {
				t.Errorf("ticket #%d = %+v", tk.Number, tk)
			}
			byID, err := db.Ticket(ctx, got.TicketID)
			if err != nil || byID.Number != got.TicketNumber {
				t.Errorf("Ticket(%d) = %+v, %v", got.TicketID, byID, err)
			}
		}
	})
}

func TestDeliverUpsertsTheAuthor(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		steps := []struct {
			email, name, wantName string
		}{
			{"Alice@Example.COM", "Alice Liddell", "Alice Liddell"},
			{"alice@example.com", "", "Alice Liddell"},        // an empty name never overwrites
			{" ALICE@example.com ", "A. L.", "Alice Liddell"}, // the first name is kept
			{"bob@example.com", "", ""},                       // a user without a name...
			{"Bob@example.com", "Bob Builder", "Bob Builder"}, // ...gets one later
			{"bob@example.com", "Robert", "Bob Builder"},
		}
		for _, s := range steps {
			d := newTicket("hi")
			d.From = store.Person{Email: s.email, Name: s.name}
			deliver(t, db, d)
			u, err := db.UserByEmail(ctx, s.email)
			if err != nil {
				t.Fatal(err)
			}
			if u.Email != store.NormalizeEmail(s.email) || u.Name != s.wantName || u.Role != "customer" {
				t.Errorf("after mail from %q %q: user = %+v, want name %q", s.email, s.name, u, s.wantName)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM users`); n != 2 {
			t.Errorf("users = %d, want 2 (addresses compare case-insensitively)", n)
		}
		_, err := db.UserByEmail(ctx, "nobody@example.com")
		wantNotFound(t, "UserByEmail(unknown)", err)
	})
}

func TestDeliverParticipants(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := newTicket("hi")
		d.Message.SenderAuth = store.SenderVerified
		d.Cc = []store.Person{{Email: "Carol@example.com", Name: "Carol"}, {Email: "dave@example.com"}}
		tk := deliver(t, db, d)

		// Carol (a Cc) replies, verified, and Cc's Eve: Carol takes part, Eve
		// is not brought in but suggested to staff.
		r := reply(tk.TicketID, "carol@example.com")
		r.Message.SenderAuth = store.SenderVerified
		r.Cc = []store.Person{{Email: "eve@example.com"}}
		deliver(t, db, r)
		// The customer replies unverified and Cc's Gina: only a suggestion.
		r = reply(tk.TicketID, "alice@example.com")
		r.Cc = []store.Person{{Email: "gina@example.com"}}
		deliver(t, db, r)
		// The customer replies verified and Cc's Frank: Frank is brought in.
		r = reply(tk.TicketID, "ALICE@example.com")
		r.Message.SenderAuth = store.SenderVerified
		r.Cc = []store.Person{{Email: "frank@example.com"}}
		deliver(t, db, r)
		sug, err := db.CcSuggestions(ctx, tk.TicketID)
		if err != nil || len(sug) != 2 || sug[0].Email != "eve@example.com" || sug[0].Reason != store.CcNotCustomer ||
			sug[1].Email != "gina@example.com" || sug[1].Reason != store.CcUnverified {
			t.Errorf("suggestions = %+v, %v", sug, err)
		}

		want := map[string]string{
			"alice@example.com": "customer",
			"carol@example.com": "cc",
			"dave@example.com":  "cc",
			"frank@example.com": "cc",
		}
		got := participants(t, db, tk.TicketID)
		if !maps.Equal(got, want) {
			t.Errorf("participants = %v, want %v", got, want)
		}
		for _, tt := range []struct {
			email string
			want  bool
		}{
			{"alice@example.com", true}, {"Carol@Example.com", true}, {"frank@example.com", true},
			{"eve@example.com", false}, {"gina@example.com", false}, {"mallory@example.com", false},
		} {
			ok, err := db.IsParticipant(ctx, tk.TicketID, tt.email)
			if err != nil || ok != tt.want {
				t.Errorf("IsParticipant(%s) = %v, %v; want %v", tt.email, ok, err, tt.want)
			}
		}
	})
}

func participants(t *testing.T, db *store.DB, ticketID int64) map[string]string {
	t.Helper()
	var rows []struct {
		Email string `db:"email"`
		Role  string `db:"role"`
	}
	err := db.X.SelectContext(context.Background(), &rows, db.X.Rebind(`SELECT u.email, p.role FROM participants p
		JOIN users u ON u.id = p.user_id WHERE p.ticket_id = ?`), ticketID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.Email] = r.Role
	}
	return out
}

func TestDeliverWritesTheMessage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in, _, err := db.SaveInboundMail(ctx, &store.InboundMail{Key: "ses-msg"}, []byte("raw"))
		if err != nil {
			t.Fatal(err)
		}
		d := newTicket("Where is my order")
		d.InboundMailID = in.ID
		d.Message = store.NewMessage{Kind: "inbound", Source: "email", MessageID: "abc@mail.example.com",
			Subject: "Where is my order", Text: "Order 42?\n\n> old", VisibleText: "Order 42?",
			HTML: "<p>Order 42?</p>", Auto: true}
		got := deliver(t, db, d)
		msgs, err := db.Messages(ctx, got.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 {
			t.Fatalf("messages = %d, want 1", len(msgs))
		}
		m := msgs[0]
		author, err := db.UserByEmail(ctx, "alice@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if m.ID != got.MessageID || m.TicketID != got.TicketID || m.AuthorID == nil || *m.AuthorID != author.ID ||
			m.Kind != "inbound" || m.Source != "email" || m.MessageID != "abc@mail.example.com" ||
			m.Subject != d.Message.Subject || m.Text != d.Message.Text || m.VisibleText != "Order 42?" ||
			m.HTML != "<p>Order 42?</p>" || !m.Auto || m.InboundMailID == nil || *m.InboundMailID != in.ID ||
			m.CreatedAt.IsZero() {
			t.Errorf("message = %+v", m)
		}
	})
}

func TestDeliverStoresAttachments(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pdf := bytes.Repeat([]byte("%PDF"), 1000)
		png := []byte{0x89, 'P', 'N', 'G', 0, 0xff}
		d := newTicket("files")
		d.Attachments = []store.NewAttachment{
			{Filename: "invoice.pdf", ContentType: "application/pdf", Data: pdf},
			{Filename: "logo.png", ContentType: "image/png", ContentID: "logo@x", Inline: true, Data: png},
			{Filename: "copy.pdf", ContentType: "application/pdf", Data: pdf},
		}
		got := deliver(t, db, d)
		atts, err := db.Attachments(ctx, got.MessageID)
		if err != nil {
			t.Fatal(err)
		}
		if len(atts) != len(d.Attachments) {
			t.Fatalf("attachments = %d, want %d", len(atts), len(d.Attachments))
		}
		for i, a := range atts {
			want := d.Attachments[i]
			if a.MessageID != got.MessageID || a.Filename != want.Filename || a.ContentType != want.ContentType ||
				a.ContentID != want.ContentID || a.Inline != want.Inline || a.Size != int64(len(want.Data)) {
				t.Errorf("attachment %d = %+v, want %s (%d bytes)", i, a, want.Filename, len(want.Data))
			}
			data, err := db.Blobs.Get(ctx, a.BlobKey)
			if err != nil {
				t.Fatalf("blob of %s: %v", a.Filename, err)
			}
			if !bytes.Equal(data, want.Data) {
				t.Errorf("blob of %s differs", a.Filename)
			}
		}
		if atts[0].BlobKey != atts[2].BlobKey {
			t.Errorf("identical files have blob keys %q and %q", atts[0].BlobKey, atts[2].BlobKey)
		}
		if n := count(t, db, `SELECT COUNT(DISTINCT key) FROM blobs`); n != 2 {
			t.Errorf("blobs = %d, want 2 (identical bytes share one)", n)
		}
	})
}

func TestDeliverRecordsTheThreadID(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := newTicket("thread")
		got := deliver(t, db, d)
		tk, err := db.TicketByThreadIDs(ctx, []string{"unknown@x", d.Message.MessageID})
		if err != nil {
			t.Fatal(err)
		}
		if tk.ID != got.TicketID {
			t.Errorf("TicketByThreadIDs = ticket %d, want %d", tk.ID, got.TicketID)
		}
		for _, tt := range []struct {
			id   string
			want bool
		}{{d.Message.MessageID, true}, {"never@seen", false}} {
			ok, err := db.ThreadIDExists(ctx, tt.id)
			if err != nil || ok != tt.want {
				t.Errorf("ThreadIDExists(%s) = %v, %v; want %v", tt.id, ok, err, tt.want)
			}
		}
	})
}

func TestDeliverDuplicateMessageIDWritesNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		first := newTicket("first")
		first.Attachments = []store.NewAttachment{{Filename: "a.txt", ContentType: "text/plain", Data: []byte("a")}}
		created := deliver(t, db, first)

		in, _, err := db.SaveInboundMail(ctx, &store.InboundMail{Key: "redelivered"}, []byte("raw"))
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			d    *store.Incoming
		}{
			{"as a new ticket", func() *store.Incoming {
				d := newTicket("again")
				d.Confirm = true
				return d
			}()},
			{"into its ticket", reply(created.TicketID, "alice@example.com")},
			{"from someone new with a Cc", func() *store.Incoming {
				d := newTicket("again")
				d.From = store.Person{Email: "newcomer@example.com", Name: "New"}
				d.Cc = []store.Person{{Email: "friend@example.com"}}
				return d
			}()},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.d.Message.MessageID = first.Message.MessageID
				tt.d.InboundMailID = in.ID
				tt.d.Reopen = true
				exec(t, db, `UPDATE tickets SET status = 'resolved'`)
				before := rowCounts(t, db)
				got, err := db.RecordInbound(ctx, tt.d)
				if !errors.Is(err, store.ErrDuplicate) {
					t.Fatalf("Deliver = %+v, %v; want store.ErrDuplicate", got, err)
				}
				if after := rowCounts(t, db); !maps.Equal(before, after) {
					t.Errorf("rows before %v, after %v", before, after)
				}
				if tk, _ := db.Ticket(ctx, created.TicketID); tk.Status != "resolved" {
					t.Errorf("status = %q, want resolved (untouched)", tk.Status)
				}
				if m, _ := db.InboundMail(ctx, in.ID); m.Status != "received" {
					t.Errorf("inbound mail status = %q, want received (untouched)", m.Status)
				}
			})
		}
		// A duplicate does not use up a ticket number.
		if next := deliver(t, db, newTicket("next")); next.TicketNumber != created.TicketNumber+1 {
			t.Errorf("next ticket is #%d, want #%d", next.TicketNumber, created.TicketNumber+1)
		}
	})
}

func TestDeliverReopen(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tests := []struct {
			status string
			reopen bool
			auto   bool
			want   string
		}{
			{"open", true, false, "open"},
			{"pending", true, false, "open"},
			{"resolved", true, false, "open"},
			{"closed", true, false, "open"},
			{"resolved", false, false, "resolved"},
			{"closed", false, false, "closed"},
			{"pending", true, true, "pending"}, // an auto-reply never changes the status
			{"resolved", true, true, "resolved"},
			{"closed", true, true, "closed"},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s reopen=%v auto=%v", tt.status, tt.reopen, tt.auto), func(t *testing.T) {
				tk := deliver(t, db, newTicket("reopen"))
				exec(t, db, `UPDATE tickets SET status = ? WHERE id = ?`, tt.status, tk.TicketID)
				r := reply(tk.TicketID, "alice@example.com")
				r.Reopen, r.Message.Auto = tt.reopen, tt.auto
				got := deliver(t, db, r)
				if got.Created || got.TicketID != tk.TicketID || got.TicketNumber != tk.TicketNumber {
					t.Errorf("reply = %+v, want appended to #%d", got, tk.TicketNumber)
				}
				after, err := db.Ticket(ctx, tk.TicketID)
				if err != nil {
					t.Fatal(err)
				}
				if after.Status != tt.want {
					t.Errorf("status = %q, want %q", after.Status, tt.want)
				}
			})
		}
	})
}

func TestDeliverConfirmQueuesOneEmail(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := newTicket("Please confirm")
		d.From.Email = "Alice@Example.com"
		d.Confirm = true
		got := deliver(t, db, d)
		if got.ConfirmStatus != store.EmailQueued {
			t.Errorf("ConfirmStatus = %q, want queued", got.ConfirmStatus)
		}
		emails, err := db.Emails(ctx, "alice@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if len(emails) != 1 {
			t.Fatalf("emails = %+v, want exactly one", emails)
		}
		e := emails[0]
		author, _ := db.UserByEmail(ctx, "alice@example.com")
		if e.Status != store.EmailQueued || e.Kind != store.EmailConfirmation || !e.Auto ||
			e.ToEmail != "alice@example.com" || e.Subject != "Please confirm" || e.Reason != "" ||
			e.TicketID == nil || *e.TicketID != got.TicketID || e.UserID == nil || *e.UserID != author.ID {
			t.Errorf("email = %+v", e)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE email_id = ? AND kind = ? AND relayed_at IS NULL`,
			e.ID, store.EmailConfirmation); n != 1 {
			t.Errorf("outbox rows for the email = %d, want 1", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox`); n != 1 {
			t.Errorf("outbox rows = %d, want 1", n)
		}

		// Replies never confirm, even when asked to.
		r := reply(got.TicketID, "alice@example.com")
		r.Confirm = true
		if again := deliver(t, db, r); again.ConfirmStatus != "" {
			t.Errorf("reply ConfirmStatus = %q, want none", again.ConfirmStatus)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails`); n != 1 {
			t.Errorf("emails after a reply = %d, want 1", n)
		}
	})
}

func TestDeliverConfirmToSuppressedAddress(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.Suppress(context.Background(), "alice@example.com", "hard bounce", "ses"); err != nil {
			t.Fatal(err)
		}
		d := newTicket("bounce me")
		d.Confirm = true
		if got := deliver(t, db, d); got.ConfirmStatus != store.EmailSuppressed {
			t.Errorf("ConfirmStatus = %q, want suppressed", got.ConfirmStatus)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox`); n != 0 {
			t.Errorf("outbox rows = %d, want 0", n)
		}
	})
}

func TestDeliverMarksInboundMailProcessed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		save := func(key string) int64 {
			m, _, err := db.SaveInboundMail(ctx, &store.InboundMail{Key: key}, []byte(key))
			if err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
		d := newTicket("new")
		d.InboundMailID = save("one")
		created := deliver(t, db, d)
		r := reply(created.TicketID, "alice@example.com")
		r.InboundMailID = save("two")
		appended := deliver(t, db, r)

		tests := []struct {
			id     int64
			got    *store.Recorded
			action string
		}{
			{d.InboundMailID, created, "created"},
			{r.InboundMailID, appended, "appended"},
		}
		for _, tt := range tests {
			m, err := db.InboundMail(ctx, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if m.Status != "processed" || m.Action != tt.action || m.ProcessedAt == nil ||
				m.TicketID == nil || *m.TicketID != tt.got.TicketID ||
				m.MessageID == nil || *m.MessageID != tt.got.MessageID {
				t.Errorf("inbound mail = %+v, want processed/%s ticket %d message %d", m, tt.action, tt.got.TicketID, tt.got.MessageID)
			}
		}
	})
}

func TestDeliverToUnknownTicket(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		_, err := db.RecordInbound(context.Background(), reply(999, "alice@example.com"))
		wantNotFound(t, "Deliver(unknown ticket)", err)
		if n := count(t, db, `SELECT COUNT(*) FROM users`); n != 0 {
			t.Errorf("users = %d, want 0 after a failed delivery", n)
		}
	})
}

func TestDeliverConcurrentNewTicketsGetDistinctNumbers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		const n = 20
		numbers := make([]int64, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := newTicket(fmt.Sprintf("concurrent %d", i))
				if i%2 == 0 { // half from one customer, half from new ones
					d.From.Email = fmt.Sprintf("c%d@example.com", i)
				}
				got, err := db.RecordInbound(context.Background(), d)
				if err == nil {
					numbers[i] = got.TicketNumber
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("goroutine %d: %v", i, err)
			}
		}
		slices.Sort(numbers)
		for i, got := range numbers {
			if got != int64(i+1) {
				t.Fatalf("numbers = %v, want 1..%d each once", numbers, n)
			}
		}
	})
}

func TestDeliverConcurrentSameMessageIDOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		tk := deliver(t, db, newTicket("race"))
		const n = 10
		msgID := newMessageID()
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := reply(tk.TicketID, "alice@example.com")
				r.Message.MessageID = msgID
				_, errs[i] = db.RecordInbound(context.Background(), r)
			}()
		}
		wg.Wait()
		ok, dup := 0, 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrDuplicate):
				dup++
			default:
				t.Errorf("goroutine %d: %v", i, err)
			}
		}
		if ok != 1 || dup != n-1 {
			t.Errorf("%d succeeded and %d were duplicates, want 1 and %d", ok, dup, n-1)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM messages WHERE message_id = ?`, msgID); got != 1 {
			t.Errorf("messages with the id = %d, want 1", got)
		}
	})
}

// Two mails carrying the same files in a different order are delivered at
// once: neither fails (PostgreSQL would report a deadlock if the blob rows
// were locked in mail order).
func TestDeliverConcurrentSharedAttachments(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		for round := range 20 {
			x := []byte(fmt.Sprintf("file x %d", round))
			y := []byte(fmt.Sprintf("file y %d", round))
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i, files := range [][2][]byte{{x, y}, {y, x}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					d := newTicket("shared files")
					d.From.Email = fmt.Sprintf("sender%d@example.com", i)
					d.Attachments = []store.NewAttachment{
						{Filename: "first", ContentType: "text/plain", Data: files[0]},
						{Filename: "second", ContentType: "text/plain", Data: files[1]},
						{Filename: "first again", ContentType: "text/plain", Data: files[0]},
					}
					_, errs[i] = db.RecordInbound(context.Background(), d)
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("round %d, delivery %d: %v", round, i, err)
				}
			}
		}
		if n := count(t, db, `SELECT COUNT(DISTINCT key) FROM blobs`); n != 40 {
			t.Errorf("blobs = %d, want 40", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM attachments`); n != 120 {
			t.Errorf("attachments = %d, want 120", n)
		}
	})
}

// A robot that opens ticket after ticket gets confirmations only up to the cap.
func TestDeliverConfirmRespectsTheAutoCap(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		want := []string{store.EmailQueued, store.EmailQueued, store.EmailSuppressed, store.EmailSuppressed}
		for i, w := range want {
			d := newTicket(fmt.Sprintf("robot %d", i))
			d.From.Email = "robot@example.com"
			d.Confirm, d.AutoCap, d.AutoWindow = true, 2, time.Hour
			if got := deliver(t, db, d); got.ConfirmStatus != w {
				t.Errorf("ticket %d: ConfirmStatus = %q, want %q", i+1, got.ConfirmStatus, w)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox`); n != 2 {
			t.Errorf("outbox rows = %d, want 2", n)
		}
	})
}

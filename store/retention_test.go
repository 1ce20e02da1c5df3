package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

const day = 24 * time.Hour

// sweepClock sets db.Now to a fixed time the test moves, and returns its setter.
func sweepClock(db *store.DB) func(time.Time) {
	var mu sync.Mutex
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
	return func(t time.Time) { mu.Lock(); at = t; mu.Unlock() }
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// memBlobs stands in for S3: blobs outside the database.
type memBlobs struct {
	mu      sync.Mutex
	m       map[string][]byte
	deleted []string
}

func (b *memBlobs) Put(_ context.Context, key string, data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[key] = append([]byte(nil), data...)
	return nil
}

func (b *memBlobs) Get(_ context.Context, key string) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.m[key]
	if !ok {
		return nil, store.ErrNotFound
	}
	return d, nil
}

func (b *memBlobs) Delete(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
	b.deleted = append(b.deleted, key)
	return nil
}

// saveRaw stores raw inbound mail under key.
func saveRaw(t *testing.T, db *store.DB, key, raw string) *store.InboundMail {
	t.Helper()
	m, _, err := db.SaveInboundMail(context.Background(), &store.InboundMail{Key: key, Sender: "alice@example.com"}, []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func inboundMail(t *testing.T, db *store.DB, id int64) *store.InboundMail {
	t.Helper()
	m, err := db.InboundMail(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func wantBlob(t *testing.T, db *store.DB, key, want string) {
	t.Helper()
	got, err := db.Blobs.Get(context.Background(), key)
	if err != nil || string(got) != want {
		t.Errorf("blob %s = %q, %v; want %q", key, got, err, want)
	}
}

func wantNoBlob(t *testing.T, db *store.DB, key string) {
	t.Helper()
	if _, err := db.Blobs.Get(context.Background(), key); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("blob %s: err = %v, want it gone", key, err)
	}
}

func sweepOK(t *testing.T, what string, want int64) func(int64, error) {
	t.Helper()
	return func(n int64, err error) {
		t.Helper()
		if err != nil || n != want {
			t.Fatalf("%s = %d, %v; want %d", what, n, err, want)
		}
	}
}

func TestSweepRawMail(t *testing.T) {
	for _, where := range []string{"db_blobs", "object_store"} {
		t.Run(where, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				var mem *memBlobs
				if where == "object_store" {
					mem = &memBlobs{m: map[string][]byte{}}
					db.Blobs = mem
				}
				set := sweepClock(db)
				// Day 0: a mail that became a ticket, and one quarantined.
				processed := saveRaw(t, db, "ses-1", "raw one")
				got := deliver(t, db, &store.Incoming{InboundMailID: processed.ID, From: store.Person{Email: "alice@example.com"},
					Subject: "Help", Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: newMessageID(),
						Subject: "Help", Text: "parsed text", VisibleText: "parsed text"},
					Attachments: []store.NewAttachment{{Filename: "a.txt", ContentType: "text/plain", Data: []byte("file")}}})
				quarantined := saveRaw(t, db, "ses-2", "raw two")
				if err := db.FinishInboundMail(ctx, quarantined.ID, store.Outcome{Status: "quarantined", Action: "quarantined", Reason: "virus"}); err != nil {
					t.Fatal(err)
				}
				// Day 20: a fresh mail, and one with the same bytes as the
				// first (content addressing: one blob for both).
				set(t0.Add(20 * day))
				fresh := saveRaw(t, db, "ses-3", "raw three")
				twin := saveRaw(t, db, "ses-4", "raw one")
				if twin.BlobKey != processed.BlobKey {
					t.Fatalf("twin blob %s, want %s", twin.BlobKey, processed.BlobKey)
				}

				set(t0.Add(30*day - time.Minute))
				sweepOK(t, "sweep before 30 days", 0)(db.SweepRawMail(ctx, 30*day, 1))
				set(t0.Add(30*day + time.Minute))
				sweepOK(t, "sweep", 2)(db.SweepRawMail(ctx, 30*day, 1))

				for _, m := range []*store.InboundMail{processed, quarantined} {
					if got := inboundMail(t, db, m.ID); got.BlobKey != "" || got.Size != m.Size {
						t.Errorf("mail %s after sweep: blob_key %q size %d", m.Key, got.BlobKey, got.Size)
					}
				}
				if got := inboundMail(t, db, quarantined.ID); got.Status != "quarantined" || got.Reason != "virus" {
					t.Errorf("quarantined row lost its outcome: %+v", got)
				}
				wantNoBlob(t, db, quarantined.BlobKey)
				wantBlob(t, db, twin.BlobKey, "raw one") // still the twin's
				wantBlob(t, db, fresh.BlobKey, "raw three")
				if raw, err := db.InboundRaw(ctx, inboundMail(t, db, twin.ID)); err != nil || string(raw) != "raw one" {
					t.Errorf("twin raw = %q, %v", raw, err)
				}
				thread, err := db.Thread(ctx, got.TicketID, true)
				if err != nil || len(thread) != 1 || thread[0].Text != "parsed text" || len(thread[0].Attachments) != 1 {
					t.Fatalf("parsed message after sweep: %+v, %v", thread, err)
				}
				wantBlob(t, db, thread[0].Attachments[0].BlobKey, "file")

				sweepOK(t, "rerun", 0)(db.SweepRawMail(ctx, 30*day, 1))

				set(t0.Add(50*day + time.Minute))
				sweepOK(t, "sweep of the day-20 mails", 2)(db.SweepRawMail(ctx, 30*day, 1000))
				wantNoBlob(t, db, twin.BlobKey)
				wantNoBlob(t, db, fresh.BlobKey)
				wantBlob(t, db, thread[0].Attachments[0].BlobKey, "file")
				if n := count(t, db, `SELECT COUNT(*) FROM inbound_mail WHERE blob_key <> ''`); n != 0 {
					t.Errorf("%d mails keep raw bytes", n)
				}
				if n := count(t, db, `SELECT COUNT(*) FROM inbound_mail`); n != 4 {
					t.Errorf("inbound_mail rows = %d, want 4 kept", n)
				}
				if mem != nil && len(mem.deleted) != 3 {
					t.Errorf("object store deletes = %v, want 3", mem.deleted)
				}
				if mem == nil {
					if n := count(t, db, `SELECT COUNT(*) FROM blobs WHERE key LIKE 'raw/%'`); n != 0 {
						t.Errorf("%d raw blob rows left", n)
					}
				}
			})
		})
	}
}

func TestSweepLoginLog(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		set := sweepClock(db)
		login := func(n string) {
			t.Helper()
			if err := db.RequestLogin(ctx, store.LoginRequest{TokenHash: "t" + n, Email: "ada@example.com", IP: "192.0.2.1", UserAgent: "Firefox", TTL: 15 * time.Minute}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ConfirmLogin(ctx, store.Login{TokenHash: "t" + n, SessionHash: "s" + n, IP: "192.0.2.1", UserAgent: "Firefox", SessionTTL: 7 * day}); err != nil {
				t.Fatal(err)
			}
		}
		login("old1")
		login("old2")
		set(t0.Add(80 * day))
		login("new")
		set(t0.Add(90*day + time.Minute))
		// Two old logins, and the ip of their tokens and sessions, which
		// the token and session sweeps have not removed here.
		sweepOK(t, "sweep", 6)(db.SweepLoginLog(ctx, 90*day, 1))
		if n := count(t, db, `SELECT COUNT(*) FROM logins`); n != 1 {
			t.Errorf("logins = %d, want the day-80 one", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM logins WHERE ip = '192.0.2.1' AND user_agent = 'Firefox'`); n != 1 {
			t.Errorf("the day-80 login lost its ip")
		}
		for _, table := range []string{"login_tokens", "sessions"} {
			if n := count(t, db, `SELECT COUNT(*) FROM `+table+` WHERE ip = '' AND user_agent = ''`); n != 2 {
				t.Errorf("%s cleared = %d, want 2", table, n)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM `+table+` WHERE ip = '192.0.2.1' AND user_agent = 'Firefox'`); n != 1 {
				t.Errorf("%s: the day-80 row lost its ip", table)
			}
		}
		sweepOK(t, "rerun", 0)(db.SweepLoginLog(ctx, 90*day, 1))
	})
}

func TestSweepErasedTickets(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sweepClock(db)
		staff, err := db.EnsureUser(ctx, "agent@acme.test", "Agent", "staff")
		if err != nil {
			t.Fatal(err)
		}
		logo := store.NewAttachment{Filename: "logo.png", ContentType: "image/png", Data: []byte("same logo")}
		ticket := func(from, subject string, files ...store.NewAttachment) (*store.Recorded, *store.InboundMail) {
			t.Helper()
			raw := saveRaw(t, db, newMessageID(), "raw of "+subject)
			got := deliver(t, db, &store.Incoming{InboundMailID: raw.ID, From: store.Person{Email: from, Name: "Person"}, Subject: subject,
				Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: newMessageID(), Subject: subject,
					Text: "words of " + subject, VisibleText: "words of " + subject, HTML: "<p>words</p>"},
				Attachments: files})
			_, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: staff.ID, Text: "reply on " + subject,
				Attachments: []store.NewAttachment{{Filename: "steps.txt", ContentType: "text/plain", Data: []byte("steps for " + subject)}}})
			if err != nil {
				t.Fatal(err)
			}
			return got, raw
		}
		closedErased, closedRaw := ticket("erased@example.com", "closed of erased", logo)
		openErased, openRaw := ticket("erased@example.com", "open of erased")
		closedKept, keptRaw := ticket("kept@example.com", "closed of kept", logo)
		for _, id := range []int64{closedErased.TicketID, closedKept.TicketID} {
			if err := db.SetStatus(ctx, id, "closed"); err != nil {
				t.Fatal(err)
			}
		}
		exec(t, db, `UPDATE users SET erased_at = ? WHERE email = 'erased@example.com'`, t0)
		files := func(ticketID int64) []store.Attachment {
			var out []store.Attachment
			if err := db.X.SelectContext(ctx, &out, db.X.Rebind(`SELECT a.* FROM attachments a JOIN messages m ON m.id = a.message_id
				WHERE m.ticket_id = ? ORDER BY a.id`), ticketID); err != nil {
				t.Fatal(err)
			}
			return out
		}
		goneFiles := files(closedErased.TicketID)
		if len(goneFiles) != 2 {
			t.Fatalf("closed ticket has %d files, want 2", len(goneFiles))
		}

		// Two files, one raw mail and two messages.
		sweepOK(t, "sweep", 5)(db.SweepErasedTickets(ctx, 1))

		thread, err := db.Thread(ctx, closedErased.TicketID, true)
		if err != nil || len(thread) != 2 {
			t.Fatalf("thread = %d messages, %v; want both kept", len(thread), err)
		}
		for _, m := range thread {
			if m.Subject != "" || m.Text != "" || m.VisibleText != "" || m.HTML != "" || len(m.Attachments) != 0 {
				t.Errorf("message %d kept content: %+v", m.ID, m.Message)
			}
		}
		var status string
		if err := db.X.GetContext(ctx, &status, db.X.Rebind(`SELECT status FROM tickets WHERE id = ?`), closedErased.TicketID); err != nil || status != "closed" {
			t.Errorf("ticket row: status %q, %v", status, err)
		}
		for _, f := range goneFiles {
			if f.Filename == "logo.png" {
				wantBlob(t, db, f.BlobKey, "same logo") // the kept ticket has it too
			} else {
				wantNoBlob(t, db, f.BlobKey)
			}
		}
		if m := inboundMail(t, db, closedRaw.ID); m.BlobKey != "" {
			t.Errorf("raw mail of the closed ticket kept %q", m.BlobKey)
		}
		wantNoBlob(t, db, closedRaw.BlobKey)

		for _, kept := range []struct {
			ticket *store.Recorded
			raw    *store.InboundMail
			subj   string
		}{{openErased, openRaw, "open of erased"}, {closedKept, keptRaw, "closed of kept"}} {
			thread, err := db.Thread(ctx, kept.ticket.TicketID, true)
			if err != nil || len(thread) != 2 || thread[0].Text != "words of "+kept.subj || thread[1].Text != "reply on "+kept.subj {
				t.Fatalf("%s: thread %+v, %v", kept.subj, thread, err)
			}
			for _, f := range files(kept.ticket.TicketID) {
				if _, err := db.Blobs.Get(ctx, f.BlobKey); err != nil {
					t.Errorf("%s: file %s: %v", kept.subj, f.Filename, err)
				}
			}
			wantBlob(t, db, kept.raw.BlobKey, "raw of "+kept.subj)
		}

		sweepOK(t, "rerun", 0)(db.SweepErasedTickets(ctx, 1))

		// Once the open one is closed, it goes the same way.
		if err := db.SetStatus(ctx, openErased.TicketID, "closed"); err != nil {
			t.Fatal(err)
		}
		sweepOK(t, "after closing", 4)(db.SweepErasedTickets(ctx, 1000))
		wantBlob(t, db, files(closedKept.TicketID)[0].BlobKey, "same logo")
	})
}

func TestSweepDevMail(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		set := sweepClock(db)
		save := func() int64 {
			id, err := db.SaveDevMail(ctx, &store.DevMail{Sender: "a@x", Recipients: "b@x", Subject: "s", Raw: []byte("raw")})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		for range 5 {
			save()
		}
		set(t0.Add(23 * time.Hour))
		fresh := save()
		set(t0.Add(day + time.Minute))
		sweepOK(t, "sweep", 5)(db.SweepDevMail(ctx, day, 2))
		if _, err := db.DevMailByID(ctx, fresh); err != nil {
			t.Errorf("fresh dev mail: %v", err)
		}
		sweepOK(t, "rerun", 0)(db.SweepDevMail(ctx, day, 2))
	})
}

func TestRecordSweepRun(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		set := sweepClock(db)
		if stats, err := db.SweepStats(ctx); err != nil || len(stats) != 0 {
			t.Fatalf("fresh stats = %v, %v", stats, err)
		}
		record := func(r store.SweepRun) {
			t.Helper()
			if err := db.RecordSweepRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		record(store.SweepRun{Name: store.SweepRawMail, Removed: 3, Duration: 2 * time.Second})
		set(t0.Add(time.Hour))
		record(store.SweepRun{Name: store.SweepRawMail, Removed: 2, Duration: time.Second, Failed: true})
		record(store.SweepRun{Name: store.SweepDevMail, Removed: 1, Duration: 250 * time.Millisecond})
		stats, err := db.SweepStats(ctx)
		if err != nil || len(stats) != 2 {
			t.Fatalf("stats = %+v, %v", stats, err)
		}
		dev, raw := stats[0], stats[1]
		if raw.Name != store.SweepRawMail || raw.Removed != 5 || raw.Runs != 2 || raw.Failures != 1 || raw.LastSeconds != 1 ||
			raw.LastOKAt == nil || !raw.LastOKAt.Equal(t0) {
			t.Errorf("raw_mail stats = %+v (last ok %v)", raw, raw.LastOKAt)
		}
		if dev.Name != store.SweepDevMail || dev.Removed != 1 || dev.LastSeconds != 0.25 || dev.LastOKAt == nil || !dev.LastOKAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("dev_mail stats = %+v", dev)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM sweep_runs WHERE name = 'raw_mail' AND failed = ?`, true); n != 1 {
			t.Errorf("failed raw_mail runs = %d", n)
		}
		// Runs are forgotten after 90 days; the totals are not.
		set(t0.Add(91 * day))
		record(store.SweepRun{Name: store.SweepDevMail})
		if n := count(t, db, `SELECT COUNT(*) FROM sweep_runs`); n != 1 {
			t.Errorf("sweep_runs = %d after 90 days, want 1", n)
		}
		stats, _ = db.SweepStats(ctx)
		if stats[1].Removed != 5 || stats[0].Runs != 2 {
			t.Errorf("totals after pruning = %+v", stats)
		}
	})
}

func TestOutboxUnrelayedCount(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := newTicket("Pending")
		d.Confirm = true
		deliver(t, db, d)
		n, err := db.OutboxUnrelayedCount(ctx)
		if err != nil || n != 1 {
			t.Fatalf("pending = %d, %v; want 1", n, err)
		}
		rows, _ := db.OutboxDue(ctx, 10)
		if err := db.MarkRelayed(ctx, []int64{rows[0].ID}); err != nil {
			t.Fatal(err)
		}
		if n, err := db.OutboxUnrelayedCount(ctx); err != nil || n != 0 {
			t.Fatalf("pending after relay = %d, %v", n, err)
		}
	})
}

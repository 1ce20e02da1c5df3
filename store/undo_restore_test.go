package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestUndoRestoresDraftAndFiles: Undo of a reply makes its text the
// author's reply draft and its files their staged files, bytes and all; a
// draft started since is kept after the text; sending them again works;
// a reply too late to undo leaves no draft.
func TestUndoRestoresDraftAndFiles(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		clockAt(db, &now)
		got := deliver(t, db, newTicket("Printer on fire"))
		agent, _ := db.SetRole(ctx, "agent@acme.test", "staff")
		files := []store.NewAttachment{
			{Filename: "log.txt", ContentType: "text/plain", Data: []byte("paper jam at 09:14")},
			{Filename: "photo.png", ContentType: "image/png", Data: []byte("\x89PNG smoke")},
		}
		undo := func(want int) *store.Undone {
			t.Helper()
			undos, err := db.PendingUndos(ctx, agent.ID, 5)
			if err != nil || len(undos) != 1 {
				t.Fatalf("pending undos = %+v, %v", undos, err)
			}
			u, err := db.Undo(ctx, undos[0].ID, agent.ID)
			if err != nil || u.Files != want {
				t.Fatalf("undo: %+v, %v; want %d files back", u, err, want)
			}
			return u
		}
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: agent.ID, Text: "Fixed it.",
			Hold: 10 * time.Second, Attachments: files}); err != nil {
			t.Fatal(err)
		}
		if u := undo(2); u.DraftKept {
			t.Errorf("undo with no draft since: %+v, want DraftKept false", u)
		}
		d, err := db.DraftOf(ctx, agent.ID, got.TicketID)
		if err != nil || d.Text != "Fixed it." || d.Kind != store.DraftReply {
			t.Fatalf("draft after undo = %+v, %v; want the reply's text as a reply draft", d, err)
		}
		staged, err := db.StagedFiles(ctx, agent.ID, got.TicketID)
		if err != nil || len(staged) != 2 || staged[0].Filename != "log.txt" || staged[1].Filename != "photo.png" ||
			staged[1].ContentType != "image/png" || staged[0].Size != int64(len(files[0].Data)) {
			t.Fatalf("staged after undo = %+v, %v; want both files, in order", staged, err)
		}
		data, err := db.StagedAttachments(ctx, staged)
		if err != nil || string(data[0].Data) != "paper jam at 09:14" || string(data[1].Data) != "\x89PNG smoke" {
			t.Fatalf("staged bytes = %+v, %v", data, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM attachments`); n != 0 {
			t.Errorf("%d attachments rows left after undo", n)
		}

		// Sent again from the staged files; meanwhile the agent starts a
		// draft, then undoes once more: both texts stay.
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: agent.ID, Text: d.Text,
			Hold: 10 * time.Second, Attachments: data}); err != nil {
			t.Fatal(err)
		}
		if err := db.ClearDraft(ctx, agent.ID, got.TicketID, staged); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM staged_files`); n != 0 {
			t.Fatalf("%d staged rows after sending", n)
		}
		db.SaveDraft(ctx, store.Draft{UserID: agent.ID, TicketID: got.TicketID, Kind: store.DraftNote, Text: "P.S. check the toner"})
		if u := undo(2); !u.DraftKept {
			t.Errorf("undo over a draft: %+v, want DraftKept", u)
		}
		if d, _ := db.DraftOf(ctx, agent.ID, got.TicketID); d == nil || d.Text != "Fixed it.\n\nP.S. check the toner" || d.Kind != store.DraftReply {
			t.Errorf("draft after undo over a draft = %+v, want the reply's text, then the draft", d)
		}
		if staged, _ := db.StagedFiles(ctx, agent.ID, got.TicketID); len(staged) != 2 {
			t.Errorf("staged after the second undo = %d, want 2", len(staged))
		}

		// Too late: nothing comes back.
		db.ClearDraft(ctx, agent.ID, got.TicketID, nil)
		exec(t, db, `DELETE FROM staged_files`)
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: agent.ID, Text: "Late.",
			Hold: 10 * time.Second, Attachments: files[:1]}); err != nil {
			t.Fatal(err)
		}
		undos, _ := db.PendingUndos(ctx, agent.ID, 5)
		now = now.Add(10 * time.Second)
		if _, err := db.Undo(ctx, undos[0].ID, agent.ID); !errors.Is(err, store.ErrTooLate) {
			t.Fatalf("undo when due: %v, want ErrTooLate", err)
		}
		if _, err := db.DraftOf(ctx, agent.ID, got.TicketID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a too-late undo left a draft: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM staged_files`); n != 0 {
			t.Errorf("a too-late undo staged %d files", n)
		}
	})
}

// TestSweepOldUndos: undo records and reply-form keys go after UndoKept,
// not before; the reply and its mail stay.
func TestSweepOldUndos(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		clockAt(db, &now)
		got := deliver(t, db, newTicket("Printer on fire"))
		agent, _ := db.SetRole(ctx, "agent@acme.test", "staff")
		msg, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: agent.ID, Text: "On it.",
			Hold: 10 * time.Second, Key: "form-1"})
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(store.UndoKept - time.Hour)
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: agent.ID, Text: "Still on it.",
			Hold: 10 * time.Second, Key: "form-2"}); err != nil {
			t.Fatal(err)
		}
		if n, err := db.SweepOldUndos(ctx, store.UndoKept, 1); err != nil || n != 0 {
			t.Fatalf("sweep before a day: %d, %v; want 0", n, err)
		}
		now = now.Add(2 * time.Hour)
		if n, err := db.SweepOldUndos(ctx, store.UndoKept, 1); err != nil || n != 2 {
			t.Fatalf("sweep after a day: %d, %v; want the first reply's action and key", n, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM undo_actions`); n != 1 {
			t.Errorf("undo actions left = %d, want the recent one", n)
		}
		if _, err := db.ReplyByKey(ctx, agent.ID, "form-2"); err != nil {
			t.Errorf("the recent key went: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE id = ?`, msg); n != 1 {
			t.Error("the reply went with its undo record")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE ticket_id = ? AND kind = 'reply'`, got.TicketID); n != 2 {
			t.Errorf("reply mails = %d, want both", n)
		}
		if n, err := db.SweepOldUndos(ctx, store.UndoKept, 1); err != nil || n != 0 {
			t.Errorf("rerun: %d, %v; want 0", n, err)
		}
	})
}

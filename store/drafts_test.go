package store_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestDraftIsOnePerPersonAndTicket: a draft saved twice is one row with the
// latest text; an emptied draft is deleted; the new-ticket form keeps its
// subject under ticket 0; sending clears it.
func TestDraftIsOnePerPersonAndTicket(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mia, _ := db.EnsureUser(ctx, "mia@dargo.test", "Mia", "staff")
		tk := deliver(t, db, newTicket("Printer on fire"))
		if _, err := db.DraftOf(ctx, mia.ID, tk.TicketID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no draft yet: %v, want ErrNotFound", err)
		}
		for _, text := range []string{"Hello", "Hello Ada, the fix is"} {
			if _, err := db.SaveDraft(ctx, store.Draft{UserID: mia.ID, TicketID: tk.TicketID, Kind: store.DraftNote, Text: text}); err != nil {
				t.Fatal(err)
			}
		}
		d, err := db.DraftOf(ctx, mia.ID, tk.TicketID)
		if err != nil || d.Text != "Hello Ada, the fix is" || d.Kind != store.DraftNote {
			t.Fatalf("draft = %+v, %v", d, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM drafts`); n != 1 {
			t.Errorf("%d draft rows, want 1", n)
		}
		if _, err := db.SaveDraft(ctx, store.Draft{UserID: mia.ID, TicketID: tk.TicketID, Kind: store.DraftReply}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DraftOf(ctx, mia.ID, tk.TicketID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an emptied draft is still there: %v", err)
		}

		ada, _ := db.EnsureUser(ctx, "ada@example.com", "Ada", "customer")
		if _, err := db.SaveDraft(ctx, store.Draft{UserID: ada.ID, Kind: store.DraftNew, Subject: "Toner", Text: ""}); err != nil {
			t.Fatal(err)
		}
		if d, err := db.DraftOf(ctx, ada.ID, 0); err != nil || d.Subject != "Toner" {
			t.Errorf("new-ticket draft = %+v, %v", d, err)
		}
		if err := db.ClearDraft(ctx, ada.ID, 0, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DraftOf(ctx, ada.ID, 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a sent draft is still there: %v", err)
		}
	})
}

// TestDraftWritersNameColleaguesNotCustomers: staff with an unsent reply or
// note are named (display name, else address), never the viewer and never a
// customer.
func TestDraftWritersNameColleaguesNotCustomers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mia, _ := db.EnsureUser(ctx, "mia@dargo.test", "", "staff")
		bo, _ := db.EnsureUser(ctx, "bo@dargo.test", "", "admin")
		ada, _ := db.EnsureUser(ctx, "ada@example.com", "Ada", "customer")
		if _, err := db.SaveStaffProfile(ctx, mia.ID, "Mia", ""); err != nil {
			t.Fatal(err)
		}
		tk := deliver(t, db, newTicket("Printer on fire"))
		for _, u := range []*store.User{mia, bo, ada} {
			if _, err := db.SaveDraft(ctx, store.Draft{UserID: u.ID, TicketID: tk.TicketID, Kind: store.DraftReply, Text: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.DraftWriters(ctx, tk.TicketID, bo.ID)
		if err != nil || !slices.Equal(got, []string{"Mia"}) {
			t.Errorf("Bo sees %q, %v; want Mia only", got, err)
		}
		got, _ = db.DraftWriters(ctx, tk.TicketID, mia.ID)
		if !slices.Equal(got, []string{"bo@dargo.test"}) {
			t.Errorf("Mia sees %q, want Bo's address", got)
		}
	})
}

// TestStagedFilesBelongToTheirOwner: files are staged with their bytes,
// listed for their owner's draft only, removable only by their owner, and
// their bytes go when no other staged row holds the same file.
func TestStagedFilesBelongToTheirOwner(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mia, _ := db.EnsureUser(ctx, "mia@dargo.test", "", "staff")
		bo, _ := db.EnsureUser(ctx, "bo@dargo.test", "", "staff")
		tk := deliver(t, db, newTicket("Printer on fire"))
		pdf := []byte("%PDF-1.4 the manual")
		staged, err := db.StageFiles(ctx, mia.ID, tk.TicketID, []store.NewAttachment{
			{Filename: "manual.pdf", ContentType: "application/pdf", Data: pdf},
			{Filename: "copy.pdf", ContentType: "application/pdf", Data: pdf},
		})
		if err != nil || len(staged) != 2 || staged[0].Size != int64(len(pdf)) || staged[0].ID == 0 {
			t.Fatalf("staged = %+v, %v", staged, err)
		}
		if files, _ := db.StagedFiles(ctx, bo.ID, tk.TicketID); len(files) != 0 {
			t.Errorf("Bo sees Mia's files: %+v", files)
		}
		if _, err := db.UnstageFile(ctx, bo.ID, staged[0].ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Bo removed Mia's file: %v", err)
		}
		if _, err := db.UnstageFile(ctx, mia.ID, staged[0].ID); err != nil {
			t.Fatal(err)
		}
		files, _ := db.StagedFiles(ctx, mia.ID, tk.TicketID)
		if len(files) != 1 || files[0].Filename != "copy.pdf" {
			t.Fatalf("after removing one: %+v", files)
		}
		got, err := db.StagedAttachments(ctx, files)
		if err != nil || !bytes.Equal(got[0].Data, pdf) {
			t.Fatalf("the copy lost its shared bytes: %v", err)
		}
		if err := db.ClearDraft(ctx, mia.ID, tk.TicketID, files); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ReadBlob(ctx, files[0].BlobKey); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the bytes stay after sending: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM staged_files`); n != 0 {
			t.Errorf("%d staged rows after sending", n)
		}
	})
}

// TestSweepOldDrafts: drafts and staged files older than DraftsKept go,
// bytes too; newer ones stay; erasure deletes drafts and ages files for the
// sweep.
func TestSweepOldDrafts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		db.Now = func() time.Time { return now }
		mia, _ := db.EnsureUser(ctx, "mia@dargo.test", "", "staff")
		ada, _ := db.EnsureUser(ctx, "ada@example.com", "", "customer")
		tk := deliver(t, db, newTicket("Printer on fire"))
		old, _ := db.StageFiles(ctx, mia.ID, tk.TicketID, []store.NewAttachment{{Filename: "old.txt", ContentType: "text/plain", Data: []byte("old")}})
		db.SaveDraft(ctx, store.Draft{UserID: mia.ID, TicketID: tk.TicketID, Kind: store.DraftReply, Text: "old"})
		now = now.Add(store.DraftsKept - time.Hour)
		db.StageFiles(ctx, ada.ID, 0, []store.NewAttachment{{Filename: "new.txt", ContentType: "text/plain", Data: []byte("new")}})
		db.SaveDraft(ctx, store.Draft{UserID: ada.ID, Kind: store.DraftNew, Text: "new"})
		now = now.Add(2 * time.Hour)

		n, err := db.SweepOldDrafts(ctx, store.DraftsKept, 1)
		if err != nil || n != 2 {
			t.Fatalf("swept %d, %v; want Mia's draft and file", n, err)
		}
		if _, err := db.ReadBlob(ctx, old[0].BlobKey); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an old staged file's bytes stay: %v", err)
		}
		if files, _ := db.StagedFiles(ctx, ada.ID, 0); len(files) != 1 {
			t.Errorf("a recent staged file went: %+v", files)
		}

		if _, err := db.Erase(ctx, ada.ID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM drafts`); n != 0 {
			t.Errorf("an erased customer's draft stays")
		}
		if n, err := db.SweepOldDrafts(ctx, store.DraftsKept, 10); err != nil || n != 1 {
			t.Errorf("after erasure the sweep removed %d, %v; want the erased customer's file", n, err)
		}
	})
}

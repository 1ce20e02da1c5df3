package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestEraseHeldNotes: mail to a staff address that named ada in its From
// is held as a note in her name; erasing ada empties that note and
// removes its files and raw mail, while Mia's own notes, held or not,
// stay as they are.
func TestEraseHeldNotes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := newStaffMailDesk(t, db) // alice's ticket: not ada's, so only authorship reaches the note
		file := func(name, data string) []store.NewAttachment {
			return []store.NewAttachment{{Filename: name, ContentType: "application/octet-stream", Data: []byte(data)}}
		}

		m := d.mail(t, "Ada's secret words")
		m.From = store.Person{Email: "ada@example.org", Name: "Ada Lovelace"}
		m.SenderAuth, m.Held = store.SenderUnverified, "the sender is not mia@desk.test"
		m.Attachments = file("ada-plan.pdf", "ada's private bytes")
		adaNote := d.record(t, m).MessageID

		m = d.mail(t, "Mia's own held words")
		m.SenderAuth, m.Held = store.SenderUnverified, "dkim=fail"
		m.Attachments = file("mia-held.pdf", "mia's held bytes")
		miaHeld := d.record(t, m).MessageID

		m = d.mail(t, "Mia's note")
		m.Note = true
		m.Attachments = file("mia-note.pdf", "mia's note bytes")
		miaNote := d.record(t, m).MessageID

		keys := func(message int64) []string {
			var out []string
			if err := db.X.SelectContext(ctx, &out, db.X.Rebind(`SELECT blob_key FROM attachments WHERE message_id = ?`), message); err != nil {
				t.Fatal(err)
			}
			return out
		}
		adaKeys := keys(adaNote)
		adaRaw := d.message(t, adaNote).InboundMailID
		if len(adaKeys) != 1 || adaRaw == nil {
			t.Fatalf("ada's held note has files %v, raw mail %v", adaKeys, adaRaw)
		}
		before := map[int64]*store.Message{miaHeld: d.message(t, miaHeld), miaNote: d.message(t, miaNote)}
		beforeKeys := map[int64][]string{miaHeld: keys(miaHeld), miaNote: keys(miaNote)}

		ada, err := db.UserByEmail(ctx, "ada@example.org")
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.Erase(ctx, ada.ID, store.EraseOpts{ActorID: d.mia.ID})
		if err != nil {
			t.Fatal(err)
		}
		if res.Messages != 1 || res.Attachments != 1 || res.RawMails != 1 {
			t.Errorf("erased %+v, want one message, one file, one raw mail", res)
		}

		got := d.message(t, adaNote)
		if got.Subject != "" || got.Text != "" || got.VisibleText != "" || got.HTML != "" || got.InboundMailID != nil {
			t.Errorf("ada's held note after erasure: %+v", got)
		}
		if ks := keys(adaNote); len(ks) != 0 {
			t.Errorf("ada's held note still has files %v", ks)
		}
		if _, err := db.Blobs.Get(ctx, adaKeys[0]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ada's file's bytes: %v, want not found", err)
		}
		if _, err := db.InboundMail(ctx, *adaRaw); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ada's raw mail: %v, want not found", err)
		}
		for _, trace := range []string{"Ada's secret", "ada's private", "ada-plan"} {
			if where := findAnywhere(t, db, trace); where != "" {
				t.Errorf("%q still in %s", trace, where)
			}
		}

		for id, was := range before {
			now := d.message(t, id)
			if now.Text != was.Text || now.VisibleText != was.VisibleText || now.Subject != was.Subject || now.Text == "" {
				t.Errorf("Mia's message %d changed: %+v, was %+v", id, now, was)
			}
			ks := keys(id)
			if len(ks) != 1 || ks[0] != beforeKeys[id][0] {
				t.Errorf("Mia's message %d has files %v, had %v", id, ks, beforeKeys[id])
				continue
			}
			if _, err := db.Blobs.Get(ctx, ks[0]); err != nil {
				t.Errorf("Mia's file on message %d: %v", id, err)
			}
		}
	})
}

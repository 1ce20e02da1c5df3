package store_test

import (
	"context"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// docOf is a message's search document on PostgreSQL, and the one
// to_tsvector makes of its text now.
func docOf(t *testing.T, db *store.DB, messageID int64) (stored, fresh string) {
	t.Helper()
	err := db.X.QueryRowx(`SELECT CAST(f.doc AS TEXT), CAST(to_tsvector('simple', m.subject || ' ' || m.visible_text) AS TEXT)
		FROM messages m JOIN messages_fts f ON f.message_id = m.id WHERE m.id = $1`, messageID).Scan(&stored, &fresh)
	if err != nil {
		t.Fatal(err)
	}
	return stored, fresh
}

// fromRaw gives an inbound delivery its stored raw mail, as the pipeline's are.
func fromRaw(t *testing.T, db *store.DB, in *store.Incoming) *store.Incoming {
	t.Helper()
	rec, _, err := db.SaveInboundMail(context.Background(), &store.InboundMail{Key: in.Message.MessageID}, []byte("Subject: x\r\n\r\n"+in.Message.MessageID+"\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	in.InboundMailID = rec.ID
	return in
}

// Each message has its search document in messages_fts (migration 0040):
// computed by the database, or handed over with the message when it was
// computed for the same text; redone when the text changes.
func TestMessageSearchDocs(t *testing.T) {
	db := testdb.Open(t, store.Postgres)
	ctx := context.Background()

	// The raw save computes a document on the way; not for a mail stored before.
	doc := &store.SearchDoc{Subject: "Printer zebra", Visible: "The Zebra printer jams"}
	if _, _, err := db.SaveInboundMailAndDoc(ctx, &store.InboundMail{Key: "docs-1"}, []byte("Subject: x\r\n\r\ny\r\n"), doc); err != nil {
		t.Fatal(err)
	}
	if doc.Doc != "'jams':6 'printer':1,5 'the':3 'zebra':2,4" {
		t.Errorf("document computed with the raw save = %q", doc.Doc)
	}
	again := &store.SearchDoc{Subject: "a", Visible: "b"}
	if _, existed, err := db.SaveInboundMailAndDoc(ctx, &store.InboundMail{Key: "docs-1"}, []byte("Subject: x\r\n\r\ny\r\n"), again); err != nil || !existed || again.Doc != "" {
		t.Errorf("second save: existed %v, doc %q, err %v; want existed and no document", existed, again.Doc, err)
	}

	// Without one, the database computes it.
	plain := deliver(t, db, newTicket("Printer zebra"))
	if stored, fresh := docOf(t, db, plain.MessageID); stored != fresh || stored == "" {
		t.Errorf("computed document %q, want %q", stored, fresh)
	}
	// Handed over for this text: taken as it is (a marker shows it was).
	// Inbound mail is recorded in one statement (InboundMailID set).
	in := fromRaw(t, db, newTicket("Printer zebra"))
	in.Message.Search = &store.SearchDoc{Subject: in.Message.Subject, Visible: in.Message.VisibleText, Doc: "'handed':1"}
	handed := deliver(t, db, in)
	if stored, _ := docOf(t, db, handed.MessageID); stored != "'handed':1" {
		t.Errorf("handed-over document: stored %q, want 'handed':1", stored)
	}
	// Handed over for other text: not taken.
	in = fromRaw(t, db, newTicket("Printer zebra"))
	in.Message.Search = &store.SearchDoc{Subject: in.Message.Subject, Visible: "other text", Doc: "'other':1"}
	other := deliver(t, db, in)
	if stored, fresh := docOf(t, db, other.MessageID); stored != fresh {
		t.Errorf("document for other text: stored %q, want the message's own %q", stored, fresh)
	}

	// A changed text (erasure, retention) redoes it; another change leaves it.
	exec(t, db, `UPDATE messages SET visible_text = '', subject = '' WHERE id = $1`, plain.MessageID)
	if stored, _ := docOf(t, db, plain.MessageID); stored != "" {
		t.Errorf("after the text was blanked the document is %q, want empty", stored)
	}
	exec(t, db, `UPDATE messages SET auto = TRUE WHERE id = $1`, handed.MessageID)
	if stored, _ := docOf(t, db, handed.MessageID); stored != "'handed':1" {
		t.Errorf("after a change not to the text the document is %q, want it kept", stored)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM messages_fts f WHERE f.message_id = m.id)`); n != 0 {
		t.Errorf("%d messages without a document", n)
	}
}

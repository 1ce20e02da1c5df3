package inbound_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/dargo-support/dargo/inbound/mailparse"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// emptyParts is the repro: a 9.5 MB mail of n empty attachment parts.
func emptyParts(n int) []byte {
	var b bytes.Buffer
	b.WriteString("From: eve@evil.test\r\nTo: support@help.example.com\r\nSubject: parts\r\nMessage-ID: <parts@evil.test>\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n")
	for range n {
		b.WriteString("--b\r\nContent-Type: application/octet-stream\r\n\r\n")
	}
	b.WriteString("--b--\r\n")
	return b.Bytes()
}

// A mail of 200,000 parts is quarantined with the reason, not turned into
// 200,000 attachments; released by an operator, it becomes a ticket with
// the first 100.
func TestPipelineQuarantinesTooManyParts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		raw := emptyParts(200_000)
		opts := pipelineOpts()
		opts.MaxMailBytes = 40 << 20
		p := inbound.NewPipeline(db, opts)
		res, err := p.Ingest(ctx, raw, inbound.Envelope{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != store.ActionQuarantined || res.Reason != "mail has more than 500 MIME parts" || res.Ticket != nil {
			t.Fatalf("got %+v, want quarantined for its parts", res)
		}
		if n := pipelineCount(t, db, "SELECT COUNT(*) FROM attachments"); n != 0 {
			t.Errorf("%d attachments stored", n)
		}
		q, err := db.Quarantined(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(q) != 1 || q[0].Reason != "mail has more than 500 MIME parts" {
			t.Fatalf("quarantine holds %+v", q)
		}

		rec, err := db.InboundMail(ctx, q[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		res, err = p.Release(ctx, rec.ID, raw, rec)
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != store.ActionCreated {
			t.Fatalf("released: %+v, want a new ticket", res)
		}
		if n := pipelineCount(t, db, "SELECT COUNT(*) FROM attachments"); n != mailparse.MaxAttachments {
			t.Errorf("released mail stored %d attachments, want %d", n, mailparse.MaxAttachments)
		}
	})
}

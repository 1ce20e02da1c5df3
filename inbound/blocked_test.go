package inbound_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestMailFromErasedAndBlockedAddressIsDropped: someone who had their data
// erased and asked not to be recreated is not recreated by their next mail,
// and the mail itself is not kept.
func TestMailFromErasedAndBlockedAddressIsDropped(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := inbound.NewPipeline(db, pipelineOpts())
		mail := func(subject string) []byte {
			return []byte("From: Gone <gone@example.net>\r\nTo: support@" + pipelineDomain + "\r\nSubject: " + subject +
				"\r\nMessage-ID: <" + subject + "@example.net>\r\n\r\nHello\r\n")
		}
		env := inbound.Envelope{Sender: "gone@example.net", Recipients: []string{"support@" + pipelineDomain}}
		res, err := p.Ingest(ctx, mail("first"), env)
		if err != nil || res.Action != store.ActionCreated {
			t.Fatalf("first mail: %+v, %v", res, err)
		}
		u, _ := db.UserByEmail(ctx, "gone@example.net")
		if _, err := db.Erase(ctx, u.ID, store.EraseOpts{Block: true}); err != nil {
			t.Fatal(err)
		}
		res, err = p.Ingest(ctx, mail("again"), env)
		if err != nil || res.Action != store.ActionIgnored || res.Ticket != nil {
			t.Fatalf("mail after erasure: %+v, %v", res, err)
		}
		if _, err := db.UserByEmail(ctx, "gone@example.net"); err == nil {
			t.Error("the erased address was recreated")
		}
		var rows []store.InboundMail
		if err := db.X.Select(&rows, `SELECT * FROM inbound_mail`); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if strings.Contains(r.Sender+r.Recipients+r.BlobKey, "gone") || r.BlobKey != "" {
				t.Errorf("inbound mail kept after erasure: %+v", r)
			}
		}
	})
}

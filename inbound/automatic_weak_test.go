package inbound_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// Ordinary first mails that carry only a weak sign of automatic mail (a
// subject a person typed, an Exchange inbox-rule header on a redirected
// mail) or come from postmaster@ open a ticket; they are not dropped.
func TestAutomaticWeakSignsOpenTickets(t *testing.T) {
	mails := []struct{ name, from, header, subject string }{
		{"auto reply subject", "carla@customer.example", "", "Auto reply: your autoresponder sends twice"},
		{"postmaster sender", "postmaster@customer.example", "", "Our SPF record for your replies"},
		{"Exchange inbox rule redirect", "dana@customer.example", "X-MS-Exchange-Inbox-Rules-Loop: help@customer.example\r\n", "Invoice 2231 is wrong"},
		{"Exchange rule source", "erik@customer.example", "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent\r\n", "Cannot log in"},
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		p := inbound.NewPipeline(db, pipelineOpts())
		for i, m := range mails {
			raw := fmt.Sprintf("From: Customer <%s>\r\nTo: support@%s\r\nSubject: %s\r\n"+
				"Date: Mon, 07 Dec 2026 05:00:00 +0000\r\nMessage-ID: <weak-%d@customer.example>\r\n%s"+
				"Content-Type: text/plain; charset=utf-8\r\n\r\nHello, please have a look.\r\n", m.from, pipelineDomain, m.subject, i, m.header)
			res, err := p.Ingest(context.Background(), []byte(raw), inbound.Envelope{Recipients: []string{"support@" + pipelineDomain}})
			if err != nil {
				t.Fatalf("%s: %v", m.name, err)
			}
			if res.Action != store.ActionCreated {
				t.Errorf("%s: %s (%q), want %s", m.name, res.Action, res.Reason, store.ActionCreated)
			}
		}
	})
}

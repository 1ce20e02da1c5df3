package inbound_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

const verdictFirst = "From: Ada <ada@example.com>\r\nTo: support@help.example.com\r\nSubject: Printer\r\nMessage-ID: <v1@example.com>\r\n\r\nIt is on fire.\r\n"
const verdictReply = "From: ada@example.com\r\nTo: support@help.example.com\r\nSubject: Re: Printer\r\nMessage-ID: <v2@example.com>\r\nIn-Reply-To: <v1@example.com>\r\n\r\nStill burning.\r\n"

func verdictPipeline(db *store.DB, spam string) *inbound.Pipeline {
	return inbound.NewPipeline(db, inbound.Opts{MailDomain: "help.example.com", Secret: "s", MaxMailBytes: 1 << 20,
		SpamPolicy: spam, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

func TestVerdicts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ingest := func(p *inbound.Pipeline, raw, sesID string, v inbound.Verdicts) inbound.Result {
			t.Helper()
			res, err := p.Ingest(ctx, []byte(raw), inbound.Envelope{SESID: sesID, Recipients: []string{"support@help.example.com"}, Verdicts: v})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		quarantine, flag := verdictPipeline(db, ""), verdictPipeline(db, inbound.SpamFlag)

		res := ingest(quarantine, verdictFirst, "virus-1", inbound.Verdicts{Virus: "FAIL", Spam: "PASS", DMARC: "PASS"})
		if res.Action != store.ActionQuarantined || !strings.Contains(res.Reason, "virus") {
			t.Fatalf("virus FAIL: %+v", res)
		}
		rec, err := db.InboundMail(ctx, 1)
		if err != nil || !strings.Contains(rec.Verdicts, `"virus":"FAIL"`) {
			t.Fatalf("verdicts not stored with the raw mail: %+v %v", rec, err)
		}
		raw, err := db.InboundRaw(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		// An operator looked at it: released, it becomes ticket #1.
		if res, err := quarantine.Release(ctx, rec.ID, raw, rec); err != nil || res.Action != store.ActionCreated || *res.Ticket != 1 {
			t.Fatalf("release: %+v %v", res, err)
		}
		// Released, its stored verdicts still say who sent it.
		if got := verdictScalar(t, db, `SELECT sender_auth FROM messages WHERE inbound_mail_id = ?`, rec.ID); got != store.SenderVerified {
			t.Errorf("released DMARC-pass mail is %s", got)
		}
		rec, _ = db.InboundMail(ctx, rec.ID)
		if _, err := quarantine.Release(ctx, rec.ID, raw, rec); err == nil {
			t.Error("releasing a processed mail again must fail")
		}

		spam := strings.Replace(verdictFirst, "v1@", "s1@", 1)
		if res := ingest(quarantine, spam, "spam-1", inbound.Verdicts{Spam: "FAIL"}); res.Action != store.ActionQuarantined || !strings.Contains(res.Reason, "spam") {
			t.Errorf("spam FAIL under quarantine policy: %+v", res)
		}
		res = ingest(flag, spam, "spam-2", inbound.Verdicts{Spam: "FAIL"})
		if res.Action != store.ActionCreated {
			t.Fatalf("spam FAIL under flag policy: %+v", res)
		}
		tk, _ := db.TicketByNumber(ctx, *res.Ticket)
		if tk.Flag != "spam" {
			t.Errorf("spam ticket flag = %q", tk.Flag)
		}
		var confirmations int
		db.X.Get(&confirmations, db.X.Rebind(`SELECT COUNT(*) FROM emails WHERE ticket_id = ?`), tk.ID)
		if confirmations != 0 {
			t.Errorf("a flagged spam ticket got %d confirmation(s): backscatter", confirmations)
		}

		// DMARC FAIL under reject: a reply that threads into #1 must not be appended.
		res = ingest(quarantine, verdictReply, "dmarc-1", inbound.Verdicts{DMARC: "FAIL", DMARCPolicy: "REJECT"})
		if res.Action != store.ActionCreated || *res.Ticket == 1 || !strings.Contains(res.Reason, "DMARC") {
			t.Fatalf("DMARC FAIL (reject) reply: %+v", res)
		}
		tk, _ = db.TicketByNumber(ctx, *res.Ticket)
		if tk.Flag != "dmarc" {
			t.Errorf("DMARC ticket flag = %q", tk.Flag)
		}
		// Under policy none it is just a reply.
		reply := strings.Replace(verdictReply, "v2@", "v3@", 1)
		if res := ingest(quarantine, reply, "dmarc-2", inbound.Verdicts{DMARC: "FAIL", DMARCPolicy: "none"}); res.Action != store.ActionAppended || *res.Ticket != 1 {
			t.Errorf("DMARC FAIL (none) reply: %+v", res)
		}
	})
}

func verdictScalar(t *testing.T, db *store.DB, query string, args ...any) string {
	t.Helper()
	var v string
	if err := db.X.Get(&v, db.X.Rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

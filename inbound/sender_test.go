package inbound_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// senderMail builds a plain mail; extra holds header lines (with CRLF).
func senderMail(from, subject, extra, body string) []byte {
	return []byte("From: " + from + "\r\nTo: support@help.example.com\r\n" + extra +
		"Subject: " + subject + "\r\nMessage-ID: <" + fmt.Sprintf("%x", sha256.Sum256([]byte(from+subject+extra+body))) + "@sender.test>\r\n" +
		"Date: Sun, 06 Dec 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
}

// adaTicket opens #1 for ada@example.com and returns the pipeline.
func adaTicket(t *testing.T, db *store.DB, opts inbound.Opts) *inbound.Pipeline {
	t.Helper()
	p := inbound.NewPipeline(db, opts)
	res, err := p.Ingest(context.Background(), senderMail("Ada <ada@example.com>", "My printer is on fire", "", "Please help."), inbound.Envelope{})
	if err != nil || res.Action != store.ActionCreated || *res.Ticket != 1 {
		t.Fatalf("open #1: %+v %v", res, err)
	}
	return p
}

func lastSender(t *testing.T, db *store.DB) string {
	t.Helper()
	return pipelineScalar(t, db, `SELECT sender_auth || ': ' || sender_auth_reason FROM messages WHERE id = (SELECT MAX(id) FROM messages)`)
}

// The repro: a forged From of the customer with a Cc of the
// attacker, on "Re: [#1]". It may be recorded (Ada's own mail can lack
// DKIM), but eve must not become a participant, see the ticket, or be
// mailed the next staff reply; she is a suggestion staff decide on.
func TestSpoofedFromCannotAddParticipants(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := adaTicket(t, db, pipelineOpts())
		raw := senderMail("ada@example.com", "Re: [#1] My printer is on fire", "Cc: eve@evil.test\r\n", "Please add my colleague.")
		res, err := p.Ingest(ctx, raw, inbound.Envelope{})
		if err != nil || res.Action != store.ActionAppended || *res.Ticket != 1 {
			t.Fatalf("spoofed reply: %+v %v", res, err)
		}
		if got := lastSender(t, db); got != "unverified: no DKIM, SPF or DMARC results for this mail" {
			t.Errorf("sender = %q", got)
		}
		tk, _ := db.TicketByNumber(ctx, 1)
		if ok, _ := db.IsParticipant(ctx, tk.ID, "eve@evil.test"); ok {
			t.Fatal("eve became a participant of #1 from an unverified mail")
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM users WHERE email = 'eve@evil.test'`); n != 0 {
			t.Errorf("eve got an account: %d", n)
		}
		sug, err := db.CcSuggestions(ctx, tk.ID)
		if err != nil || len(sug) != 1 || sug[0].Email != "eve@evil.test" || sug[0].Reason != store.CcUnverified {
			t.Fatalf("suggestions = %+v %v", sug, err)
		}
		staff, err := db.EnsureUser(ctx, "mia@help.example.com", "Mia", "staff")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: tk.ID, AuthorID: staff.ID, Text: "On it."}); err != nil {
			t.Fatal(err)
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = 'eve@evil.test'`); n != 0 {
			t.Errorf("the staff reply was mailed to eve (%d)", n)
		}
		// Staff accept her: now she is in, and the history says who let her in.
		if _, err := db.AcceptCc(ctx, tk.ID, sug[0].ID, staff.ID); err != nil {
			t.Fatal(err)
		}
		if ok, _ := db.IsParticipant(ctx, tk.ID, "eve@evil.test"); !ok {
			t.Error("accepted suggestion is not a participant")
		}
		if _, err := db.AcceptCc(ctx, tk.ID, sug[0].ID, staff.ID); err == nil {
			t.Error("a suggestion was accepted twice")
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, store.AuditCcAccept); n != 1 {
			t.Errorf("audit entries = %d", n)
		}
	})
}

// The same mail, verified, widens the ticket as before.
func TestVerifiedSenderAddsCc(t *testing.T) {
	cases := []struct {
		name  string
		env   inbound.Envelope
		extra string
		to    bool // sent to #1's reply address
		why   string
	}{
		{name: "dmarc pass", env: inbound.Envelope{Verdicts: inbound.Verdicts{DMARC: "PASS", DKIM: "PASS", SPF: "PASS"}},
			why: "verified: DMARC pass for example.com (SES)"},
		{name: "aligned dkim", env: inbound.Envelope{Verdicts: inbound.Verdicts{DKIM: "PASS", DMARC: "GRAY"}},
			extra: "DKIM-Signature: v=1; a=rsa-sha256; d=mail.example.com; s=s1; b=abc\r\n", why: "verified: DKIM pass for mail.example.com (SES)"},
		{name: "aligned spf", env: inbound.Envelope{Sender: "bounces@bounce.example.com", Verdicts: inbound.Verdicts{SPF: "PASS", DKIM: "FAIL", DMARC: "GRAY"}},
			why: "verified: SPF pass for bounce.example.com (SES)"},
		{name: "reply address", to: true, why: "verified: sent to the reply address of #1 by a participant"},
		{name: "trusted authentication-results",
			extra: "Authentication-Results: mx.help.example.com; dkim=pass header.d=example.com header.s=s1\r\n",
			why:   "verified: DKIM pass for example.com (mx.help.example.com)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				opts := pipelineOpts()
				opts.TrustedAuthServIDs = []string{"mx.help.example.com"}
				p := adaTicket(t, db, opts)
				extra := "Cc: bob@example.com\r\n" + tc.extra
				if tc.to {
					extra += "Cc: " + replyaddr.Addr(pipelineSecret, "support", pipelineDomain, 1) + "\r\n"
				}
				res, err := p.Ingest(ctx, senderMail("ada@example.com", "Re: [#1] My printer is on fire", extra, "Adding Bob."), tc.env)
				if err != nil || res.Action != store.ActionAppended {
					t.Fatalf("%+v %v", res, err)
				}
				if got := lastSender(t, db); got != tc.why {
					t.Errorf("sender = %q, want %q", got, tc.why)
				}
				tk, _ := db.TicketByNumber(ctx, 1)
				if ok, _ := db.IsParticipant(ctx, tk.ID, "bob@example.com"); !ok {
					t.Error("bob is not a participant")
				}
			})
		})
	}
}

// Verdicts that do not tie the From domain to a pass prove nothing.
func TestUnalignedOrUntrustedResultsStayUnverified(t *testing.T) {
	cases := []struct {
		name  string
		env   inbound.Envelope
		extra string
	}{
		{name: "dkim pass for another domain", env: inbound.Envelope{Verdicts: inbound.Verdicts{DKIM: "PASS", DMARC: "GRAY"}},
			extra: "DKIM-Signature: v=1; d=evil.test; s=s1; b=abc\r\n"},
		{name: "dkim pass, one signature unaligned", env: inbound.Envelope{Verdicts: inbound.Verdicts{DKIM: "PASS", DMARC: "GRAY"}},
			extra: "DKIM-Signature: v=1; d=example.com; s=s1; b=abc\r\nDKIM-Signature: v=1; d=evil.test; s=s1; b=abc\r\n"},
		{name: "spf pass for another domain", env: inbound.Envelope{Sender: "eve@evil.test", Verdicts: inbound.Verdicts{SPF: "PASS"}}},
		{name: "dmarc fail under reject despite spf", env: inbound.Envelope{Sender: "ada@example.com", Verdicts: inbound.Verdicts{SPF: "PASS", DMARC: "FAIL", DMARCPolicy: "reject"}}},
		{name: "authentication-results from an untrusted host",
			extra: "Authentication-Results: evil.test; dkim=pass header.d=example.com; dmarc=pass header.from=example.com\r\n"},
		{name: "trusted host, dkim for another domain",
			extra: "Authentication-Results: mx.help.example.com; dkim=pass header.d=evil.test; spf=fail smtp.mailfrom=example.com\r\n"},
		{name: "public suffix is not an organization", env: inbound.Envelope{Verdicts: inbound.Verdicts{DKIM: "PASS"}},
			extra: "DKIM-Signature: v=1; d=com; s=s1; b=abc\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				opts := pipelineOpts()
				opts.TrustedAuthServIDs = []string{"mx.help.example.com"}
				p := adaTicket(t, db, opts)
				res, err := p.Ingest(ctx, senderMail("ada@example.com", "Re: [#1] My printer is on fire", "Cc: eve@evil.test\r\n"+tc.extra, "x"), tc.env)
				if err != nil {
					t.Fatal(err)
				}
				if got := pipelineScalar(t, db, `SELECT sender_auth FROM messages WHERE id = ?`, *res.Message); got != store.SenderUnverified {
					t.Errorf("sender_auth = %q (%s)", got, lastSender(t, db))
				}
				if n := pipelineCount(t, db, `SELECT COUNT(*) FROM participants p JOIN users u ON u.id = p.user_id WHERE u.email = 'eve@evil.test'`); n != 0 {
					t.Error("eve became a participant")
				}
			})
		})
	}
}

// Every ambiguous From of the security review: never matched to Ada's
// ticket, unverified, flagged; two From fields or a From list quarantine.
func TestAmbiguousFrom(t *testing.T) {
	cases := []struct {
		name   string
		header string // the From line(s), without "From: " on the first
		action string
		reason string
	}{
		{"address as display name", "ada@example.com <attacker@attacker.test>", store.ActionCreated, "not matched"},
		{"encoded display name hiding a newline", "=?utf-8?q?Ada=0D=0AFrom=3A_ada=40example=2Ecom?= <ada@example.com>", store.ActionCreated, "not matched"},
		{"quoted address then bare address", `"x <ada@example.com>" attacker@attacker.test`, store.ActionCreated, "not matched"},
		{"source route", "<@attacker.test:ada@example.com>", store.ActionCreated, "not matched"},
		{"quoted address as display name", `"ada@example.com" <attacker@attacker.test>`, store.ActionCreated, "not matched"},
		{"two From fields", "ada@example.com\r\nFrom: attacker@attacker.test", store.ActionQuarantined, "mail has 2 From fields"},
		{"From list", "ada@example.com, attacker@attacker.test", store.ActionQuarantined, "From names 2 mailboxes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				p := adaTicket(t, db, pipelineOpts())
				raw := senderMail(tc.header, "Re: [#1] My printer is on fire", "Cc: eve@evil.test\r\n", "It is me, Ada.")
				res, err := p.Ingest(ctx, raw, inbound.Envelope{Verdicts: inbound.Verdicts{DMARC: "PASS", DKIM: "PASS", SPF: "PASS"}})
				if err != nil {
					t.Fatal(err)
				}
				if res.Action != tc.action || !strings.Contains(res.Reason, tc.reason) {
					t.Fatalf("got %s (%s), want %s (%s)", res.Action, res.Reason, tc.action, tc.reason)
				}
				if n := pipelineCount(t, db, `SELECT COUNT(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.number = 1`); n != 1 {
					t.Errorf("#1 has %d messages, want only Ada's first", n)
				}
				if n := pipelineCount(t, db, `SELECT COUNT(*) FROM participants p JOIN users u ON u.id = p.user_id WHERE u.email = 'eve@evil.test'`); n != 0 {
					t.Error("eve became a participant")
				}
				if tc.action != store.ActionCreated {
					return
				}
				got := pipelineScalar(t, db, `SELECT sender_auth || ' ' || flag FROM messages WHERE id = ?`, *res.Message)
				if got != "unverified "+inbound.FlagAmbiguousFrom {
					t.Errorf("message = %q", got)
				}
				if n := pipelineCount(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'confirmation' AND ticket_id = (SELECT id FROM tickets WHERE number = ?)`, *res.Ticket); n != 0 {
					t.Error("a confirmation was queued to an ambiguous sender")
				}
			})
		})
	}
}

// One verified mail with 3,000 Cc adds DARGO_MAX_CC people; the next staff
// reply is mailed to them and the customer only.
func TestThousandsOfCc(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := inbound.NewPipeline(db, pipelineOpts())
		var cc strings.Builder
		cc.WriteString("Cc: ")
		for i := range 3000 {
			if i > 0 {
				cc.WriteString(",\r\n ")
			}
			fmt.Fprintf(&cc, "person%d@example.net", i)
		}
		cc.WriteString("\r\n")
		res, err := p.Ingest(ctx, senderMail("Ada <ada@example.com>", "Everyone", cc.String(), "Hi all."), inbound.Envelope{Verdicts: inbound.Verdicts{DMARC: "PASS"}})
		if err != nil || res.Action != store.ActionCreated {
			t.Fatalf("%+v %v", res, err)
		}
		tk, _ := db.TicketByNumber(ctx, *res.Ticket)
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM participants WHERE ticket_id = ?`, tk.ID); n != 1+store.DefaultMaxCc {
			t.Errorf("participants = %d, want %d", n, 1+store.DefaultMaxCc)
		}
		sug, _ := db.CcSuggestions(ctx, tk.ID)
		if len(sug) == 0 || sug[0].Reason != store.CcOverCap || sug[0].Email != "person10@example.net" {
			t.Fatalf("suggestions: %d, first %+v", len(sug), sug)
		}
		if len(sug) > 200 {
			t.Errorf("%d suggestions from one mail", len(sug))
		}
		staff, _ := db.EnsureUser(ctx, "mia@help.example.com", "Mia", "staff")
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: tk.ID, AuthorID: staff.ID, Text: "Hello."}); err != nil {
			t.Fatal(err)
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM emails WHERE kind <> 'confirmation'`); n != 1+store.DefaultMaxCc {
			t.Errorf("the staff reply queued %d mails, want %d", n, 1+store.DefaultMaxCc)
		}
		if n, err := db.DismissCc(ctx, tk.ID, 0, staff.ID); err != nil || n != len(sug) {
			t.Errorf("dismiss all: %d %v", n, err)
		}
		if left, _ := db.CcSuggestions(ctx, tk.ID); len(left) != 0 {
			t.Errorf("%d suggestions left after dismissing all", len(left))
		}
	})
}

// A reply address can leak (a dismissed Cc saw it, a notification was
// forwarded): it routes the mail, but it only vouches for a participant.
// A stranger who writes to it is recorded, unverified, and suggested; one
// whose own domain signs the mail joins, as before.
func TestReplyAddressFromAStranger(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := adaTicket(t, db, pipelineOpts())
		to := "Cc: " + replyaddr.Addr(pipelineSecret, "support", pipelineDomain, 1) + "\r\n"
		res, err := p.Ingest(ctx, senderMail("Mallory <mallory@evil.test>", "Re: [#1] My printer is on fire", to+"Cc: trent@evil.test\r\n", "Let me in."), inbound.Envelope{})
		if err != nil || res.Action != store.ActionAppended || *res.Ticket != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		if got := lastSender(t, db); !strings.HasPrefix(got, "unverified: sent to the reply address of #1, but by someone who is not a participant") {
			t.Errorf("sender = %q", got)
		}
		tk, _ := db.TicketByNumber(ctx, 1)
		for _, who := range []string{"mallory@evil.test", "trent@evil.test"} {
			if ok, _ := db.IsParticipant(ctx, tk.ID, who); ok {
				t.Errorf("%s joined #1 through a leaked reply address", who)
			}
		}
		sug, _ := db.CcSuggestions(ctx, tk.ID)
		if len(sug) != 2 || sug[0].Email != "mallory@evil.test" || sug[1].Email != "trent@evil.test" {
			t.Errorf("suggestions = %+v", sug)
		}
		// Signed by her own domain, a colleague of Ada's joins by the address.
		res, err = p.Ingest(ctx, senderMail("Bob <bob@example.org>", "Re: [#1] My printer is on fire", to, "Bob here."),
			inbound.Envelope{Verdicts: inbound.Verdicts{DMARC: "PASS"}})
		if err != nil || res.Action != store.ActionAppended {
			t.Fatalf("%+v %v", res, err)
		}
		if ok, _ := db.IsParticipant(ctx, tk.ID, "bob@example.org"); !ok {
			t.Error("a verified sender to the reply address did not join")
		}
	})
}

// Only the topmost Authentication-Results of a trusted host counts: a
// forged one below it, with the same id, is not believed.
func TestForgedAuthenticationResultsBelowTheReal(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		opts := pipelineOpts()
		opts.TrustedAuthServIDs = []string{"mx.help.example.com"}
		p := adaTicket(t, db, opts)
		extra := "Authentication-Results: mx.help.example.com; dkim=fail header.d=example.com; spf=softfail smtp.mailfrom=evil.test\r\n" +
			"Authentication-Results: mx.help.example.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com\r\n" +
			"Cc: eve@evil.test\r\n"
		res, err := p.Ingest(context.Background(), senderMail("ada@example.com", "Re: [#1] My printer is on fire", extra, "x"), inbound.Envelope{})
		if err != nil || res.Action != store.ActionAppended {
			t.Fatalf("%+v %v", res, err)
		}
		if got := pipelineScalar(t, db, `SELECT sender_auth FROM messages WHERE id = ?`, *res.Message); got != store.SenderUnverified {
			t.Errorf("sender_auth = %q (%s)", got, lastSender(t, db))
		}
	})
}

// An operator releases a mail quarantined for two From fields: it is kept
// under the first, unverified, matched to nobody's ticket.
func TestReleaseTwoFromFields(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := adaTicket(t, db, pipelineOpts())
		raw := senderMail("ada@example.com\r\nFrom: attacker@attacker.test", "Re: [#1] My printer is on fire", "", "x")
		res, err := p.Ingest(ctx, raw, inbound.Envelope{})
		if err != nil || res.Action != store.ActionQuarantined {
			t.Fatalf("%+v %v", res, err)
		}
		rec, err := db.InboundMail(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		res, err = p.Release(ctx, rec.ID, raw, rec)
		if err != nil || res.Action != store.ActionCreated || *res.Ticket != 2 {
			t.Fatalf("release: %+v %v", res, err)
		}
		if got := lastSender(t, db); got != "unverified: mail has 2 From fields" {
			t.Errorf("sender = %q", got)
		}
	})
}

package inbound_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/mailtag"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// bounceDSN is a delivery status notification that reports a permanent
// failure for each of finals and returns the headers of the mail with
// Message-ID returned and X-Dargo-Mail tag ("" for none).
func bounceDSN(returned, tag string, finals ...string) []byte {
	if tag != "" {
		tag = mailtag.Header + ": " + tag + "\r\n"
	}
	var blocks strings.Builder
	for _, f := range finals {
		fmt.Fprintf(&blocks, "Final-Recipient: rfc822; %s\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n", f)
	}
	return []byte("Return-Path: <>\r\n" +
		"From: MAILER-DAEMON@mx.attacker.test (Mail Delivery System)\r\n" +
		"To: support@help.example.com\r\n" +
		"Subject: Undelivered Mail Returned to Sender\r\n" +
		"Message-ID: <" + fmt.Sprint(time.Now().UnixNano()) + "@mx.attacker.test>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nYour mail could not be delivered.\r\n" +
		"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.attacker.test\r\n\r\n" + blocks.String() +
		"--B\r\nContent-Type: text/rfc822-headers\r\n\r\n" +
		"From: Example Support <support@help.example.com>\r\nTo: alice@example.com\r\nSubject: [#1] We received your request\r\n" +
		"Message-ID: <" + returned + ">\r\n" + tag + "\r\n" +
		"--B--\r\n")
}

// TestForgedBounceForAnotherRecipient is issue #11's repro: after one
// confirmation to Alice went out, anyone could send a report quoting its
// Message-ID with admin@localhost as the Final-Recipient, and the admin was
// suppressed and never got a sign-in link again. A report suppresses an
// address only when it returns a mail we sent to that same address.
func TestForgedBounceForAnotherRecipient(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := inbound.NewPipeline(db, pipelineOpts())
		if _, err := db.SetRole(ctx, "admin@localhost", "admin"); err != nil {
			t.Fatal(err)
		}
		res, err := p.Ingest(ctx, pipelineEML(t, "gmail_new.eml", 1), inbound.Envelope{Recipients: []string{"support@help.example.com"}})
		if err != nil || res.Action != store.ActionCreated {
			t.Fatalf("new ticket: %+v, %v", res, err)
		}
		// The worker sends the confirmation with a Message-ID we minted.
		const confirmation = "1764270000.4f2a9c@help.example.com"
		emails, err := db.Emails(ctx, "alice@example.com")
		if err != nil || len(emails) != 1 {
			t.Fatalf("confirmation: %v, %v", emails, err)
		}
		if err := db.MarkEmailSent(ctx, emails[0].ID, store.Sent{HeaderID: confirmation}); err != nil {
			t.Fatal(err)
		}

		// Even with Alice's own copy in hand (her Message-ID and tag), a
		// report for admin suppresses nobody.
		aliceTag := mailtag.Tag(pipelineSecret, emails[0].ID, "alice@example.com")
		res, err = p.Ingest(ctx, bounceDSN(confirmation, aliceTag, "admin@localhost"), inbound.Envelope{NullSender: true})
		if err != nil {
			t.Fatal(err)
		}
		if want := "permanent failure 5.1.1 for admin@localhost returns no mail signed for that address (X-Dargo-Mail); not suppressed"; res.Action != store.ActionBounce || res.Reason != want {
			t.Errorf("forged report: %s %q, want bounce %q", res.Action, res.Reason, want)
		}
		// A participant who saw Alice's Message-ID in References, but never
		// her copy's tag, cannot cut her off either.
		res, err = p.Ingest(ctx, bounceDSN(confirmation, "", "alice@example.com"), inbound.Envelope{NullSender: true})
		if err != nil || !strings.Contains(res.Reason, "returns no mail signed for that address") {
			t.Errorf("report without a tag: %+v %v", res, err)
		}
		// A tag for admin with a mail that went to Alice: the row check holds.
		res, err = p.Ingest(ctx, bounceDSN(confirmation, mailtag.Tag(pipelineSecret, emails[0].ID, "admin@localhost"), "admin@localhost"), inbound.Envelope{NullSender: true})
		if want := "permanent failure 5.1.1 for admin@localhost names no mail we sent to that address; not suppressed"; err != nil || res.Reason != want {
			t.Errorf("tag for admin, mail to alice: %+v %v", res, err)
		}
		for _, addr := range []string{"admin@localhost", "alice@example.com"} {
			if ok, err := db.IsSuppressed(ctx, addr); ok || err != nil {
				t.Errorf("%s suppressed by a forged report (%v)", addr, err)
			}
		}
		// The admin still gets sign-in links.
		if err := db.RequestLogin(ctx, store.LoginRequest{TokenHash: "h1", Email: "admin@localhost", TTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
		if got := pipelineScalar(t, db, `SELECT status FROM emails WHERE to_email = 'admin@localhost'`); got != store.EmailQueued {
			t.Errorf("admin's sign-in link: %s, want queued", got)
		}

		// One report naming both: only the address our mail went to is suppressed.
		res, err = p.Ingest(ctx, bounceDSN(confirmation, aliceTag, "admin@localhost", "Alice@Example.com"), inbound.Envelope{NullSender: true})
		if err != nil {
			t.Fatal(err)
		}
		if want := "permanent failure 5.1.1 for admin@localhost returns no mail signed for that address (X-Dargo-Mail); not suppressed; " +
			"permanent failure 5.1.1 for alice@example.com; address suppressed"; res.Reason != want {
			t.Errorf("report for both: %q, want %q", res.Reason, want)
		}
		if ok, _ := db.IsSuppressed(ctx, "alice@example.com"); !ok {
			t.Errorf("a genuine report for alice did not suppress her")
		}
		if ok, _ := db.IsSuppressed(ctx, "admin@localhost"); ok {
			t.Errorf("admin suppressed")
		}
	})
}

// A genuine report from the recipient's server quotes SES's Message-ID (SES
// replaces ours), in whatever region's form.
func TestBounceOfSESMessageID(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := inbound.NewPipeline(db, pipelineOpts())
		if _, err := p.Ingest(ctx, pipelineEML(t, "gmail_new.eml", 1), inbound.Envelope{}); err != nil {
			t.Fatal(err)
		}
		emails, _ := db.Emails(ctx, "alice@example.com")
		const sesID = "0102019c7b00aa11-5d6e7f80-1a2b-4c3d-8e9f-a0b1c2d3e4f5-000000"
		if err := db.MarkEmailSent(ctx, emails[0].ID, store.Sent{HeaderID: "minted@help.example.com", SESID: sesID}); err != nil {
			t.Fatal(err)
		}
		res, err := p.Ingest(ctx, bounceDSN(sesID+"@us-west-2.amazonses.com", mailtag.Tag(pipelineSecret, emails[0].ID, "alice@example.com"), "alice@example.com"), inbound.Envelope{NullSender: true})
		if err != nil || res.Reason != "permanent failure 5.1.1 for alice@example.com; address suppressed" {
			t.Fatalf("genuine report: %+v, %v", res, err)
		}
		if got := pipelineScalar(t, db, `SELECT source FROM suppressions WHERE email = 'alice@example.com'`); got != "dsn" {
			t.Errorf("suppression source %q", got)
		}
	})
}

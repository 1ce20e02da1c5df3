package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/internal/testaws"
	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/store"
)

// staffE2EDesk migrates, opens ticket #1 from Jürgen (testdata/new.eml) with
// `dargo ingest`, makes mia@example.org staff with `dargo staff add`, and
// returns the database and mia's reply address for #1.
func staffE2EDesk(t *testing.T, env []string, url string) (*store.DB, string) {
	t.Helper()
	ctx := context.Background()
	if _, errOut, code := dargo(t, env, nil, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	if out, errOut, code := dargo(t, env, nil, "ingest", "testdata/new.eml"); code != 0 || decodeLines(t, out)[0].Action != "created" {
		t.Fatalf("ingest #1: %s %s", out, errOut)
	}
	if _, errOut, code := dargo(t, env, nil, "staff", "add", "mia@example.org"); code != 0 {
		t.Fatalf("staff add: %s", errOut)
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mia, err := db.UserByEmail(ctx, "mia@example.org")
	if err != nil {
		t.Fatal(err)
	}
	return db, replyaddr.StaffAddr(testSecret, "support", "help.example.com", 1, mia.ID)
}

// staffAnswer is mia's answer to a notice about #1; extra holds header lines.
func staffAnswer(to, id, extra, body string) []byte {
	return staffAnswerFrom("Mia Wong <mia@example.org>", to, id, extra, body)
}

// staffAnswerFrom is staffAnswer written by from.
func staffAnswerFrom(from, to, id, extra, body string) []byte {
	return []byte(extra + "From: " + from + "\r\nTo: " + to + "\r\nSubject: Re: [#1] Invoice\r\n" +
		"Message-ID: <" + id + "@example.org>\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n\r\n-- \r\nMia\r\n")
}

func staffCount(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.X.GetContext(context.Background(), &n, db.X.Rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// Through `dargo ingest`, as an MTA that adds Authentication-Results pipes
// it: the answer proven by a host in DARGO_TRUSTED_AUTHSERV_IDS goes to
// the customer; the same answer proven only by another host is held.
func TestStaffMailThroughIngest(t *testing.T) {
	databases(t, func(t *testing.T, url string) {
		env := append(baseEnv(url), "DARGO_TRUSTED_AUTHSERV_IDS=mx.help.example.com")
		db, addr := staffE2EDesk(t, env, url)
		trusted := "Authentication-Results: mx.help.example.com;\r\n\tdkim=pass header.d=example.org header.s=s1;\r\n\tdmarc=pass header.from=example.org\r\n"
		out, errOut, code := dargo(t, env, staffAnswer(addr, "mia-1", trusted, "#resolve\r\n\r\nRefunded: the second invoice is cancelled."), "ingest", "--recipient", addr)
		if code != 0 {
			t.Fatalf("ingest: %s", errOut)
		}
		r := decodeLines(t, out)[0]
		if r.Action != "appended" || r.Ticket == nil || *r.Ticket != 1 || r.Message == nil || r.Reason != "answer by mail from staff mia@example.org (commands: #resolve)" {
			t.Fatalf("verified answer: %s", out)
		}
		if n := staffCount(t, db, `SELECT COUNT(*) FROM messages WHERE id = ? AND kind = 'outbound' AND visible_text = ?`, *r.Message, "Refunded: the second invoice is cancelled."); n != 1 {
			t.Error("the answer is not mia's reply, without command and signature")
		}
		if n := staffCount(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = 'juergen.mueller@example.de' AND kind = 'reply' AND message_id = ? AND announces = 'resolved'`, *r.Message); n != 1 {
			t.Errorf("%d reply mails to the customer announcing the resolve, want 1", n)
		}

		untrusted := "Authentication-Results: mx.elsewhere.test; dkim=pass header.d=example.org; dmarc=pass header.from=example.org\r\n"
		out, errOut, code = dargo(t, env, staffAnswer(addr, "mia-2", untrusted, "Sorry, one more thing."), "ingest", "--recipient", addr)
		if code != 0 {
			t.Fatalf("ingest: %s", errOut)
		}
		r = decodeLines(t, out)[0]
		if r.Action != "appended" || r.Reason != "held for staff: not verified: no DKIM or SPF pass aligned with example.org" {
			t.Fatalf("unverified answer: %s", out)
		}
		if n := staffCount(t, db, `SELECT COUNT(*) FROM messages WHERE id = ? AND kind = 'note' AND flag = 'held'`, *r.Message); n != 1 {
			t.Error("the unverified answer is not a held note")
		}
		if n := staffCount(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = 'juergen.mueller@example.de' AND kind = 'reply'`); n != 1 {
			t.Errorf("%d replies to the customer after the held answer, want 1", n)
		}
		if n := staffCount(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = 'mia@example.org' AND kind = ?`, store.EmailStaffNotice); n != 1 {
			t.Errorf("%d held notices to mia, want 1", n)
		}

		// Bob is staff too, and his mail is proven, but it came to mia's
		// address: nobody may answer as someone else.
		if _, errOut, code := dargo(t, env, nil, "staff", "add", "bob@example.org"); code != 0 {
			t.Fatalf("staff add bob: %s", errOut)
		}
		bobProof := "Authentication-Results: mx.help.example.com; dkim=pass header.d=example.org; dmarc=pass header.from=example.org\r\n"
		out, errOut, code = dargo(t, env, staffAnswerFrom("Bob <bob@example.org>", addr, "bob-1", bobProof, "#resolve\r\nClosing this for Mia."), "ingest", "--recipient", addr)
		if code != 0 {
			t.Fatalf("ingest: %s", errOut)
		}
		r = decodeLines(t, out)[0]
		if r.Action != "appended" || r.Reason != "held for staff: sent from bob@example.org, not from mia@example.org, whose reply address it came to" {
			t.Fatalf("another staff member's answer on mia's address: %s", out)
		}
		if n := staffCount(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = 'juergen.mueller@example.de' AND kind = 'reply'`); n != 1 {
			t.Errorf("%d replies to the customer after bob's answer, want 1", n)
		}
		// Mia is told of both held answers (in one notice, still waiting for more news).
		if n := staffCount(t, db, `SELECT COUNT(*) FROM staff_events e JOIN users u ON u.id = e.user_id WHERE u.email = 'mia@example.org' AND e.kind = ?`, store.NoticeHeld); n != 2 {
			t.Errorf("mia was told of %d held answers, want 2", n)
		}

		// The same mail again changes nothing.
		out, _, _ = dargo(t, env, staffAnswer(addr, "mia-1", trusted, "#resolve\r\n\r\nRefunded: the second invoice is cancelled."), "ingest", "--recipient", addr)
		if r := decodeLines(t, out)[0]; r.Action != "duplicate" || r.Ticket == nil || *r.Ticket != 1 {
			t.Errorf("duplicate: %s", out)
		}
	})
}

// Through SQS on moto, with SES's verdicts in the notification: `dargo
// inbound` takes both answers, `dargo worker` sends the verified one to
// the customer with moto's SES; the unverified one is held and nothing
// more goes to the customer.
func TestStaffMailThroughSQS(t *testing.T) {
	endpoint := testaws.Moto(t)
	testaws.Env(t, endpoint)
	verifyIdentity(t, "help.example.com")
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sq := sqs.NewFromConfig(cfg)
	databases(t, func(t *testing.T, url string) {
		dialect := strings.SplitN(url, ":", 2)[0]
		name := strings.NewReplacer("/", "-", "_", "-").Replace(t.Name())
		q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		r := testredis.Open(t, redisDB)
		env := append(baseEnv(url), "DARGO_SQS_QUEUE_URL="+*q.QueueUrl,
			"DARGO_FROM=Help Desk <support@help.example.com>", "DARGO_BASE_URL=https://help.example.com",
			fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB),
			"DARGO_MAILER=ses", "DARGO_SES_MAX_RATE=50", "DARGO_RELAY_INTERVAL=100ms", "DARGO_NOTIFY_DIGEST_SECONDS=3600",
			"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
			"AWS_ENDPOINT_URL_SQS="+endpoint, "AWS_ENDPOINT_URL_SESV2="+endpoint)
		db, addr := staffE2EDesk(t, env, url)
		if _, errOut, code := dargo(t, env, nil, "staff", "add", "bob@example.org"); code != 0 {
			t.Fatalf("staff add bob: %s", errOut)
		}
		mails := []struct {
			id       string
			from     string
			verdicts map[string]string
			body     string
		}{
			{"verified", "mia@example.org", nil, "#priority high\r\n\r\nWe are on it."},
			{"unverified", "mia@example.org", map[string]string{"spfVerdict": "GRAY", "dkimVerdict": "GRAY", "dmarcVerdict": "GRAY"}, "Unverified words."},
			{"dmarc-fail", "mia@example.org", map[string]string{"spfVerdict": "FAIL", "dkimVerdict": "PASS", "dmarcVerdict": "FAIL"}, "Forged words."},
			{"other-staff", "bob@example.org", nil, "#resolve\r\nBob answering as Mia."},
		}
		for _, m := range mails {
			raw := staffAnswerFrom(m.from, addr, dialect+"-"+m.id, "", m.body)
			body := sesVerdicts(dialect+"-staff-"+m.id, m.from, m.verdicts, raw)
			if _, err := sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(body)}); err != nil {
				t.Fatal(err)
			}
		}
		startProcess(t, env, "inbound")
		startProcess(t, env, "worker", "--concurrency", "2")
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			es, _ := db.Emails(ctx, "juergen.mueller@example.de")
			var replies []store.Email
			for _, e := range es {
				if e.Kind == store.EmailReply {
					replies = append(replies, e)
				}
			}
			if len(replies) == 1 && replies[0].Status == store.EmailSent &&
				staffCount(t, db, `SELECT COUNT(*) FROM inbound_mail WHERE status = 'processed' AND ses_id LIKE ?`, dialect+"-staff-%") == len(mails) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after 60s: replies %+v", replies)
			}
		}
		want := map[string]string{
			"verified":   "appended|answer by mail from staff mia@example.org (commands: #priority high)",
			"unverified": "appended|held for staff: not verified: no DKIM or SPF pass aligned with example.org",
			"dmarc-fail": "appended|held for staff: not verified: DMARC failed for example.org (SES)",
			// Proven by SES, and staff, but not the person whose address it came to.
			"other-staff": "appended|held for staff: sent from bob@example.org, not from mia@example.org, whose reply address it came to",
		}
		for id, w := range want {
			var got string
			if err := db.X.GetContext(ctx, &got, db.X.Rebind(`SELECT action || '|' || reason FROM inbound_mail WHERE ses_id = ?`), dialect+"-staff-"+id); err != nil || got != w {
				t.Errorf("%s: %q %v, want %q", id, got, err, w)
			}
		}
		if n := staffCount(t, db, `SELECT COUNT(*) FROM messages WHERE kind = 'outbound' AND visible_text = 'We are on it.'`); n != 1 {
			t.Errorf("%d replies written", n)
		}
		if n := staffCount(t, db, `SELECT COUNT(*) FROM messages WHERE kind = 'note' AND flag = 'held'`); n != 3 {
			t.Errorf("%d held notes, want 3", n)
		}
		if p := staffCount(t, db, `SELECT COUNT(*) FROM tickets WHERE number = 1 AND priority = 'high'`); p != 1 {
			t.Error("#priority high was not applied")
		}
		if n := staffCount(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = 'juergen.mueller@example.de' AND kind = 'reply'`); n != 1 {
			t.Errorf("%d replies to the customer, want 1", n)
		}
	})
}

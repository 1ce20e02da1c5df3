package inbound_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/mailtag"
	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// sentToAlice opens Alice's ticket and has the worker send its
// confirmation: its emails row id, the Message-ID we minted and SES's id.
func sentToAlice(t *testing.T, db *store.DB, p *inbound.Pipeline) (id int64, headerID, sesID string) {
	t.Helper()
	ctx := context.Background()
	res, err := p.Ingest(ctx, pipelineEML(t, "gmail_new.eml", 1), inbound.Envelope{Recipients: []string{"support@help.example.com"}})
	if err != nil || res.Action != store.ActionCreated {
		t.Fatalf("new ticket: %+v, %v", res, err)
	}
	emails, err := db.Emails(ctx, "alice@example.com")
	if err != nil || len(emails) != 1 {
		t.Fatalf("confirmation: %v, %v", emails, err)
	}
	headerID, sesID = "1764270000.77aa01@help.example.com", "0102019c7b00aa11-feedback-000000"
	if err := db.MarkEmailSent(ctx, emails[0].ID, store.Sent{HeaderID: headerID, SESID: sesID}); err != nil {
		t.Fatal(err)
	}
	return emails[0].ID, headerID, sesID
}

// arfReport is an RFC 5965 abuse report for rcpt returning our mail's
// headers (Message-ID and X-Dargo-Mail tag, when given).
func arfReport(n int, feedbackType, rcpt, msgID, tag string) []byte {
	tagLine := ""
	if tag != "" {
		tagLine = mailtag.Header + ": " + tag + "\r\n"
	}
	return []byte(fmt.Sprintf("From: Mail FBL <fbl@isp.example.net>\r\nTo: fbl@help.example.com\r\nSubject: Abuse report\r\n"+
		"Message-ID: <arf-%d@isp.example.net>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\r\n\r\n"+
		"--b\r\nContent-Type: text/plain\r\n\r\nThis is an abuse report.\r\n"+
		"--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: %s\r\nVersion: 1\r\nOriginal-Rcpt-To: <%s>\r\n\r\n"+
		"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: Example Support <support@help.example.com>\r\nTo: %s\r\n"+
		"Subject: [#1] We received your request\r\nMessage-ID: <%s>\r\n%s\r\n--b--\r\n", n, feedbackType, rcpt, rcpt, msgID, tagLine))
}

// An abuse report is never a ticket; it suppresses the complaining
// address only when it returns a mail we sent to that address.
func TestAbuseReport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := inbound.NewPipeline(db, pipelineOpts())
		emailID, headerID, _ := sentToAlice(t, db, p)
		aliceTag := mailtag.Tag(pipelineSecret, emailID, "alice@example.com")
		ingest := func(raw []byte) inbound.Result {
			t.Helper()
			res, err := p.Ingest(ctx, raw, inbound.Envelope{Recipients: []string{"fbl@help.example.com"}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Action != store.ActionFeedback || res.Ticket != nil {
				t.Fatalf("report: %+v, want feedback without a ticket", res)
			}
			return res
		}
		// Forged: our Message-ID but no tag, a tag for another address, a
		// mail we never sent, and a report that is no complaint.
		for i, raw := range [][]byte{
			arfReport(1, "abuse", "alice@example.com", headerID, ""),
			arfReport(2, "abuse", "admin@localhost", headerID, aliceTag),
			arfReport(3, "abuse", "alice@example.com", "never-sent@help.example.com", mailtag.Tag(pipelineSecret, emailID+1, "alice@example.com")),
			arfReport(4, "auth-failure", "alice@example.com", headerID, aliceTag),
		} {
			res := ingest(raw)
			if !strings.Contains(res.Reason, "not suppressed") && !strings.Contains(res.Reason, "not a complaint") {
				t.Errorf("report %d: %q", i+1, res.Reason)
			}
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM suppressions`); n != 0 {
			t.Fatalf("%d suppressions after forged reports", n)
		}
		res := ingest(arfReport(5, "abuse", "alice@example.com", headerID, aliceTag))
		if want := "feedback report: abuse complaint for alice@example.com; address suppressed"; res.Reason != want {
			t.Errorf("genuine report: %q, want %q", res.Reason, want)
		}
		if got := pipelineScalar(t, db, `SELECT source FROM suppressions WHERE email = 'alice@example.com'`); got != "arf" {
			t.Errorf("suppression source %q", got)
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM tickets`); n != 1 {
			t.Errorf("%d tickets, want Alice's only", n)
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM emails`); n != 1 {
			t.Errorf("%d emails: a report was answered", n)
		}
	})
}

// snsMail is an SNS email subscription's mail carrying an SES notification
// (the email protocol: the JSON, then SNS's footer).
func snsMail(n int, notification string) []byte {
	return []byte(fmt.Sprintf("From: AWS Notifications <no-reply@sns.amazonaws.com>\r\nTo: ops@help.example.com\r\n"+
		"Subject: AWS Notification Message\r\nMessage-ID: <sns-%d@email.amazonses.com>\r\n"+
		"DKIM-Signature: v=1; a=rsa-sha256; d=sns.amazonaws.com; s=sns; h=from:to:subject; bh=x; b=y\r\n"+
		"Content-Type: text/plain; charset=UTF-8\r\n\r\n%s\r\n\r\n--\r\n"+
		"If you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\r\n"+
		"https://sns.eu-west-1.amazonaws.com/unsubscribe.html?SubscriptionArn="+snsTopic+":0f1e2d3c-aaaa-bbbb-cccc-123456789abc&Endpoint=ops@help.example.com\r\n", n, notification))
}

// snsTopic is the SNS topic the test pipeline accepts notification mail from.
const snsTopic = "arn:aws:sns:eu-west-1:123456789012:dargo-feedback"

// snsOpts is the test pipeline accepting notifications by mail from snsTopic.
func snsOpts() inbound.Opts {
	o := pipelineOpts()
	o.SNSTopicARNs = []string{snsTopic}
	return o
}

// An AWS notification by mail acts like the same notification on SQS,
// but only when the mail is verified and names a mail we sent.
func TestAWSNotificationMail(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := inbound.NewPipeline(db, snsOpts())
		_, _, sesID := sentToAlice(t, db, p)
		complaint := func(id, addr string) string {
			return `{"notificationType":"Complaint","complaint":{"complaintFeedbackType":"abuse","complainedRecipients":[{"emailAddress":"` +
				addr + `"}]},"mail":{"messageId":"` + id + `"}}`
		}
		verified := inbound.Verdicts{DKIM: "PASS", SPF: "NONE"}
		ingest := func(raw []byte, v inbound.Verdicts) inbound.Result {
			t.Helper()
			res, err := p.Ingest(ctx, raw, inbound.Envelope{Recipients: []string{"ops@help.example.com"}, Verdicts: v})
			if err != nil {
				t.Fatal(err)
			}
			if res.Ticket != nil || res.Action == store.ActionCreated {
				t.Fatalf("notification mail opened a ticket: %+v", res)
			}
			return res
		}
		// Unverified: no verdicts, or a DKIM pass that is not aligned.
		res := ingest(snsMail(1, complaint(sesID, "alice@example.com")), inbound.Verdicts{})
		if res.Action != store.ActionIgnored || !strings.Contains(res.Reason, "not verified") {
			t.Errorf("unverified: %+v", res)
		}
		forged := strings.Replace(string(snsMail(2, complaint(sesID, "alice@example.com"))), "d=sns.amazonaws.com", "d=attacker.example", 1)
		if res := ingest([]byte(forged), verified); res.Action != store.ActionIgnored {
			t.Errorf("DKIM pass for another domain: %+v", res)
		}
		// Verified, but about a mail we never sent, or to someone else.
		ingest(snsMail(3, complaint("0102019cnotours-000000", "alice@example.com")), verified)
		ingest(snsMail(4, complaint(sesID, "admin@localhost")), verified)
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM suppressions`); n != 0 {
			t.Fatalf("%d suppressions before a genuine notification", n)
		}
		before := sample(metrics.SESFeedback, "complaint")
		res = ingest(snsMail(5, complaint(sesID, "alice@example.com")), verified)
		if want := "AWS Complaint notification by mail: alice@example.com suppressed"; res.Action != store.ActionFeedback || res.Reason != want {
			t.Errorf("genuine: %+v, want feedback %q", res, want)
		}
		if got := pipelineScalar(t, db, `SELECT source FROM suppressions WHERE email = 'alice@example.com'`); got != "ses-complaint" {
			t.Errorf("suppression source %q", got)
		}
		if got := sample(metrics.SESFeedback, "complaint") - before; got != 1 {
			t.Errorf("dargo_ses_feedback_total{type=complaint} grew by %v", got)
		}
		// The email-json form: an SNS envelope with the SES JSON in Message.
		bounce := `{"notificationType":"Bounce","bounce":{"bounceType":"Transient","bounceSubType":"MailboxFull","bouncedRecipients":[{"emailAddress":"alice@example.com"}]},"mail":{"messageId":"` + sesID + `"}}`
		envelope := fmt.Sprintf(`{"Type":"Notification","MessageId":"m1","TopicArn":"`+snsTopic+`","Message":%q}`, bounce)
		if res := ingest(snsMail(6, envelope), verified); res.Action != store.ActionFeedback || !strings.Contains(res.Reason, "nothing to suppress") {
			t.Errorf("transient bounce: %+v", res)
		}
	})
}

// A bounce written as text (qmail) that quotes our mail suppresses the
// failed recipient like a DSN does.
func TestTextBounceSuppresses(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := inbound.NewPipeline(db, pipelineOpts())
		emailID, headerID, _ := sentToAlice(t, db, p)
		raw := "From: MAILER-DAEMON@mx.example.com\r\nTo: support@help.example.com\r\nSubject: failure notice\r\nMessage-ID: <q1@mx.example.com>\r\n\r\n" +
			"Hi. This is the qmail-send program at mx.example.com.\r\n" +
			"I'm afraid I wasn't able to deliver your message to the following addresses.\r\n" +
			"This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n" +
			"<alice@example.com>:\r\n192.0.2.1 does not like recipient.\r\nRemote host said: 550 5.1.1 User unknown\r\n\r\n" +
			"--- Below this line is a copy of the message.\r\n\r\n" +
			"From: Example Support <support@help.example.com>\r\nTo: alice@example.com\r\nMessage-ID: <" + headerID + ">\r\n" +
			mailtag.Header + ": " + mailtag.Tag(pipelineSecret, emailID, "alice@example.com") + "\r\n\r\nThanks.\r\n"
		res, err := p.Ingest(ctx, []byte(raw), inbound.Envelope{NullSender: true})
		if err != nil {
			t.Fatal(err)
		}
		if want := "permanent failure 5.1.1 for alice@example.com; address suppressed"; res.Action != store.ActionBounce || res.Reason != want {
			t.Errorf("qmail bounce: %+v, want %q", res, want)
		}
		if got := pipelineScalar(t, db, `SELECT source FROM suppressions WHERE email = 'alice@example.com'`); got != "dsn" {
			t.Errorf("suppression source %q", got)
		}
	})
}

// A verified SNS mail proves only that Amazon sent it: any AWS account's
// topic can mail us. A notification from a topic not in
// DARGO_SNS_TOPIC_ARNS, or one whose body claims our topic while SNS's
// footer names another, suppresses nothing; with no topic listed, no
// notification by mail is acted on.
func TestAWSNotificationMailTopic(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := inbound.NewPipeline(db, snsOpts())
		_, _, sesID := sentToAlice(t, db, p)
		complaint := `{"notificationType":"Complaint","complaint":{"complaintFeedbackType":"abuse","complainedRecipients":[{"emailAddress":"alice@example.com"}]},"mail":{"messageId":"` + sesID + `"}}`
		other := "arn:aws:sns:eu-west-1:999999999999:attacker"
		verified := inbound.Verdicts{DKIM: "PASS", SPF: "NONE"}
		ingest := func(p *inbound.Pipeline, raw []byte) inbound.Result {
			t.Helper()
			res, err := p.Ingest(ctx, raw, inbound.Envelope{Recipients: []string{"ops@help.example.com"}, Verdicts: verified})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		foreign := strings.Replace(string(snsMail(11, complaint)), snsTopic, other, 1)
		if res := ingest(p, []byte(foreign)); res.Action != store.ActionIgnored || !strings.Contains(res.Reason, other) {
			t.Errorf("unlisted topic: %+v", res)
		}
		// email-json claiming our topic, published on the attacker's
		// topic by the email protocol: SNS's footer still names theirs.
		claim := fmt.Sprintf(`{"Type":"Notification","TopicArn":%q,"Message":%q}`, snsTopic, complaint)
		if res := ingest(p, []byte(strings.Replace(string(snsMail(12, claim)), snsTopic+":0f1e", other+":0f1e", 1))); res.Action != store.ActionIgnored {
			t.Errorf("body claims our topic, footer names another: %+v", res)
		}
		noFooter := strings.Replace(string(snsMail(13, complaint)), "?SubscriptionArn=", "?Nothing=", 1)
		if res := ingest(p, []byte(noFooter)); res.Action != store.ActionIgnored {
			t.Errorf("no topic named: %+v", res)
		}
		none := inbound.NewPipeline(db, pipelineOpts()) // DARGO_SNS_TOPIC_ARNS empty
		if res := ingest(none, snsMail(14, complaint)); res.Action != store.ActionIgnored || !strings.Contains(res.Reason, "DARGO_SNS_TOPIC_ARNS") {
			t.Errorf("no topics accepted: %+v", res)
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM suppressions`); n != 0 {
			t.Fatalf("%d suppressions from notifications of foreign topics", n)
		}
		if res := ingest(p, snsMail(15, complaint)); res.Action != store.ActionFeedback || !strings.Contains(res.Reason, "alice@example.com suppressed") {
			t.Errorf("our topic: %+v", res)
		}
	})
}

package transport_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// SES message ids of the mails the feedback fixtures are about.
const (
	fbHardBounceID = "0100017e6dde5594-4912fac5-bd85-4358-98d4-7b8d8b89fc60-000000" // hard_bounce: relayuser@test.com
	fbBobID        = "0100019a2b3c4d5e-11111111-2222-3333-4444-555555555555-000000" // transient bounce, then complaint: bob
	fbCarolID      = "0100019a2b3c4d62-66666666-7777-8888-9999-000000000000-000000" // eventType Bounce: carol
)

func fbFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "ses", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func fbEmail(t *testing.T, db *store.DB, to, sesID string) {
	t.Helper()
	_, err := db.X.Exec(db.X.Rebind(`INSERT INTO emails (to_email, kind, subject, status, ses_id, created_at) VALUES (?, 'reply', '[#7] Your request', 'sent', ?, ?)`),
		to, sesID, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
}

func fbStatus(t *testing.T, db *store.DB, sesID string) string {
	return sqsScalar(t, db, `SELECT status FROM emails WHERE ses_id = ?`, sesID)
}

// TestSQSFeedbackQueue runs a consumer on a feedback queue of its own
// (DARGO_SQS_FEEDBACK_QUEUE_URL): no pipeline, only Feedback.
func TestSQSFeedbackQueue(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := sqsSetup(t, 2)
		fbEmail(t, db, "relayuser@test.com", fbHardBounceID)
		fbEmail(t, db, "bob@customer.example", fbBobID)
		fbEmail(t, db, "carol@customer.example", fbCarolID)
		fbEmail(t, db, "dave@customer.example", "0100019a-unrelated-000000")

		for _, f := range []string{"hard_bounce_sns_body.json", "bounce_transient_sns_body.json", "event_bounce_sns_body.json"} {
			q.send(t, q.main, fbFixture(t, f))
		}
		stop := sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Feedback: db, Visibility: 6 * time.Second, Retry: time.Second})
		eventually(t, 20*time.Second, "the bounces handled", func() bool { return q.count(t, q.main) == 0 })

		for addr, want := range map[string]bool{"relayuser@test.com": true, "carol@customer.example": true,
			"bob@customer.example": false, "dave@customer.example": false} {
			if got, err := db.IsSuppressed(ctx, addr); err != nil || got != want {
				t.Errorf("%s suppressed %v (%v), want %v", addr, got, err, want)
			}
		}
		for id, want := range map[string]string{fbHardBounceID: "failed", fbCarolID: "failed", fbBobID: "sent", "0100019a-unrelated-000000": "sent"} {
			if got := fbStatus(t, db, id); got != want {
				t.Errorf("emails %s: %s, want %s", id, got, want)
			}
		}
		// The transient bounce is recorded on bob's mail, which stays sent.
		if got := sqsScalar(t, db, `SELECT reason FROM emails WHERE ses_id = ?`, fbBobID); !strings.HasPrefix(got, "transient bounce") {
			t.Errorf("bob's transient bounce not recorded: reason %q", got)
		}
		if got := sqsScalar(t, db, `SELECT reason FROM suppressions WHERE email = ?`, "carol@customer.example"); got != "ses bounce: General smtp; 550 5.1.1 user unknown" {
			t.Errorf("carol's suppression reason %q", got)
		}
		if got := sqsScalar(t, db, `SELECT source FROM suppressions WHERE email = ?`, "relayuser@test.com"); got != "ses-bounce" {
			t.Errorf("relayuser's suppression source %q", got)
		}

		// A complaint, delivered twice: the second changes nothing.
		q.send(t, q.main, fbFixture(t, "complaint_sns_body.json"))
		q.send(t, q.main, fbFixture(t, "complaint_sns_body.json"))
		eventually(t, 20*time.Second, "the complaint handled", func() bool {
			return q.count(t, q.main) == 0 && fbStatus(t, db, fbBobID) == "failed"
		})
		stop()
		if got := sqsScalar(t, db, `SELECT reason || ' / ' || source FROM suppressions WHERE email = ?`, "bob@customer.example"); got != "complaint: abuse / ses-complaint" {
			t.Errorf("bob's suppression %q", got)
		}
		if got := sqsScalar(t, db, `SELECT reason FROM emails WHERE ses_id = ?`, fbBobID); got != "complaint: abuse" {
			t.Errorf("bob's emails reason %q", got)
		}
		if n := q.count(t, q.dlq); n != 0 {
			t.Errorf("%d messages in the DLQ", n)
		}
	})
}

// TestSQSFeedbackOnMainQueue: bounces on the mail queue go to Feedback while
// mail goes to the pipeline; with no Feedback, a bounce is poison.
func TestSQSFeedbackOnMainQueue(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	q := sqsSetup(t, 1)
	fbEmail(t, db, "relayuser@test.com", fbHardBounceID)
	q.send(t, q.main, fbFixture(t, "hard_bounce_sns_body.json"))
	q.send(t, q.main, snsWrap(sqsReceived("ses-mixed", sqsMail(1, "anna@customer.example"), "UTF8", "")))
	stop := sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: sqsPipeline(t, db), Feedback: db,
		Visibility: 6 * time.Second, Retry: time.Second})
	eventually(t, 20*time.Second, "both handled", func() bool { return q.count(t, q.main) == 0 })
	stop()
	if fbStatus(t, db, fbHardBounceID) != "failed" || sqsCount(t, db, `SELECT COUNT(*) FROM tickets`) != 1 {
		t.Errorf("bounce not applied or mail not ingested")
	}

	q.send(t, q.main, fbFixture(t, "complaint_sns_body.json"))
	sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: sqsPipeline(t, db), Visibility: 6 * time.Second, Retry: time.Second})
	eventually(t, 20*time.Second, "the complaint in the DLQ of a consumer without Feedback", func() bool { return q.count(t, q.dlq) == 1 })
}

// fbFailing is a Feedback whose database is down.
type fbFailing struct{}

func (fbFailing) SuppressIfSent(context.Context, []string, string, string, string) (bool, error) {
	return false, errDatabaseDown
}
func (fbFailing) MarkEmailBounced(context.Context, string, string) (bool, error) {
	return false, errDatabaseDown
}
func (fbFailing) NoteEmailDelay(context.Context, string, string) (bool, error) {
	return false, errDatabaseDown
}

func TestApplyFeedbackErrors(t *testing.T) {
	n, err := transport.DecodeNotification([]byte(fbFixture(t, "hard_bounce_sns_body.json")))
	if err != nil {
		t.Fatal(err)
	}
	if err := transport.ApplyFeedback(context.Background(), fbFailing{}, n, sqsLogger(t)); err == nil {
		t.Errorf("no error with the database down")
	}
	m, _ := transport.DecodeNotification([]byte(fbFixture(t, "received_base64_sns_body.json")))
	if err := transport.ApplyFeedback(context.Background(), fbFailing{}, m, sqsLogger(t)); err == nil {
		t.Errorf("a mail applied as feedback")
	}
}

// TestApplyFeedbackOnlyForTheRecipient: SES's feedback is trusted
// transport, but the rule is the same as for DSNs: a bounce or complaint
// suppresses an address only when the mail it names (by SES message id) was
// sent to that address. Here both mails went to ada, while the bounce names
// relayuser and the complaint bob.
func TestApplyFeedbackOnlyForTheRecipient(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fbEmail(t, db, "ada@example.com", fbHardBounceID)
		fbEmail(t, db, "ada@example.com", fbBobID)
		fbEmail(t, db, "carol@customer.example", fbCarolID)
		for _, f := range []string{"hard_bounce_sns_body.json", "complaint_sns_body.json", "event_bounce_sns_body.json"} {
			n, err := transport.DecodeNotification([]byte(fbFixture(t, f)))
			if err != nil {
				t.Fatal(err)
			}
			if err := transport.ApplyFeedback(ctx, db, n, sqsLogger(t)); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		}
		for addr, want := range map[string]bool{"relayuser@test.com": false, "bob@customer.example": false,
			"ada@example.com": false, "carol@customer.example": true} {
			if got, err := db.IsSuppressed(ctx, addr); err != nil || got != want {
				t.Errorf("%s suppressed %v (%v), want %v", addr, got, err, want)
			}
		}
		// Ada's mails were not what bounced: they stay sent.
		for id, want := range map[string]string{fbHardBounceID: "sent", fbBobID: "sent", fbCarolID: "failed"} {
			if got := fbStatus(t, db, id); got != want {
				t.Errorf("emails %s: %s, want %s", id, got, want)
			}
		}
	})
}

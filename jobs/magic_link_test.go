package jobs_test

import (
	"github.com/dargo-support/dargo/internal/mailtag"

	"context"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/seal"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// TestMagicLinkGoesOutSealed: a sign-in link waits in the outbox only
// sealed, travels on the critical queue, reaches the mail in clear, and its
// sealed copy is dropped once the mail is sent.
func TestMagicLinkGoesOutSealed(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		link := "https://help.acme.test/login/confirm?token=Zm9vYmFyLXNlY3JldC10b2tlbg"
		sealed, err := seal.Seal("jobs-test-secret", []byte(link))
		if err != nil {
			t.Fatal(err)
		}
		id, err := e.db.QueueMagicLink(ctx, nil, "Ada@Example.com", sealed)
		if err != nil {
			t.Fatal(err)
		}
		var payload string
		if err := e.db.X.Get(&payload, e.db.X.Rebind(`SELECT payload FROM outbox WHERE email_id = ?`), id); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(payload, "Zm9vYmFy") || !strings.Contains(payload, `"sealed"`) {
			t.Fatalf("outbox payload holds the token in clear or not at all: %s", payload)
		}
		if q := jobs.QueueFor(store.EmailMagicLink); q != jobs.QueueCritical {
			t.Errorf("magic links go to %q, want critical", q)
		}
		if err := e.handlers.HandleEmailSend(ctx, sendTask(t, id)); err != nil {
			t.Fatalf("HandleEmailSend = %v", err)
		}
		if got := email(t, e.db, id); got.Status != store.EmailSent {
			t.Fatalf("status = %s (%s)", got.Status, got.Reason)
		}
		if e.sender.count() != 1 || !strings.Contains(string(e.sender.calls[0].Raw), "Zm9vYmFyLXNlY3JldC10b2tlbg") {
			t.Errorf("the mail does not carry the link")
		}
		if !containsHeader(e.sender.calls[0].Raw, "Auto-Submitted", "auto-generated") {
			t.Errorf("a magic link is machine mail: Auto-Submitted missing")
		}
		// Signed for its recipient, so a bounce of it can be believed.
		if !containsHeader(e.sender.calls[0].Raw, mailtag.Header, mailtag.Tag("jobs-test-secret", id, "ada@example.com")) {
			t.Errorf("the mail lacks its %s tag for ada", mailtag.Header)
		}
		if err := e.db.X.Get(&payload, e.db.X.Rebind(`SELECT payload FROM outbox WHERE email_id = ?`), id); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(payload, "sealed") {
			t.Errorf("the sealed link outlived the send: %s", payload)
		}

		// A link sealed under another secret cannot be opened: failed, not retried.
		other, _ := seal.Seal("someone-else", []byte(link))
		id2, err := e.db.QueueMagicLink(ctx, nil, "bob@example.com", other)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.handlers.HandleEmailSend(ctx, sendTask(t, id2)); err == nil {
			t.Error("a forged sealed link was accepted")
		}
		if got := email(t, e.db, id2); got.Status != store.EmailFailed {
			t.Errorf("forged link: status = %s", got.Status)
		}
	})
}

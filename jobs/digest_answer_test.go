package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// TestStaffUnrecordedSent: the real worker sends the notice that an answer
// to a digest was not recorded; one queued for someone demoted since fails
// and is not sent.
func TestStaffUnrecordedSent(t *testing.T) {
	if q := jobs.QueueFor(store.EmailStaffUnrecorded); q != jobs.QueueDefault {
		t.Errorf("QueueFor(staff_unrecorded) = %q, want %q", q, jobs.QueueDefault)
	}
	eachNotice(t, func(t *testing.T, e *noticeEnv) {
		ctx := context.Background()
		db := e.db
		mia, tom := staff(t, db, "mia@acme.test", "Mia"), staff(t, db, "tom@acme.test", "Tom")
		for _, u := range []*store.User{mia, tom} {
			if ok, err := db.QueueDigestAnswerNotice(ctx, u.ID, "Re: News on 4 tickets"); err != nil || !ok {
				t.Fatalf("queue for %s: %v, %v", u.Email, ok, err)
			}
		}
		if _, err := db.SetRole(ctx, tom.Email, store.RoleCustomer); err != nil {
			t.Fatal(err)
		}
		e.start(t, 50*time.Millisecond)
		e.settle(t)

		ms := e.mailsTo(t, mia.Email)
		if len(ms) != 1 {
			t.Fatalf("mia got %d mails, want 1", len(ms))
		}
		c := ms[0]
		if s, _ := c.header.Subject(); s != "Your answer to a digest was not recorded" {
			t.Errorf("Subject = %q", s)
		}
		if c.get("Auto-Submitted") != "auto-generated" {
			t.Errorf("Auto-Submitted = %q", c.get("Auto-Submitted"))
		}
		rt, _ := c.header.AddressList("Reply-To")
		if len(rt) != 1 {
			t.Fatalf("Reply-To = %v", rt)
		}
		if n, id, ok := replyaddr.ParseStaff(noticeSecret, noticeDomain, rt[0].Address); !ok || n != 0 || id != mia.ID {
			t.Errorf("Reply-To %s parses as ticket %d, staff %d, %v; want 0, mia", rt[0].Address, n, id, ok)
		}
		for _, want := range []string{"Your answer to the digest 'Re: News on 4 tickets' was not recorded and nothing was sent",
			"or answer in the inbox: https://help.acme.test/inbox."} {
			if !strings.Contains(c.text, want) {
				t.Errorf("text lacks %q:\n%s", want, c.text)
			}
		}

		if n := len(e.mailsTo(t, tom.Email)); n != 0 {
			t.Errorf("a demoted staff member got %d mails", n)
		}
		emails, err := db.Emails(ctx, tom.Email)
		if err != nil {
			t.Fatal(err)
		}
		if len(emails) != 1 || emails[0].Kind != store.EmailStaffUnrecorded || emails[0].Status != store.EmailFailed ||
			!strings.Contains(emails[0].Reason, "not staff") {
			t.Errorf("notice to the demoted: %+v", emails)
		}
	})
}

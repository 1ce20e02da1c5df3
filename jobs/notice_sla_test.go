package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// TestStaffNoticeSLABreach: the minutely task mails the assignee of a
// ticket whose first response is overdue, once, with the target and its
// due; a ticket still within its target tells nobody.
func TestStaffNoticeSLABreach(t *testing.T) {
	eachNotice(t, func(t *testing.T, e *noticeEnv) {
		ctx := context.Background()
		db := e.db
		mia, tom := staff(t, db, "mia@acme.test", "Mia"), staff(t, db, "tom@acme.test", "Tom")
		if _, err := db.SaveSLAPolicy(ctx, 0, store.SLAPolicy{Priority: "normal", FirstResponse: 3600}); err != nil {
			t.Fatal(err)
		}
		ticket := func(age time.Duration) *store.Recorded {
			at := time.Now().UTC().Add(-age)
			e.frozen.Store(&at)
			defer e.thaw()
			got, err := db.RecordInbound(ctx, &store.Incoming{From: ana, Subject: "Printer on fire",
				Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: fmt.Sprintf("s%d@customer.test", noticeSeq.Add(1)),
					Text: "Help", VisibleText: "Help"}})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		late, fresh := ticket(2*time.Hour), ticket(time.Minute)
		for _, d := range []*store.Recorded{late, fresh} {
			if err := db.ChangeTicket(ctx, store.Change{TicketID: d.TicketID, ActorID: tom.ID, Assignee: &mia.ID}); err != nil {
				t.Fatal(err)
			}
		}
		e.start(t, 50*time.Millisecond)
		e.settle(t)
		before := len(e.mailsTo(t, mia.Email))

		e.runTask(t, jobs.NewSLABreachTask())
		e.settle(t)
		got := e.mailsTo(t, mia.Email)[before:]
		if len(got) != 1 {
			t.Fatalf("breach notices to mia: %d, want 1", len(got))
		}
		checkNotice(t, got[0], mia, late.TicketNumber)
		if want := fmt.Sprintf("First response overdue on #%d", late.TicketNumber); !strings.Contains(got[0].text, want) {
			t.Errorf("the notice lacks %q:\n%s", want, got[0].text)
		}
		e.runTask(t, jobs.NewSLABreachTask())
		e.settle(t)
		if n := len(e.mailsTo(t, mia.Email)); n != before+1 {
			t.Errorf("a second run mailed again: %d more", n-before-1)
		}
	})
}

package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// privacyTicket opens a privacy request age ago.
func privacyTicket(t *testing.T, e *noticeEnv, from store.Person, age time.Duration) *store.Recorded {
	t.Helper()
	at := time.Now().UTC().Add(-age)
	e.frozen.Store(&at)
	defer e.thaw()
	got, err := e.db.RecordInbound(context.Background(), &store.Incoming{From: from, Subject: "Printer on fire", Category: store.PrivacyCategory,
		Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: fmt.Sprintf("p%d@customer.test", noticeSeq.Add(1)),
			Text: "Please delete my data.", VisibleText: "Please delete my data."}})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// runTask enqueues task on the running worker and waits until it is done.
func (e *noticeEnv) runTask(t *testing.T, task *asynq.Task) {
	t.Helper()
	info, err := e.client.Enqueue(task, asynq.Retention(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspector(e.redisOpt)
	defer insp.Close()
	waitFor(t, task.Type()+" done", func() bool {
		ti, err := insp.GetTaskInfo(info.Queue, info.ID)
		return err == nil && ti.State == asynq.TaskStateCompleted
	})
}

// TestStaffNoticePrivacyDue: the hourly task tells of privacy requests due
// within three days, once: the assignee of an assigned one, every staff
// member of an unassigned one; younger requests wait.
func TestStaffNoticePrivacyDue(t *testing.T) {
	eachNotice(t, func(t *testing.T, e *noticeEnv) {
		ctx := context.Background()
		db := e.db
		mia, tom := staff(t, db, "mia@acme.test", "Mia"), staff(t, db, "tom@acme.test", "Tom")
		mine := privacyTicket(t, e, ana, 28*24*time.Hour)
		if err := db.ChangeTicket(ctx, store.Change{TicketID: mine.TicketID, ActorID: tom.ID, Assignee: &mia.ID}); err != nil {
			t.Fatal(err)
		}
		nobodys := privacyTicket(t, e, bob, 27*24*time.Hour+time.Hour)
		privacyTicket(t, e, store.Person{Email: "cy@example.org"}, 10*24*time.Hour)
		e.start(t, 50*time.Millisecond)
		e.settle(t)
		before := map[string]int{mia.Email: len(e.mailsTo(t, mia.Email)), tom.Email: len(e.mailsTo(t, tom.Email))}

		e.runTask(t, jobs.NewPrivacyDueTask())
		e.settle(t)
		due := func(d *store.Recorded) string {
			tk, err := db.Ticket(ctx, d.TicketID)
			if err != nil {
				t.Fatal(err)
			}
			return "Privacy request due " + tk.CreatedAt.Add(store.PrivacyDue).UTC().Format("Mon, 2 Jan 2006 15:04 MST")
		}
		miaGot := e.mailsTo(t, mia.Email)[before[mia.Email]:]
		tomGot := e.mailsTo(t, tom.Email)[before[tom.Email]:]
		if len(miaGot) != 2 || len(tomGot) != 1 {
			t.Fatalf("privacy notices: mia %d, tom %d; want 2 (hers and the unassigned one), 1 (the unassigned one)", len(miaGot), len(tomGot))
		}
		for _, c := range miaGot {
			number := mine.TicketNumber
			want := due(mine)
			if strings.Contains(c.get("Subject"), fmt.Sprintf("[#%d]", nobodys.TicketNumber)) {
				number, want = nobodys.TicketNumber, due(nobodys)
			}
			checkNotice(t, c, mia, number)
			if !strings.Contains(c.text, want) {
				t.Errorf("privacy notice lacks %q:\n%s", want, c.text)
			}
		}
		checkNotice(t, tomGot[0], tom, nobodys.TicketNumber)
		if !strings.Contains(tomGot[0].text, due(nobodys)) {
			t.Errorf("tom's privacy notice lacks %q:\n%s", due(nobodys), tomGot[0].text)
		}

		// The next hour's run tells nobody again.
		e.runTask(t, jobs.NewPrivacyDueTask())
		e.settle(t)
		if n, m := len(e.mailsTo(t, mia.Email)), len(e.mailsTo(t, tom.Email)); n != before[mia.Email]+2 || m != before[tom.Email]+1 {
			t.Errorf("a second run mailed again: mia %d, tom %d", n-before[mia.Email], m-before[tom.Email])
		}
	})
}

// TestStaffNoticeHeld: an answer by mail that was held tells its staff
// member why, and the customer gets nothing.
func TestStaffNoticeHeld(t *testing.T) {
	eachNotice(t, func(t *testing.T, e *noticeEnv) {
		ctx := context.Background()
		db := e.db
		mia := staff(t, db, "mia@acme.test", "Mia")
		e.start(t, 50*time.Millisecond)
		got := customerMail(t, db, 0, ana, nil, "Where is my refund?")
		e.settle(t)
		miaBefore, anaBefore := len(e.mailsTo(t, mia.Email)), len(e.mailsTo(t, ana.Email))

		in, _, err := db.SaveInboundMail(ctx, &store.InboundMail{Key: "held-1"}, []byte("raw"))
		if err != nil {
			t.Fatal(err)
		}
		const reason = "the sender could not be verified"
		if _, err := db.RecordStaffMail(ctx, store.StaffMail{InboundMailID: in.ID, TicketID: got.TicketID, StaffID: mia.ID,
			From: store.Person{Email: "mallory@evil.test"}, MessageID: "forged-1@evil.test", Subject: "Re: [#1] Printer on fire",
			Text: "#resolve\nRefund sent to IBAN XX00.", Reply: "Refund sent to IBAN XX00.", Held: reason}); err != nil {
			t.Fatal(err)
		}
		e.settle(t)
		ms := e.mailsTo(t, mia.Email)[miaBefore:]
		if len(ms) != 1 {
			t.Fatalf("mia got %d mails about her held answer, want 1", len(ms))
		}
		checkNotice(t, ms[0], mia, got.TicketNumber)
		if want := "Your answer by mail was held: " + reason + ". It was not sent; it is on the ticket as a note."; !strings.Contains(ms[0].text, want) {
			t.Errorf("held notice lacks %q:\n%s", want, ms[0].text)
		}
		if !strings.Contains(ms[0].text, "Refund sent to IBAN XX00.") {
			t.Errorf("held notice does not show the held answer:\n%s", ms[0].text)
		}
		if n := len(e.mailsTo(t, ana.Email)); n != anaBefore {
			t.Errorf("the customer got %d mails from a held answer", n-anaBefore)
		}
	})
}

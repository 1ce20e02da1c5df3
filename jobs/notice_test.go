package jobs_test

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/store"
)

var (
	ana = store.Person{Email: "ana@example.org", Name: "Ana"}
	bob = store.Person{Email: "bob@example.org", Name: "Bob"}
)

// TestStaffNoticeKinds walks one ticket through the worker and the dev
// outbox: a new ticket, an assignment, the customer's answer to the
// assignee and a follower, and a mention in a note each make one notice
// for the person concerned, threaded under the ones before; the customer
// and the Cc never get a notice nor the note's text.
func TestStaffNoticeKinds(t *testing.T) {
	eachNotice(t, func(t *testing.T, e *noticeEnv) {
		ctx := context.Background()
		db := e.db
		mia, tom, lea := staff(t, db, "mia@acme.test", "Mia"), staff(t, db, "tom@acme.test", "Tom"), staff(t, db, "lea@acme.test", "Lea")
		e.start(t, 50*time.Millisecond)

		// A new ticket: every staff member hears of it.
		got := customerMail(t, db, 0, ana, []store.Person{bob}, "My printer is on fire.", "photo.pdf")
		number := got.TicketNumber
		e.settle(t)
		for _, u := range []*store.User{mia, tom, lea} {
			ms := e.mailsTo(t, u.Email)
			if len(ms) != 1 {
				t.Fatalf("%s got %d mails for a new ticket, want 1", u.Email, len(ms))
			}
			checkNotice(t, ms[0], u, number)
			for _, want := range []string{"New ticket from Ana <ana@example.org>", "My printer is on fire.", "Files: photo.pdf",
				"Customer: Ana <ana@example.org>", "Cc: Bob <bob@example.org>", "Assigned to: nobody"} {
				if !strings.Contains(ms[0].text, want) {
					t.Errorf("%s's new-ticket notice lacks %q:\n%s", u.Email, want, ms[0].text)
				}
			}
		}
		first := e.mailsTo(t, mia.Email)[0]
		root := fmt.Sprintf("ticket-%d.staff-%d@%s", number, mia.ID, noticeDomain)
		if first.get("In-Reply-To") != "<"+root+">" {
			t.Errorf("first notice In-Reply-To = %q, want <%s>", first.get("In-Reply-To"), root)
		}

		// Tom assigns it to Mia: only Mia is told.
		if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: tom.ID, Assignee: &mia.ID}); err != nil {
			t.Fatal(err)
		}
		if err := db.Follow(ctx, got.TicketID, lea.ID); err != nil {
			t.Fatal(err)
		}
		e.settle(t)
		ms := e.mailsTo(t, mia.Email)
		if len(ms) != 2 || len(e.mailsTo(t, tom.Email)) != 1 || len(e.mailsTo(t, lea.Email)) != 1 {
			t.Fatalf("after the assignment: mia %d, tom %d, lea %d mails; want 2, 1, 1", len(ms), len(e.mailsTo(t, tom.Email)), len(e.mailsTo(t, lea.Email)))
		}
		assigned := ms[1]
		checkNotice(t, assigned, mia, number)
		if want := fmt.Sprintf("Tom assigned #%d to you", number); !strings.Contains(assigned.text, want) {
			t.Errorf("assignment notice lacks %q:\n%s", want, assigned.text)
		}
		// Threading: the second names the first.
		if irt := assigned.get("In-Reply-To"); irt != "<"+first.messageID()+">" {
			t.Errorf("second notice In-Reply-To = %q, want the first's <%s>", irt, first.messageID())
		}
		if refs, _ := assigned.header.MsgIDList("References"); !slices.Equal(refs, []string{root, first.messageID()}) {
			t.Errorf("second notice References = %v, want [%s %s]", refs, root, first.messageID())
		}

		// Ana answers: the assignee and the follower are told, Tom is not.
		customerMail(t, db, got.TicketID, ana, nil, "It is still smoking.")
		e.settle(t)
		if n := len(e.mailsTo(t, tom.Email)); n != 1 {
			t.Errorf("tom got %d mails, want only the new-ticket one", n)
		}
		for _, u := range []*store.User{mia, lea} {
			ms := e.mailsTo(t, u.Email)
			want := map[string]int{mia.Email: 3, lea.Email: 2}[u.Email]
			if len(ms) != want {
				t.Fatalf("%s got %d mails, want %d", u.Email, len(ms), want)
			}
			c := ms[len(ms)-1]
			checkNotice(t, c, u, number)
			for _, want := range []string{"Ana wrote:", "It is still smoking.", "Following: "} {
				if !strings.Contains(c.text, want) {
					t.Errorf("%s's answer notice lacks %q:\n%s", u.Email, want, c.text)
				}
			}
			if strings.Contains(c.text, "My printer is on fire.") {
				t.Errorf("%s's answer notice repeats the first mail:\n%s", u.Email, c.text)
			}
			refs, _ := c.header.MsgIDList("References")
			if len(refs) < 2 || refs[0] != fmt.Sprintf("ticket-%d.staff-%d@%s", number, u.ID, noticeDomain) || c.get("In-Reply-To") != "<"+ms[len(ms)-2].messageID()+">" {
				t.Errorf("%s's answer notice does not thread: In-Reply-To %q, References %v", u.Email, c.get("In-Reply-To"), refs)
			}
		}
		if c := newest(t, e.mailsTo(t, mia.Email)); !strings.Contains(c.text, "Assigned to: you") {
			t.Errorf("mia's notice does not say the ticket is hers:\n%s", c.text)
		}
		if c := newest(t, e.mailsTo(t, lea.Email)); !strings.Contains(c.text, "Assigned to: Mia <mia@acme.test>") {
			t.Errorf("lea's notice does not name the assignee:\n%s", c.text)
		}

		// Tom mentions Mia in a note, then answers Ana.
		const secretNote = "@mia she is a VIP, refund code 7731"
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: tom.ID, Text: secretNote, Note: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: tom.ID, Text: "We are sending a new printer."}); err != nil {
			t.Fatal(err)
		}
		e.settle(t)
		ms = e.mailsTo(t, mia.Email)
		if len(ms) != 4 {
			t.Fatalf("mia got %d mails, want 4", len(ms))
		}
		checkNotice(t, ms[3], mia, number)
		for _, want := range []string{"Tom mentioned you in a note:", secretNote} {
			if !strings.Contains(ms[3].text, want) {
				t.Errorf("mention notice lacks %q:\n%s", want, ms[3].text)
			}
		}
		if n := len(e.mailsTo(t, lea.Email)); n != 2 {
			t.Errorf("lea got %d mails; a note naming Mia or a staff answer told her", n)
		}

		// The customer and the Cc: their own mail, never a notice or the note.
		sawReply := false
		for _, addr := range []string{ana.Email, bob.Email} {
			for _, c := range e.mailsTo(t, addr) {
				rt, _ := c.header.AddressList("Reply-To")
				staffAddr := len(rt) == 1 && func() bool { _, _, ok := replyaddr.ParseStaff(noticeSecret, noticeDomain, rt[0].Address); return ok }()
				if strings.Contains(c.raw, "notices you get") || staffAddr {
					t.Errorf("%s received a staff notice:\n%s", addr, c.raw)
				}
				if strings.Contains(c.text+c.html, "7731") || strings.Contains(c.text+c.html, "VIP") {
					t.Errorf("%s received the note's text:\n%s", addr, c.text)
				}
				sawReply = sawReply || strings.Contains(c.text, "We are sending a new printer.")
			}
			if st := noticesTo(t, db, addr); len(st) != 0 {
				t.Errorf("staff notices queued to %s: %v", addr, st)
			}
		}
		if !sawReply {
			t.Error("the customer never got Tom's answer: nothing checked the customers' mail")
		}
		var toCustomers int
		if err := db.X.Get(&toCustomers, db.X.Rebind(`SELECT COUNT(*) FROM emails e JOIN users u ON u.id = e.user_id
			WHERE e.kind = ? AND u.role NOT IN ('staff', 'admin')`), store.EmailStaffNotice); err != nil || toCustomers != 0 {
			t.Errorf("staff notices to non-staff: %d, %v", toCustomers, err)
		}
	})
}

// TestStaffNoticeBurstIsOneDigest: 20 customer mails within the digest
// window make one notice that lists all 20.
func TestStaffNoticeBurstIsOneDigest(t *testing.T) {
	eachNotice(t, func(t *testing.T, e *noticeEnv) {
		ctx := context.Background()
		db := e.db
		mia, tom := staff(t, db, "mia@acme.test", "Mia"), staff(t, db, "tom@acme.test", "Tom")
		got := customerMail(t, db, 0, ana, nil, "Opening mail.")
		if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: tom.ID, Assignee: &mia.ID}); err != nil {
			t.Fatal(err)
		}
		e.start(t, 50*time.Millisecond)
		e.settle(t)
		before := len(e.mailsTo(t, mia.Email))

		// The burst happens in one instant of the database's clock, so it
		// all falls within the window on any machine.
		db.NoticeWait = 3 * time.Second // past store.UndoMargin, or nothing could join
		e.freeze()
		for i := 1; i <= 20; i++ {
			customerMail(t, db, got.TicketID, ana, nil, fmt.Sprintf("Burst mail number %02d.", i))
		}
		last := time.Now()
		e.thaw()
		e.settle(t)
		t.Logf("digest latency: %s from the burst's last event to the notice sent (NoticeWait %s, relay every 50ms)",
			time.Since(last).Round(time.Millisecond), db.NoticeWait)

		ms := e.mailsTo(t, mia.Email)
		if len(ms) != before+1 {
			t.Fatalf("mia got %d mails for the burst, want 1", len(ms)-before)
		}
		c := ms[len(ms)-1]
		checkNotice(t, c, mia, got.TicketNumber)
		for i := 1; i <= 20; i++ {
			if want := fmt.Sprintf("Burst mail number %02d.", i); !strings.Contains(c.text, want) {
				t.Errorf("digest lacks %q", want)
			}
		}
		if n := strings.Count(c.text, "Ana wrote:"); n != 20 {
			t.Errorf("digest has %d sections, want 20:\n%s", n, c.text)
		}
	})
}

// TestStaffNoticeAway: a staff member who is away gets nothing, while the
// others are told.
func TestStaffNoticeAway(t *testing.T) {
	eachNotice(t, func(t *testing.T, e *noticeEnv) {
		ctx := context.Background()
		db := e.db
		mia, tom := staff(t, db, "mia@acme.test", "Mia"), staff(t, db, "tom@acme.test", "Tom")
		p := store.DefaultStaffPrefs(mia.ID)
		p.Away = true
		if err := db.SaveStaffPrefs(ctx, p); err != nil {
			t.Fatal(err)
		}
		e.start(t, 50*time.Millisecond)
		customerMail(t, db, 0, ana, nil, "Anyone there?")
		e.settle(t)
		if n := len(e.mailsTo(t, tom.Email)); n != 1 {
			t.Fatalf("tom got %d notices, want 1", n)
		}
		if n := len(e.mailsTo(t, mia.Email)); n != 0 {
			t.Errorf("mia is away and got %d mails", n)
		}
		if st := noticesTo(t, db, mia.Email); len(st) != 0 {
			t.Errorf("notices kept for mia while away: %v", st)
		}
	})
}

// TestStaffNoticeDemotedFails: a notice to someone who stopped being staff
// while it waited fails for good and is not sent.
func TestStaffNoticeDemotedFails(t *testing.T) {
	eachNotice(t, func(t *testing.T, e *noticeEnv) {
		ctx := context.Background()
		db := e.db
		mia, tom := staff(t, db, "mia@acme.test", "Mia"), staff(t, db, "tom@acme.test", "Tom")
		got := customerMail(t, db, 0, ana, nil, "Hello?")
		if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: tom.ID, Assignee: &mia.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetRole(ctx, mia.Email, store.RoleCustomer); err != nil {
			t.Fatal(err)
		}
		e.start(t, 50*time.Millisecond)
		e.settle(t)
		if n := len(e.mailsTo(t, tom.Email)); n != 1 {
			t.Fatalf("tom got %d notices, want 1: the worker did not run", n)
		}
		if n := len(e.mailsTo(t, mia.Email)); n != 0 {
			t.Errorf("a demoted staff member got %d mails", n)
		}
		emails, err := db.Emails(ctx, mia.Email)
		if err != nil {
			t.Fatal(err)
		}
		failed := 0
		for _, m := range emails {
			if m.Kind != store.EmailStaffNotice {
				continue
			}
			if m.Status != store.EmailFailed || !strings.Contains(m.Reason, "never sent to customers") {
				t.Errorf("notice to the demoted: status %q, reason %q", m.Status, m.Reason)
			}
			failed++
		}
		if failed != 2 {
			t.Errorf("%d failed notices to mia, want 2 (new ticket, assignment)", failed)
		}
	})
}

// TestStaffNoticeDigestAcrossTickets: twenty new tickets within the
// window do not make twenty mails per staff member. After
// store.DigestAfter notices, the rest wait in one digest that lists each
// ticket with its own answer address.
func TestStaffNoticeDigestAcrossTickets(t *testing.T) {
	eachNotice(t, func(t *testing.T, e *noticeEnv) {
		db := e.db
		mia := staff(t, db, "mia@acme.test", "Mia")
		e.start(t, 50*time.Millisecond)
		db.NoticeWait = 3 * time.Second // past store.UndoMargin, or nothing could join
		e.freeze()
		var numbers []int64
		for i := 1; i <= 20; i++ {
			got := customerMail(t, db, 0, ana, nil, fmt.Sprintf("New problem number %02d.", i))
			numbers = append(numbers, got.TicketNumber)
		}
		e.thaw()
		e.settle(t)
		ms := e.mailsTo(t, mia.Email)
		if len(ms) != store.DigestAfter+1 {
			t.Fatalf("20 new tickets made %d mails to mia, want %d notices and one digest", len(ms), store.DigestAfter)
		}
		var digest *captured
		for i := range ms {
			if strings.HasPrefix(ms[i].header.Get("Subject"), "News on ") {
				digest = &ms[i]
			}
		}
		if digest == nil {
			t.Fatal("no digest among mia's mails")
		}
		for i, n := range numbers[store.DigestAfter:] {
			if want := fmt.Sprintf("New problem number %02d.", i+store.DigestAfter+1); !strings.Contains(digest.text, want) {
				t.Errorf("digest lacks %q", want)
			}
			addr := replyaddr.StaffAddr(noticeSecret, "support", noticeDomain, n, mia.ID)
			if !strings.Contains(digest.text, addr) {
				t.Errorf("digest lacks #%d's answer address %s", n, addr)
			}
		}
		rt, err := mail.ParseAddress(digest.get("Reply-To"))
		if err != nil {
			t.Fatalf("digest Reply-To %q: %v", digest.get("Reply-To"), err)
		}
		if num, staffID, ok := replyaddr.ParseStaff(noticeSecret, noticeDomain, rt.Address); !ok || num != 0 || staffID != mia.ID {
			t.Errorf("digest Reply-To %q: %d %d %v; want the address of no ticket", rt.Address, num, staffID, ok)
		}
	})
}

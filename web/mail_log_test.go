package web

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// mailLogLines reads the ticket page's mail log: whether it is open, and
// each line's text.
func mailLogLines(t *testing.T, body string) (open bool, lines []string) {
	t.Helper()
	section := regexp.MustCompile(`(?s)<section[^>]*id="mail-log">(.*?)</section>`).FindStringSubmatch(body)
	if section == nil {
		t.Fatal("the ticket page has no mail log")
	}
	open = strings.Contains(section[1], "<details open>")
	for _, li := range regexp.MustCompile(`(?s)<li[^>]*>(.*?)</li>`).FindAllStringSubmatch(section[1], -1) {
		text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(li[1], " ")
		lines = append(lines, strings.Join(strings.Fields(html.UnescapeString(text)), " "))
	}
	return open, lines
}

// TestMailLog: the staff ticket page lists every mail about the ticket in
// words — what, to whom, when, how it went, attempts — and warns "may have
// been sent twice" only on the mail whose earlier attempt was cut off
// inside the SES call. A customer sees none of it.
func TestMailLog(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := withClock(db)
		srv := deskServer(t, db)
		// Signing in sends every queued mail: everyone signs in first.
		c, _ := staffMember(t, srv, db, "sam@support.example")
		ada := customer(t, srv, db, "ada@example.com")
		d := newMail("ada@example.com", "Printer", "It is on fire.")
		d.Confirm = true
		got := deliver(t, db, d)
		if err := db.Suppress(ctx, "bob@example.com", "ses bounce: General 550 5.1.1 user unknown", "ses-bounce"); err != nil {
			t.Fatal(err)
		}
		tid := got.TicketID
		queued := []store.QueuedEmail{
			{To: "bob@example.com", Kind: store.EmailReply, TicketID: &tid, Subject: "Printer"},
			{To: "carol@example.com", Kind: store.EmailStatus, TicketID: &tid, Subject: "Printer"},
			{To: "dan@example.com", Kind: store.EmailStatus, TicketID: &tid, Subject: "Printer"},
			{To: "x<b>y@example.com", Kind: store.EmailReply, TicketID: &tid, Subject: "Printer"},
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for _, q := range queued {
				if _, err := tx.QueueEmail(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]int64{}
		emails, err := db.TicketEmails(ctx, tid)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range emails {
			ids[e.ToEmail] = e.ID
		}

		// Ada's confirmation: a worker was killed inside the SES call, and the
		// next attempt, after the claim ran out, sent it.
		const ttl = time.Minute
		claim := func(id int64) {
			t.Helper()
			if _, err := db.ClaimSend(ctx, id, ttl); err != nil {
				t.Fatal(err)
			}
		}
		claim(ids["ada@example.com"])
		claim(ids["dan@example.com"])
		clk.Add(2 * ttl)
		claim(ids["ada@example.com"])
		claim(ids["dan@example.com"])
		if err := db.MarkEmailSent(ctx, ids["ada@example.com"], store.Sent{HeaderID: "<a@x>", SESID: "ses-a"}); err != nil {
			t.Fatal(err)
		}
		// Carol's failed without a cut-off attempt; Dan's failed after one.
		for _, to := range []string{"carol@example.com", "dan@example.com"} {
			if err := db.MarkEmailFailed(ctx, ids[to], store.EmailFailed, "gave up retrying: throttled"); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.MarkEmailSent(ctx, ids["x<b>y@example.com"], store.Sent{HeaderID: "<x@x>"}); err != nil {
			t.Fatal(err)
		}

		page := "/inbox/tickets/" + itoa(got.TicketNumber)
		res, body := get(t, c, srv, page)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %s", page, res.Status)
		}
		open, lines := mailLogLines(t, body)
		if !open {
			t.Error("the mail log is closed although a mail may have gone twice")
		}
		want := []struct{ has, hasNot []string }{
			{has: []string{"Confirmation to ada@example.com", "sent · ", "2 attempts", "may have been sent twice — an earlier attempt was cut off while SES had it."}},
			// Staff hear of a new ticket.
			{has: []string{"Staff notice to staff sam@support.example", "waiting to send · queued"}, hasNot: []string{"may have been sent"}},
			{has: []string{"Reply to bob@example.com", "not sent: the address bounced before", "address suppressed: ses bounce: General 550 5.1.1 user unknown"},
				hasNot: []string{"may have been sent", "attempts"}},
			{has: []string{"Status change to carol@example.com", "not sent: failed", "gave up retrying: throttled"}, hasNot: []string{"may have been sent", "attempts"}},
			{has: []string{"Status change to dan@example.com", "not sent: failed", "2 attempts", "may have been sent — an earlier attempt was cut off while SES had it."},
				hasNot: []string{"twice"}},
			{has: []string{"Reply to x<b>y@example.com", "sent · "}, hasNot: []string{"may have been sent", "attempts"}},
		}
		if len(lines) != len(want) {
			t.Fatalf("the mail log has %d lines, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
		}
		for i, w := range want {
			for _, s := range w.has {
				if !strings.Contains(lines[i], s) {
					t.Errorf("mail log line %d does not say %q:\n%s", i+1, s, lines[i])
				}
			}
			for _, s := range w.hasNot {
				if strings.Contains(lines[i], s) {
					t.Errorf("mail log line %d says %q:\n%s", i+1, s, lines[i])
				}
			}
		}
		if strings.Contains(body, "x<b>y@") || !strings.Contains(body, "x&lt;b&gt;y@example.com") {
			t.Error("a hostile address is not escaped in the mail log")
		}
		if !strings.Contains(body, `<span class="tag tag-attention">3 to check</span>`) {
			t.Error("the mail log's summary does not count the three mails to check (two failed, one may have gone twice)")
		}
		if !regexp.MustCompile(`<time datetime="[0-9T:-]+Z" title="queued [0-9: -]+ UTC, sent [0-9: -]+ UTC">`).MatchString(body) {
			t.Error("a sent mail's time does not give both times to the second on hover")
		}

		// The customer sees none of it, and cannot open the staff page.
		_, body = get(t, ada, srv, "/tickets/"+itoa(got.TicketNumber))
		if !strings.Contains(body, "It is on fire.") {
			t.Fatal("the customer's ticket page does not show the ticket")
		}
		for _, s := range []string{"Mail log", "mail-log", "may have been sent", "bob@example.com", "sam@support.example"} {
			if strings.Contains(body, s) {
				t.Errorf("the customer's ticket page shows %q", s)
			}
		}
		if res, body := get(t, ada, srv, page); res.StatusCode == 200 || strings.Contains(body, "Mail log") {
			t.Errorf("a customer got the staff ticket page: %s", res.Status)
		}

		// A ticket whose mail all went well keeps its log closed.
		d = newMail("ada@example.com", "Toner", "Out of toner.")
		d.Confirm = true
		calm := deliver(t, db, d)
		_, body = get(t, c, srv, "/inbox/tickets/"+itoa(calm.TicketNumber))
		if open, lines := mailLogLines(t, body); open || len(lines) != 2 || !strings.Contains(lines[0], "Confirmation to ada@example.com waiting to send") ||
			strings.Contains(body, "may have been sent") || strings.Contains(body, "tag-attention") {
			t.Errorf("a calm ticket's mail log: open %v, lines %q", open, lines)
		}
	})
}

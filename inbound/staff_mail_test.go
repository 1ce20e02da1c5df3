package inbound_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/inbound/mailparse"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// staffDesk is ticket #1 from ada@example.com and two staff members, mia
// and bob, who answer notices by mail. The desk trusts the
// Authentication-Results of mx.help.example.com.
type staffDesk struct {
	t        *testing.T
	db       *store.DB
	p        *inbound.Pipeline
	ticket   *store.Ticket
	mia, bob *store.User
	seq      int
}

func newStaffDesk(t *testing.T, db *store.DB) *staffDesk {
	t.Helper()
	ctx := context.Background()
	opts := pipelineOpts()
	opts.TrustedAuthServIDs = []string{"mx.help.example.com"}
	d := &staffDesk{t: t, db: db, p: adaTicket(t, db, opts)}
	var err error
	if d.mia, err = db.EnsureUser(ctx, "mia@example.org", "Mia Wong", "staff"); err != nil {
		t.Fatal(err)
	}
	if d.bob, err = db.EnsureUser(ctx, "bob@example.org", "Bob Stone", "staff"); err != nil {
		t.Fatal(err)
	}
	if d.ticket, err = db.TicketByNumber(ctx, 1); err != nil {
		t.Fatal(err)
	}
	return d
}

// addr is the reply address of a notice about ticket number to staff member u.
func (d *staffDesk) addr(number int64, u *store.User) string {
	return replyaddr.StaffAddr(pipelineSecret, "support", pipelineDomain, number, u.ID)
}

// staffTrusted proves example.org by the desk's own MTA.
const staffTrusted = "Authentication-Results: mx.help.example.com; dkim=pass header.d=example.org header.s=s1\r\n"

// mail is an answer from `from` to `to`; extra holds header lines (CRLF).
func (d *staffDesk) mail(from, to, extra, body string) []byte {
	d.seq++
	return []byte(extra + "From: " + from + "\r\nTo: " + to + "\r\nSubject: Re: [#1] My printer is on fire\r\n" +
		"Message-ID: <staff-" + strconv.Itoa(d.seq) + "@example.org>\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n") + "\r\n")
}

// eml reads testdata/staff/name with {{mia}} and {{bob}} as their reply
// addresses for #1.
func (d *staffDesk) eml(name string) []byte {
	raw, err := os.ReadFile(filepath.Join("testdata", "staff", name))
	if err != nil {
		d.t.Fatal(err)
	}
	raw = bytes.ReplaceAll(raw, []byte("{{mia}}"), []byte(d.addr(1, d.mia)))
	return bytes.ReplaceAll(raw, []byte("{{bob}}"), []byte(d.addr(1, d.bob)))
}

func (d *staffDesk) ingest(raw []byte, env inbound.Envelope) inbound.Result {
	d.t.Helper()
	res, err := d.p.Ingest(context.Background(), raw, env)
	if err != nil {
		d.t.Fatal(err)
	}
	return res
}

// customerMails counts the mails queued to ada of a kind ("reply", "status").
func (d *staffDesk) customerMails(kind string) int {
	return pipelineCount(d.t, d.db, `SELECT COUNT(*) FROM emails WHERE to_email = 'ada@example.com' AND kind = ?`, kind)
}

func (d *staffDesk) count(query string, args ...any) int {
	d.t.Helper()
	return pipelineCount(d.t, d.db, query, args...)
}

func (d *staffDesk) scalar(query string, args ...any) string {
	d.t.Helper()
	return pipelineScalar(d.t, d.db, query, args...)
}

func TestStaffMailVerifiedReachesCustomer(t *testing.T) {
	cases := []struct {
		name  string
		extra string
		env   inbound.Envelope
		why   string
	}{
		{name: "trusted authentication-results", extra: staffTrusted, why: "DKIM pass for example.org (mx.help.example.com)"},
		{name: "ses dmarc pass", env: inbound.Envelope{SESID: "ses-staff-1", Verdicts: inbound.Verdicts{DMARC: "PASS", DKIM: "PASS", SPF: "PASS"}},
			why: "DMARC pass for example.org (SES)"},
		{name: "ses aligned spf", env: inbound.Envelope{SESID: "ses-staff-2", Sender: "bounce@mail.example.org", Verdicts: inbound.Verdicts{SPF: "PASS", DMARC: "GRAY"}},
			why: "SPF pass for mail.example.org (SES)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				d := newStaffDesk(t, db)
				c.env.Recipients = []string{d.addr(1, d.mia)}
				res := d.ingest(d.mail("Mia Wong <MIA@example.org>", d.addr(1, d.mia), c.extra, "Please unplug it."), c.env)
				if res.Action != store.ActionAppended || *res.Ticket != 1 || res.Message == nil || res.Reason != "answer by mail from staff mia@example.org" {
					t.Fatalf("result %+v", res)
				}
				got := d.scalar(`SELECT kind || '|' || author_id || '|' || source || '|' || visible_text || '|' || sender_auth_reason FROM messages WHERE id = ?`, *res.Message)
				if want := "outbound|" + strconv.FormatInt(d.mia.ID, 10) + "|email|Please unplug it.|" + c.why; got != want {
					t.Errorf("message = %q, want %q", got, want)
				}
				if n := d.customerMails(store.EmailReply); n != 1 {
					t.Errorf("%d reply mails to ada, want 1", n)
				}
				if got := d.scalar(`SELECT reason FROM inbound_mail WHERE id = (SELECT MAX(id) FROM inbound_mail)`); got != res.Reason {
					t.Errorf("inbound mail reason = %q", got)
				}
			})
		})
	}
}

// The answer is not acted on: it is a held note on the ticket, mia is told
// why, and nothing goes to the customer.
func TestStaffMailHeld(t *testing.T) {
	dmarc := inbound.Envelope{Verdicts: inbound.Verdicts{DMARC: "PASS"}}
	cases := []struct {
		name  string
		from  string
		extra string
		env   inbound.Envelope
		setup func(d *staffDesk)
		held  string
		told  bool // mia gets a held notice
	}{
		{name: "unverified", from: "mia@example.org", told: true,
			held: "not verified: no DKIM or SPF pass aligned with example.org"},
		{name: "dmarc fail", from: "mia@example.org", env: inbound.Envelope{Verdicts: inbound.Verdicts{DMARC: "FAIL", DMARCPolicy: "NONE", DKIM: "PASS"}},
			extra: "DKIM-Signature: v=1; d=example.org; s=s1; b=x\r\n", told: true,
			held: "not verified: DMARC failed for example.org (SES)"},
		{name: "untrusted authentication-results", from: "mia@example.org", told: true,
			extra: "Authentication-Results: mx.evil.test; dkim=pass header.d=example.org\r\n",
			held:  "not verified: no DKIM or SPF pass aligned with example.org"},
		{name: "another staff member", from: "Bob Stone <bob@example.org>", extra: staffTrusted, told: true,
			held: "sent from bob@example.org, not from mia@example.org, whose reply address it came to"},
		{name: "a stranger", from: "Eve <eve@example.com>", env: dmarc, told: true,
			held: "sent from eve@example.com, not from mia@example.org, whose reply address it came to"},
		{name: "no longer staff", from: "mia@example.org", extra: staffTrusted,
			setup: func(d *staffDesk) {
				if _, err := d.db.SetRole(context.Background(), "mia@example.org", "customer"); err != nil {
					d.t.Fatal(err)
				}
			},
			held: "mia@example.org is no longer staff"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				d := newStaffDesk(t, db)
				if c.setup != nil {
					c.setup(d)
				}
				res := d.ingest(d.mail(c.from, d.addr(1, d.mia), c.extra, "#resolve\n\nRefunded in full."), c.env)
				if res.Action != store.ActionAppended || *res.Ticket != 1 || res.Message == nil || res.Reason != "held for staff: "+c.held {
					t.Fatalf("result %+v, want held for %q", res, c.held)
				}
				got := d.scalar(`SELECT kind || '|' || flag || '|' || visible_text || '|' || sender_auth FROM messages WHERE id = ?`, *res.Message)
				if got != "note|held|Refunded in full.|unverified" {
					t.Errorf("held message = %q", got)
				}
				if n := d.customerMails(store.EmailReply) + d.customerMails(store.EmailStatus); n != 0 {
					t.Errorf("%d mails to the customer", n)
				}
				if s := d.scalar(`SELECT status FROM tickets WHERE number = 1`); s != "open" {
					t.Errorf("the held #resolve changed the status to %s", s)
				}
				if n := d.count(`SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ?`, store.AuditMailHeld, d.mia.ID); n != 1 {
					t.Errorf("%d mail_held audits", n)
				}
				told := d.count(`SELECT COUNT(*) FROM staff_events e JOIN emails m ON m.id = e.email_id
					WHERE e.kind = 'held' AND e.user_id = ? AND e.detail = ? AND m.to_email = 'mia@example.org' AND m.kind = ?`, d.mia.ID, c.held, store.EmailStaffNotice)
				if told != map[bool]int{true: 1}[c.told] {
					t.Errorf("held notices to mia: %d, want told=%v", told, c.told)
				}
			})
		})
	}
}

func TestStaffMailForgedMacIsNoStaffAnswer(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newStaffDesk(t, db)
		res := d.ingest(d.mail("mia@example.org", pipelineForge(d.addr(1, d.mia)), staffTrusted, "#resolve\nRefunded."), inbound.Envelope{})
		if strings.Contains(res.Reason, "staff") {
			t.Errorf("a forged staff address was taken for one: %+v", res)
		}
		if n := d.count(`SELECT COUNT(*) FROM messages WHERE kind <> 'inbound'`); n != 0 {
			t.Errorf("%d staff messages", n)
		}
		if n := d.customerMails(store.EmailReply); n != 0 {
			t.Errorf("%d replies to ada", n)
		}
		if s := d.scalar(`SELECT status FROM tickets WHERE number = 1`); s != "open" {
			t.Errorf("#1 is %s", s)
		}
	})
}

func TestStaffMailUnknownTicketOrStaff(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newStaffDesk(t, db)
		res := d.ingest(d.mail("mia@example.org", d.addr(99, d.mia), staffTrusted, "Hello"), inbound.Envelope{})
		if res.Action != store.ActionIgnored || res.Reason != "staff reply address names ticket #99, which does not exist" {
			t.Errorf("unknown ticket: %+v", res)
		}
		ghost := &store.User{ID: 4242}
		res = d.ingest(d.mail("mia@example.org", d.addr(1, ghost), staffTrusted, "Hello"), inbound.Envelope{})
		if res.Action != store.ActionIgnored || res.Reason != "staff reply address names user 4242, who does not exist" {
			t.Errorf("unknown staff: %+v", res)
		}
		// A digest's address (ticket 0) answers no ticket: nothing is written.
		res = d.ingest(d.mail("mia@example.org", d.addr(0, d.mia), staffTrusted, "Which one?"), inbound.Envelope{})
		if res.Action != store.ActionIgnored || !strings.Contains(res.Reason, "digest of several tickets") {
			t.Errorf("answer to a digest: %+v", res)
		}
		if n := d.count(`SELECT COUNT(*) FROM emails WHERE user_id = ? AND kind = ?`, d.mia.ID, store.EmailStaffUnrecorded); n != 1 {
			t.Errorf("mia was told of her answer to the digest %d times, want 1", n)
		}
		if n := d.count(`SELECT COUNT(*) FROM inbound_mail WHERE action = 'ignored' AND blob_key <> ''`); n != 3 {
			t.Errorf("%d ignored mails kept raw, want 3", n)
		}
	})
}

func TestStaffMailCommands(t *testing.T) {
	type want struct {
		kind     string // of the message written; "" for none
		replies  int    // reply mails to ada
		statuses int    // status mails to ada
		status   string
		priority string
		assignee string // "mia", "bob" or ""
		reason   string
	}
	cases := []struct {
		name string
		body string
		want want
	}{
		{"note", "#note\nAda sounds upset.", want{kind: "note", status: "open", priority: "normal",
			reason: "answer by mail from staff mia@example.org (commands: #note)"}},
		{"resolve rides on the reply", "#resolve\nRefunded.", want{kind: "outbound", replies: 1, status: "resolved", priority: "normal",
			reason: "answer by mail from staff mia@example.org (commands: #resolve)"}},
		{"pending", "#pending\nCould you send a photo?", want{kind: "outbound", replies: 1, status: "pending", priority: "normal",
			reason: "answer by mail from staff mia@example.org (commands: #pending)"}},
		{"assign me", "#assign me\nI'll take this.", want{kind: "outbound", replies: 1, status: "open", priority: "normal", assignee: "mia",
			reason: "answer by mail from staff mia@example.org (commands: #assign me)"}},
		{"assign bob", "#assign @bob\nBob will call you.", want{kind: "outbound", replies: 1, status: "open", priority: "normal", assignee: "bob",
			reason: "answer by mail from staff mia@example.org (commands: #assign @bob)"}},
		{"assign by first name", "#assign @Bob\n#note\nYours.", want{kind: "note", status: "open", priority: "normal", assignee: "bob",
			reason: "answer by mail from staff mia@example.org (commands: #assign @bob, #note)"}},
		{"priority high", "#priority high\nLooking now.", want{kind: "outbound", replies: 1, status: "open", priority: "high",
			reason: "answer by mail from staff mia@example.org (commands: #priority high)"}},
		{"mixed case", "#Resolve\n\nDone.", want{kind: "outbound", replies: 1, status: "resolved", priority: "normal",
			reason: "answer by mail from staff mia@example.org (commands: #resolve)"}},
		{"commands only", "#resolve\n#priority low", want{statuses: 1, status: "resolved", priority: "low",
			reason: "answer by mail from staff mia@example.org (commands: #resolve, #priority low)"}},
		{"ticket number is text", "#123 is the old ticket, same fault.", want{kind: "outbound", replies: 1, status: "open", priority: "normal",
			reason: "answer by mail from staff mia@example.org"}},
		{"unknown", "#frobnicate\nRefunded.", want{kind: "note", status: "open", priority: "normal",
			reason: "held for staff: unknown command #frobnicate: nothing was sent"}},
		{"unknown with a good one", "#resolve\n#frobnicate\nRefunded.", want{kind: "note", status: "open", priority: "normal",
			reason: "held for staff: unknown command #frobnicate: nothing was sent"}},
		{"assign nobody", "#assign @nobody\nRefunded.", want{kind: "note", status: "open", priority: "normal",
			reason: "held for staff: #assign @nobody names no single staff member: nothing was sent"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				d := newStaffDesk(t, db)
				res := d.ingest(d.mail("mia@example.org", d.addr(1, d.mia), staffTrusted, c.body), inbound.Envelope{})
				if res.Action != store.ActionAppended || res.Reason != c.want.reason {
					t.Fatalf("result %+v, want reason %q", res, c.want.reason)
				}
				kind := ""
				if res.Message != nil {
					kind = d.scalar(`SELECT kind FROM messages WHERE id = ?`, *res.Message)
				}
				if kind != c.want.kind {
					t.Errorf("message kind %q, want %q", kind, c.want.kind)
				}
				if n := d.customerMails(store.EmailReply); n != c.want.replies {
					t.Errorf("%d replies to ada, want %d", n, c.want.replies)
				}
				if n := d.customerMails(store.EmailStatus); n != c.want.statuses {
					t.Errorf("%d status mails to ada, want %d", n, c.want.statuses)
				}
				if c.want.status == "resolved" && c.want.replies == 1 {
					if a := d.scalar(`SELECT announces FROM emails WHERE to_email = 'ada@example.com' AND kind = 'reply'`); a != "resolved" {
						t.Errorf("the reply announces %q, want the resolve to ride on it", a)
					}
				}
				got := d.scalar(`SELECT t.status || '|' || t.priority || '|' || COALESCE(u.name, '') FROM tickets t LEFT JOIN users u ON u.id = t.assignee_id WHERE t.number = 1`)
				who := map[string]string{"mia": "Mia Wong", "bob": "Bob Stone"}[c.want.assignee]
				if want := c.want.status + "|" + c.want.priority + "|" + who; got != want {
					t.Errorf("ticket = %q, want %q", got, want)
				}
				held := strings.HasPrefix(c.want.reason, "held")
				audits := d.count(`SELECT COUNT(*) FROM audit_log WHERE action = ?`, store.AuditMailCommand)
				cmds, _, _ := inbound.ParseCommands(c.body)
				if held && audits != 0 || !held && audits != len(cmds.Written) {
					t.Errorf("%d mail_command audits", audits)
				}
				if res.Message != nil {
					if text := d.scalar(`SELECT visible_text FROM messages WHERE id = ?`, *res.Message); strings.Contains(text, "#resolve") || strings.Contains(text, "#note") {
						t.Errorf("commands left in the text: %q", text)
					}
				}
			})
		})
	}
}

// Real clients' answers: the quote, the signature and the sign-off go; the
// attachments stay.
func TestStaffMailClients(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := newStaffDesk(t, db)
		if _, err := db.SaveStaffProfile(ctx, d.mia.ID, "Mia", "Mia Wong\nSupport team, Example Org"); err != nil {
			t.Fatal(err)
		}
		text := func(res inbound.Result) string {
			t.Helper()
			if res.Message == nil {
				t.Fatalf("no message: %+v", res)
			}
			return d.scalar(`SELECT visible_text FROM messages WHERE id = ?`, *res.Message)
		}

		res := d.ingest(d.eml("gmail_resolve.eml"), inbound.Envelope{Recipients: []string{d.addr(1, d.mia)}})
		if res.Reason != "answer by mail from staff mia@example.org (commands: #resolve)" {
			t.Fatalf("gmail: %+v", res)
		}
		if got, want := text(res), "Hi Ada,\n\nplease switch it off at the wall and unplug it. A technician will call you\nthis afternoon."; got != want {
			t.Errorf("gmail text = %q, want %q", got, want)
		}

		res = d.ingest(d.eml("iphone_attachments.eml"), inbound.Envelope{SESID: "ses-iphone", Verdicts: inbound.Verdicts{DMARC: "PASS"}})
		if res.Reason != "answer by mail from staff mia@example.org (commands: #priority urgent)" {
			t.Fatalf("iphone: %+v", res)
		}
		if got, want := text(res), "Here is the wiring diagram, and a photo of the plug to look for."; got != want {
			t.Errorf("iphone text = %q, want %q", got, want)
		}
		files := d.scalar(`SELECT COUNT(*) || '|' || MIN(filename) || '|' || MAX(filename) FROM attachments WHERE message_id = ?`, *res.Message)
		if files != "2|plug.png|wiring.pdf" {
			t.Errorf("attachments %q", files)
		}
		if n := d.count(`SELECT COUNT(*) FROM attachments WHERE message_id = ? AND inline AND content_id = 'plug-3A2B@example.org'`, *res.Message); n != 1 {
			t.Errorf("the inline image lost its place: %d", n)
		}

		res = d.ingest(d.eml("outlook_note.eml"), inbound.Envelope{Verdicts: inbound.Verdicts{DMARC: "PASS"}})
		if res.Reason != "answer by mail from staff mia@example.org (commands: #note, #assign @bob)" {
			t.Fatalf("outlook: %+v", res)
		}
		if got, want := text(res), "Bob, this one is yours: the printer is under your maintenance contract."; got != want {
			t.Errorf("outlook text = %q, want %q", got, want)
		}
		if n := d.customerMails(store.EmailReply); n != 2 {
			t.Errorf("%d replies to ada, want 2 (gmail and iphone)", n)
		}
	})
}

func TestStaffSignature(t *testing.T) {
	own := "Mia Wong\nSupport team"
	cases := []struct{ name, text, want string }{
		{"delimiter", "Done.\n\n-- \nMia\nhttps://example.org", "Done."},
		{"delimiter without its space", "Done.\n--\nMia", "Done."},
		{"own signature", "Done.\n\nMia Wong\nSupport  team\n", "Done."},
		{"own signature not at the end", "Mia Wong\nSupport team\nsaid so.", "Mia Wong\nSupport team\nsaid so."},
		{"iphone", "Done.\n\nSent from my iPhone", "Done."},
		{"android", "Done.\nSent from my Android", "Done."},
		{"outlook ios", "Done.\n\nGet Outlook for iOS<https://aka.ms/o0ukef>", "Done."},
		{"outlook android", "Done.\nGet Outlook for Android", "Done."},
		{"sent from outlook", "Done.\nSent from Outlook", "Done."},
		{"french", "C'est fait.\n\nEnvoyé de mon iPhone", "C'est fait."},
		{"german", "Erledigt.\n\nVon meinem iPhone gesendet", "Erledigt."},
		{"spanish", "Hecho.\n\nEnviado desde mi iPhone", "Hecho."},
		{"sign-off then own signature", "Done.\n\nMia Wong\nSupport team\n\nSent from my iPhone", "Done."},
		{"sign-off in the middle", "Sent from my iPhone is what it says.\nDone.", "Sent from my iPhone is what it says.\nDone."},
		{"nothing left", "-- \nMia", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := mailparse.StripSignature(c.text, own); got != c.want {
				t.Errorf("StripSignature(%q) = %q, want %q", c.text, got, c.want)
			}
		})
	}
}

// A staff mailbox's auto-reply to a notice reaches no one and writes nothing.
func TestStaffMailAutoReplyIgnored(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newStaffDesk(t, db)
		messages := d.count(`SELECT COUNT(*) FROM messages`)
		emails := d.count(`SELECT COUNT(*) FROM emails`)
		for _, raw := range [][]byte{
			d.eml("exchange_ooo.eml"),
			d.mail("mia@example.org", d.addr(1, d.mia), staffTrusted+"X-Autoreply: yes\r\n", "Away."),
			d.mail("mia@example.org", d.addr(1, d.mia), staffTrusted+"Precedence: auto_reply\r\n", "Away."),
			bytes.Replace(d.mail("mia@example.org", d.addr(1, d.mia), staffTrusted, "I am away until Monday."),
				[]byte("Subject: Re: [#1]"), []byte("Subject: Out of Office: [#1]"), 1),
		} {
			res := d.ingest(raw, inbound.Envelope{Verdicts: inbound.Verdicts{DMARC: "PASS"}})
			if res.Action != store.ActionIgnored || !strings.HasPrefix(res.Reason, "automatic reply from a staff mailbox (") {
				t.Errorf("auto-reply: %+v", res)
			}
		}
		if n := d.count(`SELECT COUNT(*) FROM messages`); n != messages {
			t.Errorf("auto-replies wrote %d messages", n-messages)
		}
		if n := d.count(`SELECT COUNT(*) FROM emails`); n != emails {
			t.Errorf("auto-replies queued %d mails", n-emails)
		}
	})
}

// An auto-responder that no header gives away answers every notice: after
// StaffMailCap proven answers in the window the rest are held (and told),
// never dropped. Unproven mail to an address is held until twice the cap,
// then only stored, so its held notices cannot keep a loop going; and that
// flood cannot silence the staff member's own proven answers.
func TestStaffMailLoopGuard(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newStaffDesk(t, db)
		for i := 1; i <= inbound.StaffMailCap+3; i++ {
			res := d.ingest(d.mail("mia@example.org", d.addr(1, d.mia), staffTrusted, "Thank you for your mail. "+strconv.Itoa(i)), inbound.Envelope{})
			want := "answer by mail from staff mia@example.org"
			if i > inbound.StaffMailCap {
				want = "held for staff: more than 20 answers by mail from mia@example.org within 10 minutes (a mail loop?)"
			}
			if res.Reason != want {
				t.Fatalf("answer %d: %+v, want %q", i, res, want)
			}
		}
		if n := d.customerMails(store.EmailReply); n != inbound.StaffMailCap {
			t.Errorf("%d replies to ada, want %d", n, inbound.StaffMailCap)
		}
		if n := d.count(`SELECT COUNT(*) FROM staff_events WHERE user_id = ? AND kind = 'held'`, d.mia.ID); n != 3 {
			t.Errorf("%d held events, want 3", n)
		}

		// Somebody floods Bob's leaked address with mail nobody proved.
		for i := 1; i <= 2*inbound.StaffMailCap+1; i++ {
			res := d.ingest(d.mail("eve@example.com", d.addr(1, d.bob), "", "Junk "+strconv.Itoa(i)), inbound.Envelope{})
			if i <= 2*inbound.StaffMailCap && !strings.HasPrefix(res.Reason, "held for staff: sent from eve@example.com") {
				t.Fatalf("junk %d: %+v, want held", i, res)
			}
			if i > 2*inbound.StaffMailCap && (res.Action != store.ActionIgnored || !strings.HasPrefix(res.Reason, "mail loop: 40 unproven answers held for bob@example.org")) {
				t.Fatalf("junk %d: %+v, want stored only", i, res)
			}
		}
		// Bob's own proven answer still goes through.
		res := d.ingest(d.mail("bob@example.org", d.addr(1, d.bob), staffTrusted, "Bob here."), inbound.Envelope{})
		if res.Reason != "answer by mail from staff bob@example.org" {
			t.Errorf("bob after the flood: %+v", res)
		}
	})
}

// A customer who got a staff address (a reply-all to a mail that copied
// it) writes to the ticket as a customer: their message, not a held note.
func TestStaffAddressFromParticipant(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newStaffDesk(t, db)
		res := d.ingest(d.mail("Ada <ada@example.com>", d.addr(1, d.mia), "", "Thanks, one more question."), inbound.Envelope{})
		if res.Action != store.ActionAppended || res.Ticket == nil || *res.Ticket != 1 || res.Message == nil {
			t.Fatalf("ada on mia's address: %+v", res)
		}
		if got := d.scalar(`SELECT kind || '|' || flag FROM messages WHERE id = ?`, *res.Message); got != "inbound|" {
			t.Errorf("ada's message = %q, want her own inbound message", got)
		}
	})
}

// An answer that quotes the notice (written below the quote, between its
// lines, or with nothing written at all) is held: a notice may quote
// internal notes and lists who is on the ticket.
func TestStaffMailQuotingTheNoticeIsHeld(t *testing.T) {
	notice := "On Mon, 7 Dec 2026 at 10:00, Acme Support notifications <support@example.org> wrote:\n" +
		"> Bob mentioned you in a note:\n> SECRET: customer is a fraud suspect\n>\n> On this ticket:\n>   Customer: Ada\n>\n" +
		"> Reply to this mail to answer the customer.\n"
	for name, body := range map[string]string{
		"nothing written":      notice,
		"written below":        notice + "\nThanks, done.",
		"between the lines":    "> Bob mentioned you in a note:\nnoted\n> SECRET: customer is a fraud suspect\nok",
		"pasted without marks": "Done.\n\nOn this ticket:\n  Customer: Ada",
	} {
		t.Run(name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				d := newStaffDesk(t, db)
				res := d.ingest(d.mail("mia@example.org", d.addr(1, d.mia), staffTrusted, body), inbound.Envelope{})
				if !strings.HasPrefix(res.Reason, "held for staff: the answer ") {
					t.Fatalf("%+v, want held", res)
				}
				if n := d.customerMails(store.EmailReply); n != 0 {
					t.Errorf("%d replies to ada", n)
				}
				if n := d.count(`SELECT COUNT(*) FROM messages WHERE kind = 'outbound'`); n != 0 {
					t.Errorf("%d outbound messages", n)
				}
			})
		})
	}
}

func TestStaffMailDuplicate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newStaffDesk(t, db)
		raw := d.mail("mia@example.org", d.addr(1, d.mia), staffTrusted, "#resolve\nRefunded.")
		first := d.ingest(raw, inbound.Envelope{})
		if first.Action != store.ActionAppended {
			t.Fatalf("first: %+v", first)
		}
		again := d.ingest(raw, inbound.Envelope{})
		if again.Action != store.ActionDuplicate || *again.Ticket != 1 {
			t.Errorf("same bytes again: %+v", again)
		}
		// The same Message-ID through another route (another SES id).
		other := d.ingest(raw, inbound.Envelope{SESID: "ses-copy"})
		if other.Action != store.ActionDuplicate {
			t.Errorf("same Message-ID again: %+v", other)
		}
		if n := d.customerMails(store.EmailReply); n != 1 {
			t.Errorf("%d replies to ada", n)
		}
	})
}

package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/outbound"
	"github.com/dargo-support/dargo/store"
)

const (
	noticeSecret = "notice-test-secret"
	noticeDomain = "acme.test"
)

// noticeEnv is a database, a real Redis, the real asynq worker and relay,
// and the dev outbox as the mailer: staff notices go the way they go in
// `dargo dev`, and the tests read what the outbox captured.
type noticeEnv struct {
	db       *store.DB
	redisOpt asynq.RedisClientOpt
	client   *asynq.Client
	handlers *jobs.Handlers
	// frozen, when set, is the time db.Now answers: a burst then happens
	// in one instant, however slow the machine.
	frozen atomic.Pointer[time.Time]
}

// noticeOpts is how the worker builds mail in these tests.
func noticeOpts() outbound.Opts {
	return outbound.Opts{
		From:       outbound.Address{Name: "Acme Support", Email: "support@acme.test"},
		BaseURL:    "https://help.acme.test",
		MailDomain: noticeDomain,
		ReplyTo:    func(n int64) string { return replyaddr.Addr(noticeSecret, "support", noticeDomain, n) },
		StaffReplyTo: func(n, staff int64) string {
			return replyaddr.StaffAddr(noticeSecret, "support", noticeDomain, n, staff)
		},
	}
}

// newNoticeEnv wires the handlers; notices wait a second for company.
func newNoticeEnv(t testing.TB, db *store.DB) *noticeEnv {
	t.Helper()
	r := testredis.Open(t, redisDB)
	e := &noticeEnv{db: db, redisOpt: asynq.RedisClientOpt{Addr: r.Addr, DB: r.DB, Password: r.Password}}
	real := db.Now
	db.Now = func() time.Time {
		if at := e.frozen.Load(); at != nil {
			return *at
		}
		return real()
	}
	db.NoticeWait = time.Second
	e.client = asynq.NewClient(e.redisOpt)
	t.Cleanup(func() { e.client.Close() })
	e.handlers = jobs.NewHandlers(jobs.Opts{
		Store:    db,
		Sender:   outbound.NewDevOutbox(db),
		Outbound: noticeOpts(),
		Secret:   noticeSecret,
		Logger:   quiet,
	})
	return e
}

// eachNotice runs fn per database dialect.
func eachNotice(t *testing.T, fn func(t *testing.T, e *noticeEnv)) {
	testdb.Each(t, func(t *testing.T, db *store.DB) { fn(t, newNoticeEnv(t, db)) })
}

// start runs the asynq server and the outbox relay, which looks for due
// rows every relayEvery, until the test ends.
func (e *noticeEnv) start(t testing.TB, relayEvery time.Duration) {
	t.Helper()
	srv := asynq.NewServer(e.redisOpt, asynq.Config{
		Concurrency:              4,
		Queues:                   jobs.DefaultQueues,
		RetryDelayFunc:           func(int, error, *asynq.Task) time.Duration { return 10 * time.Millisecond },
		DelayedTaskCheckInterval: 50 * time.Millisecond,
		TaskCheckInterval:        20 * time.Millisecond,
		ShutdownTimeout:          5 * time.Second,
		Logger:                   quietAsynq{},
		LogLevel:                 asynq.FatalLevel,
	})
	if err := srv.Start(jobs.Mux(e.handlers)); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		jobs.NewRelay(e.db, e.client, quiet).Run(ctx, relayEvery)
	}()
	t.Cleanup(func() {
		stop()
		<-done
		srv.Shutdown()
	})
}

// freeze stops db.Now at the present instant; thaw lets it run again.
func (e *noticeEnv) freeze() { now := time.Now().UTC(); e.frozen.Store(&now) }
func (e *noticeEnv) thaw()   { e.frozen.Store(nil) }

// settle waits until no mail is queued: every notice due has been sent
// (or has failed), so counting mails after it is counting what went.
func (e *noticeEnv) settle(t *testing.T) {
	t.Helper()
	waitFor(t, "the outbox drained", func() bool {
		var n int
		if err := e.db.X.Get(&n, `SELECT COUNT(*) FROM emails WHERE status = 'queued'`); err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
}

// captured is one mail the dev outbox kept, read back.
type captured struct {
	raw    string
	header mail.Header
	text   string
	html   string
}

func (c captured) get(field string) string { return c.header.Get(field) }

// messageID is the mail's Message-ID, without angle brackets.
func (c captured) messageID() string {
	id, _ := c.header.MessageID()
	return id
}

// mailsTo returns what the dev outbox captured for addr, oldest first.
func (e *noticeEnv) mailsTo(t *testing.T, addr string) []captured {
	t.Helper()
	var all []store.DevMail
	if err := e.db.X.Select(&all, `SELECT id, recipients, raw FROM dev_mail ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	var out []captured
	for _, m := range all {
		if m.Recipients == addr {
			out = append(out, readMail(t, m.Raw))
		}
	}
	return out
}

// readMail parses raw into its header and decoded text and HTML parts.
func readMail(t testing.TB, raw []byte) captured {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read captured mail: %v", err)
	}
	c := captured{raw: string(raw), header: r.Header}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read captured mail: %v", err)
		}
		h, ok := p.Header.(*mail.InlineHeader)
		if !ok {
			continue
		}
		typ, _, _ := h.ContentType()
		b, _ := io.ReadAll(p.Body)
		switch typ {
		case "text/plain":
			c.text = string(b)
		case "text/html":
			c.html = string(b)
		}
	}
	return c
}

// staff makes a staff member with a name.
func staff(t testing.TB, db *store.DB, email, name string) *store.User {
	t.Helper()
	u, err := db.EnsureUser(context.Background(), email, name, store.RoleStaff)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var noticeSeq atomic.Int64

// customerMail records a customer's mail: a new ticket when ticket is 0.
// Its text quotes an earlier mail that the visible text leaves out.
func customerMail(t testing.TB, db *store.DB, ticket int64, from store.Person, cc []store.Person, visible string, files ...string) *store.Recorded {
	t.Helper()
	d := &store.Incoming{
		TicketID: ticket, From: from, Cc: cc, Subject: "Printer on fire", Confirm: ticket == 0, Reopen: true,
		Message: store.NewMessage{Kind: "inbound", Source: "email", SenderAuth: store.SenderVerified,
			MessageID: fmt.Sprintf("c%d.%d@customer.test", time.Now().UnixNano(), noticeSeq.Add(1)),
			Subject:   "Printer on fire", Text: visible + "\n\nOn Monday you wrote:\n> QUOTED HISTORY", VisibleText: visible},
	}
	for _, f := range files {
		d.Attachments = append(d.Attachments, store.NewAttachment{Filename: f, ContentType: "application/pdf", Data: []byte("%PDF-1.4 " + f)})
	}
	got, err := db.RecordInbound(context.Background(), d)
	if err != nil {
		t.Fatalf("deliver: %v", err)
	}
	return got
}

// noticesTo counts the staff_notice rows to addr by status.
func noticesTo(t testing.TB, db *store.DB, addr string) map[string]int {
	t.Helper()
	emails, err := db.Emails(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range emails {
		if e.Kind == store.EmailStaffNotice {
			out[e.Status]++
		}
	}
	return out
}

// checkNotice checks what every notice shows: it went to u from the desk,
// answers to u's signed address for the ticket, links to it and lists the
// commands.
func checkNotice(t *testing.T, c captured, u *store.User, number int64) {
	t.Helper()
	to, _ := c.header.AddressList("To")
	if len(to) != 1 || to[0].Address != u.Email {
		t.Errorf("To = %v, want %s", to, u.Email)
	}
	from, _ := c.header.AddressList("From")
	if len(from) != 1 || from[0].Address != "support@acme.test" || from[0].Name != "Acme Support notifications" {
		t.Errorf("From = %v", from)
	}
	rt, _ := c.header.AddressList("Reply-To")
	if len(rt) != 1 {
		t.Fatalf("Reply-To = %v", rt)
	}
	if n, id, ok := replyaddr.ParseStaff(noticeSecret, noticeDomain, rt[0].Address); !ok || n != number || id != u.ID {
		t.Errorf("Reply-To %s parses as ticket %d, staff %d, %v; want %d, %d", rt[0].Address, n, id, ok, number, u.ID)
	}
	if c.get("Auto-Submitted") != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", c.get("Auto-Submitted"))
	}
	if s, _ := c.header.Subject(); s != fmt.Sprintf("[#%d] Printer on fire", number) {
		t.Errorf("Subject = %q", s)
	}
	link := fmt.Sprintf("https://help.acme.test/inbox/tickets/%d", number)
	for _, want := range []string{link, "On this ticket:", "Reply to this mail to answer the customer", "#note", "#resolve", "#pending",
		"#assign me", "#priority high", "case-insensitive", "nothing is sent", "Change which notices you get: https://help.acme.test/account"} {
		if !strings.Contains(c.text, want) {
			t.Errorf("notice text lacks %q:\n%s", want, c.text)
		}
	}
	if !strings.Contains(c.html, `href="`+link+`"`) {
		t.Errorf("notice html lacks the link:\n%s", c.html)
	}
	if strings.Contains(c.text, "QUOTED HISTORY") {
		t.Errorf("notice quotes the customer's history:\n%s", c.text)
	}
}

// newest is the last mail in ms; the test fails when there is none.
func newest(t *testing.T, ms []captured) captured {
	t.Helper()
	if len(ms) == 0 {
		t.Fatal("no mail")
	}
	return ms[len(ms)-1]
}

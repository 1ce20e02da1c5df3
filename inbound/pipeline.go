package inbound

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dargo-support/dargo/inbound/mailparse"
	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/store"
)

// Store is what the pipeline needs from the database.
type Store interface {
	SaveInboundMail(ctx context.Context, m *store.InboundMail, raw []byte) (*store.InboundMail, bool, error)
	FinishInboundMail(ctx context.Context, id int64, o store.Outcome) error
	Ticket(ctx context.Context, id int64) (*store.Ticket, error)
	TicketByNumber(ctx context.Context, number int64) (*store.Ticket, error)
	Survivor(ctx context.Context, t *store.Ticket) (*store.Ticket, error)
	ThreadIDExists(ctx context.Context, id string) (bool, error)
	IsParticipant(ctx context.Context, ticketID int64, email string) (bool, error)
	ResolveRoute(ctx context.Context, r store.InboundRoute, from string) (store.Route, error)
	RecordInbound(ctx context.Context, d *store.Incoming) (*store.Recorded, error)
	BounceStore
	InboundMail(ctx context.Context, id int64) (*store.InboundMail, error)
	IsBlocked(ctx context.Context, email string) (bool, error)
	ForgetInboundMail(ctx context.Context, id int64) error
	QueueTooLargeNotice(ctx context.Context, to store.Person, subject string) (bool, error)
	StaffStore
	ForwardStore
}

var _ Store = (*store.DB)(nil)

// Opts configures the pipeline.
type Opts struct {
	MailDomain   string            // our receiving domain; reply addresses live here
	Secret       string            // HMAC key for reply addresses
	Categories   map[string]string // recipient address -> category
	MaxMailBytes int64             // larger mail is quarantined unparsed
	AutoCap      int               // automatic mails per address per AutoWindow
	AutoWindow   time.Duration
	SpamPolicy   string // SpamQuarantine (default) or SpamFlag
	// MaxCc caps the people one verified mail adds to a ticket (DARGO_MAX_CC);
	// 0 is store.DefaultMaxCc, < 0 adds nobody. The rest are suggested to staff.
	MaxCc int
	// TrustedAuthServIDs are the authserv-ids whose Authentication-Results
	// fields are believed (DARGO_TRUSTED_AUTHSERV_IDS).
	TrustedAuthServIDs []string
	SNSTopicARNs       []string // SNS topics whose notifications by mail are acted on (DARGO_SNS_TOPIC_ARNS)
	Logger             *slog.Logger
}

// Pipeline turns raw mail into tickets and messages.
type Pipeline struct {
	store Store
	opts  Opts
	log   *slog.Logger
}

// NewPipeline returns a pipeline writing to s.
func NewPipeline(s Store, opts Opts) *Pipeline {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Pipeline{store: s, opts: opts, log: log}
}

// Spam policies for a spam verdict FAIL (DARGO_SPAM_POLICY).
const (
	SpamQuarantine = "quarantine"
	SpamFlag       = "flag"
)

// Ingest stores raw mail first, so nothing received is lost, then processes
// it. Receiving the same mail again (same SES id, or same bytes when there is
// no SES id) is a duplicate and changes nothing. Every call is counted once
// in dargo_inbound_mails_total: by its action, or as failed when it returns
// an error (or panics).
func (p *Pipeline) Ingest(ctx context.Context, raw []byte, env Envelope) (res Result, err error) {
	action := store.ActionFailed
	defer func() { metrics.InboundMails.WithLabelValues(action).Inc() }()
	res, err = p.ingest(ctx, raw, env)
	if err == nil {
		action = res.Action
	}
	return res, err
}

func (p *Pipeline) ingest(ctx context.Context, raw []byte, env Envelope) (Result, error) {
	saved, existed, err := p.save(ctx, raw, env)
	if err != nil {
		return Result{}, err
	}
	if existed && saved.Status != "received" {
		return p.duplicateOf(ctx, saved), nil
	}
	return p.Process(ctx, saved, raw, env)
}

// Release processes a quarantined mail as if it were clean: an operator
// looked at it. Size limits and verdicts no longer hold it back.
func (p *Pipeline) Release(ctx context.Context, id int64, raw []byte, rec *store.InboundMail) (Result, error) {
	if rec.Status != "quarantined" {
		return Result{}, fmt.Errorf("inbound: mail %d is %s, not quarantined", id, rec.Status)
	}
	env := Envelope{SESID: rec.SESID, Sender: rec.Sender}
	if rec.Verdicts != "" {
		// The verdicts still say how sure we are of the sender; they no
		// longer hold the mail back (released skips hold and flags).
		if err := json.Unmarshal([]byte(rec.Verdicts), &env.Verdicts); err != nil {
			p.log.WarnContext(ctx, "stored verdicts unreadable; releasing as unverified", "inbound_mail", id, "err", err)
		}
	}
	if rec.Recipients != "" {
		env.Recipients = strings.Split(rec.Recipients, ",")
	}
	return p.run(ctx, rec, raw, env, true)
}

// Process parses, classifies and routes a stored inbound mail and records
// the outcome. It is also how a quarantined mail is released.
func (p *Pipeline) Process(ctx context.Context, rec *store.InboundMail, raw []byte, env Envelope) (Result, error) {
	return p.run(ctx, rec, raw, env, false)
}

func (p *Pipeline) run(ctx context.Context, rec *store.InboundMail, raw []byte, env Envelope, released bool) (Result, error) {
	res, err := p.process(ctx, rec, raw, env, released)
	if err != nil {
		return Result{}, err
	}
	p.logResult(ctx, rec, env, res)
	return res, nil
}

// logResult logs what became of an inbound mail.
func (p *Pipeline) logResult(ctx context.Context, rec *store.InboundMail, env Envelope, res Result) {
	attrs := []any{"inbound_mail", rec.ID, "ses_id", env.SESID, "action", res.Action, "reason", res.Reason}
	if res.Ticket != nil {
		attrs = append(attrs, "ticket", *res.Ticket)
	}
	if res.Message != nil {
		attrs = append(attrs, "message", *res.Message)
	}
	p.log.InfoContext(ctx, "inbound mail", attrs...)
}

func (p *Pipeline) process(ctx context.Context, rec *store.InboundMail, raw []byte, env Envelope, released bool) (Result, error) {
	if !released {
		if reason := p.hold(raw, env.Verdicts); reason != "" {
			if p.tooLarge(raw, env.Verdicts) {
				// Before finishing: should queueing fail, the redelivered
				// mail is held again and its notice tried again.
				why, err := p.noticeTooLarge(ctx, raw, env)
				if err != nil {
					return Result{}, err
				}
				p.log.InfoContext(ctx, "too-large notice", "inbound_mail", rec.ID, "queued", why == "", "why_not", why)
			}
			return p.finish(ctx, rec, store.ActionQuarantined, reason)
		}
	}
	m, err := mailparse.ParseText(raw) // HTML is sanitized only for a mail stored as a message (SafeHTML)
	if err != nil {
		return p.finish(ctx, rec, store.ActionQuarantined, "unreadable mail: "+err.Error())
	}
	if m.Overflow != "" && !released {
		return p.finish(ctx, rec, store.ActionQuarantined, m.Overflow)
	}
	// An ordinary mail (one From, to the desk, not a bounce) is checked for
	// a Message-ID seen before and a blocked sender inside RecordInbound's
	// transaction, with its route; any other is checked here first.
	ordinary := p.ordinary(m, env)
	if m.MessageID != "" && !ordinary {
		seen, err := p.store.ThreadIDExists(ctx, m.MessageID)
		if err != nil {
			return Result{}, fmt.Errorf("inbound: %w", err)
		}
		if seen {
			return p.finish(ctx, rec, store.ActionDuplicate, "Message-ID <"+m.MessageID+"> seen before")
		}
	}
	if m.FromFields > 1 || m.FromMailboxes > 1 {
		why := fmt.Sprintf("From names %d mailboxes", m.FromMailboxes)
		if m.FromFields > 1 {
			why = fmt.Sprintf("mail has %d From fields", m.FromFields)
		}
		if !released {
			return p.finish(ctx, rec, store.ActionQuarantined, why)
		}
		// Released by an operator: kept under the first mailbox, which
		// proves nothing and matches no participant.
		m.FromAmbiguous = why
	}
	if fr := feedbackReport(m); fr != nil {
		return p.abuseReport(ctx, rec, m, fr)
	}
	if isAWSNotificationMail(m) {
		return p.awsMail(ctx, rec, m, env)
	}
	if isBounce(m, env) {
		return p.bounce(ctx, rec, m)
	}
	if m.From.Email == "" {
		return p.finish(ctx, rec, store.ActionQuarantined, "no usable From address")
	}
	if !ordinary {
		if blocked, err := p.store.IsBlocked(ctx, m.From.Email); err != nil {
			return Result{}, fmt.Errorf("inbound: %w", err)
		} else if blocked {
			return p.blocked(ctx, rec)
		}
	}
	if number, forwardID, ok := p.forwardAddress(m, env); ok {
		// A third party answering a forward: its own signed address, and
		// only it, brings their mail into the ticket, as a note. A
		// participant of the ticket who got the address (a reply-all to
		// the third party's mail) takes the customer routes instead, so
		// their mail is never hidden from them as a staff-only note.
		cust, err := p.participantOnStaffAddress(ctx, m, number)
		if err != nil {
			return Result{}, err
		}
		if !cust {
			return p.forwardMail(ctx, rec, m, number, forwardID, forwardFlag(env, released))
		}
	}
	if number, staffID, ok := p.staffAddress(m, env); ok {
		// A staff member answering a notice: before the customer routes,
		// and before the own-address check (staff may share our domain).
		// A participant of the ticket who got the address (a reply-all to
		// a mail that copied it) takes the customer routes instead.
		cust, err := p.participantOnStaffAddress(ctx, m, number)
		if err != nil {
			return Result{}, err
		}
		if !cust {
			return p.staffMail(ctx, rec, m, env, released, number, staffID)
		}
	}
	if p.ours(m.From.Email) {
		return p.finish(ctx, rec, store.ActionIgnored, "mail from our own address "+m.From.Email+" (loop)")
	}
	return p.deliver(ctx, rec, m, env, released)
}

// ordinary reports a mail that goes the customer routes without a look at
// the database first: one From, not a bounce, not to a forward's or staff
// member's reply address, not from our own address.
func (p *Pipeline) ordinary(m *Mail, env Envelope) bool {
	if m.FromFields > 1 || m.FromMailboxes > 1 || m.From.Email == "" || isBounce(m, env) || p.ours(m.From.Email) {
		return false
	}
	if _, _, ok := p.forwardAddress(m, env); ok {
		return false
	}
	_, _, ok := p.staffAddress(m, env)
	return !ok
}

// blocked records a mail from a sender who had their data erased and asked
// not to be recreated: nothing of it is kept, not even who sent it.
func (p *Pipeline) blocked(ctx context.Context, rec *store.InboundMail) (Result, error) {
	res, err := p.finish(ctx, rec, store.ActionIgnored, "sender asked to be erased and not recreated")
	if err != nil {
		return res, err
	}
	return res, p.store.ForgetInboundMail(ctx, rec.ID)
}

// FlagAmbiguousFrom marks a message (and a ticket it opens) whose From is
// not exactly one well-formed mailbox: it may be a display-name spoof.
const FlagAmbiguousFrom = "ambiguous-from"

// hold says why a mail must be quarantined before it is parsed, or "".
func (p *Pipeline) hold(raw []byte, v Verdicts) string {
	switch {
	case p.opts.MaxMailBytes > 0 && int64(len(raw)) > p.opts.MaxMailBytes:
		return fmt.Sprintf("mail of %d bytes exceeds DARGO_MAX_MAIL_BYTES (%d)", len(raw), p.opts.MaxMailBytes)
	case strings.EqualFold(v.Virus, "FAIL"):
		return "SES virus verdict FAIL"
	case strings.EqualFold(v.Spam, "FAIL") && p.opts.SpamPolicy != SpamFlag:
		return "SES spam verdict FAIL (DARGO_SPAM_POLICY=quarantine)"
	}
	return ""
}

// dmarcFailed reports a DMARC failure under a policy that asks receivers to act.
func dmarcFailed(v Verdicts) bool {
	policy := strings.ToLower(v.DMARCPolicy)
	return strings.EqualFold(v.DMARC, "FAIL") && (policy == "reject" || policy == "quarantine")
}

// deliver hands the mail to RecordInbound, which resolves its route and
// writes it in one transaction; decide completes it once the route is known.
func (p *Pipeline) deliver(ctx context.Context, rec *store.InboundMail, m *Mail, env Envelope, released bool) (Result, error) {
	dv := p.delivery(rec, m, env, released)
	out, err := p.store.RecordInbound(ctx, dv.in)
	return p.delivered(ctx, dv, out, err)
}

// delivery is one mail on its way into RecordInbound (or RecordInboundBatch).
type delivery struct {
	rec  *store.InboundMail
	m    *Mail
	in   *store.Incoming
	auto string // why the mail is automatic, "" when it is not
	why  string // its route's reason, set by the route's Decide
}

// delivery builds what RecordInbound writes for the mail.
func (p *Pipeline) delivery(rec *store.InboundMail, m *Mail, env Envelope, released bool) *delivery {
	auto := autoReason(m)
	d := &store.Incoming{
		MaxCc:         p.opts.MaxCc,
		InboundMailID: rec.ID,
		From:          store.Person{Email: m.From.Email, Name: m.From.Name},
		Subject:       mailparse.CleanSubject(m.Subject),
		Category:      p.category(m, env),
		Cc:            p.ccs(m),
		Message: store.NewMessage{
			Kind: store.MessageInbound, Source: store.SourceEmail, MessageID: m.MessageID, Subject: m.Subject,
			Text: m.Text, VisibleText: m.VisibleText, HTML: m.SafeHTML(), Auto: auto != "",
		},
		Reopen:     auto == "",
		AutoCap:    p.opts.AutoCap,
		AutoWindow: p.opts.AutoWindow,
	}
	lang := Language(m.Header.Get("Content-Language"), m.VisibleText)
	for _, a := range m.Attachments {
		d.Attachments = append(d.Attachments, store.NewAttachment{
			Filename: a.Filename, ContentType: a.ContentType, ContentID: a.ContentID, Inline: a.Inline, Data: a.Data})
	}
	dv := &delivery{rec: rec, m: m, in: d, auto: auto}
	d.Route = p.routeOf(m, env)
	d.Route.CheckBlocked = true
	d.Route.Decide = func(r store.Route, d *store.Incoming) string {
		rt := route{ticket: r.Ticket, replyTo: r.ReplyTo, fromParticipant: r.FromParticipant, why: r.Why}
		rt, flag := p.flag(m, env, rt, released)
		if auto != "" && rt.ticket == nil {
			return "automatic mail (" + auto + ") does not open tickets"
		}
		sender := p.checkSender(m, env, rt)
		d.Flag = flag
		d.Confirm = auto == "" && flag == "" // no confirmation (backscatter) to a sender we doubt
		d.Message.SenderAuth, d.Message.SenderAuthReason = sender.auth, sender.why
		// Only the sender's own mail tells their language: a forged or
		// automatic mail, or one we flag, must not set it for them.
		d.Language = ""
		if sender.auth == store.SenderVerified && auto == "" && flag == "" {
			d.Language = lang
		}
		d.TicketID = 0
		if rt.ticket != nil {
			d.TicketID = rt.ticket.ID
		}
		dv.why = rt.why
		return ""
	}
	return dv
}

// delivered turns what RecordInbound answered into the mail's Result.
func (p *Pipeline) delivered(ctx context.Context, dv *delivery, out *store.Recorded, err error) (Result, error) {
	rec, m := dv.rec, dv.m
	switch {
	case errors.Is(err, store.ErrProcessed):
		return p.lostRace(ctx, rec.ID)
	case errors.Is(err, store.ErrDuplicate):
		return p.finish(ctx, rec, store.ActionDuplicate, "Message-ID <"+m.MessageID+"> seen before")
	case errors.Is(err, store.ErrBlocked):
		return p.blocked(ctx, rec)
	case err != nil:
		return Result{}, fmt.Errorf("inbound: %w", err)
	case out.Ignored != "":
		return Result{Action: store.ActionIgnored, Reason: out.Ignored}, nil
	}
	res := Result{Action: store.ActionAppended, Ticket: &out.TicketNumber, Message: &out.MessageID}
	if out.Created {
		res.Action = store.ActionCreated
	}
	if dv.auto != "" {
		res.Reason = "automatic reply recorded without changing the ticket"
	} else if dv.why != "" {
		res.Reason = dv.why
	}
	return res, nil
}

// flag is the flag a mail gets, and its route after it: a sender who fails
// DMARC under a strict policy may be forged, and never writes into
// somebody's existing ticket.
func (p *Pipeline) flag(m *Mail, env Envelope, rt route, released bool) (route, string) {
	flag := ""
	if m.FromAmbiguous != "" {
		flag = FlagAmbiguousFrom
	}
	if strings.EqualFold(env.Verdicts.Spam, "FAIL") && !released {
		flag = "spam"
	}
	if dmarcFailed(env.Verdicts) && !released {
		flag = "dmarc"
		if rt.ticket != nil {
			rt = route{why: fmt.Sprintf("DMARC failed (policy %s): not appended to #%d; opened a flagged ticket", strings.ToLower(env.Verdicts.DMARCPolicy), rt.ticket.Number)}
		}
	}
	return rt, flag
}

// duplicateOf reports a mail received (and handled) before, with its outcome.
func (p *Pipeline) duplicateOf(ctx context.Context, rec *store.InboundMail) Result {
	res := Result{Action: store.ActionDuplicate, Message: rec.MessageID,
		Reason: fmt.Sprintf("already received as inbound mail %d (%s)", rec.ID, rec.Action)}
	if rec.TicketID != nil {
		if t, err := p.store.Ticket(ctx, *rec.TicketID); err == nil {
			res.Ticket = &t.Number
		}
	}
	return res
}

// lostRace is the answer when another consumer finished the same mail first.
func (p *Pipeline) lostRace(ctx context.Context, id int64) (Result, error) {
	rec, err := p.store.InboundMail(ctx, id)
	if err != nil {
		return Result{}, fmt.Errorf("inbound: %w", err)
	}
	return p.duplicateOf(ctx, rec), nil
}

// finish records an outcome that wrote no message.
func (p *Pipeline) finish(ctx context.Context, rec *store.InboundMail, action, reason string) (Result, error) {
	status := "processed"
	if action == store.ActionQuarantined {
		status = "quarantined"
	}
	err := p.store.FinishInboundMail(ctx, rec.ID, store.Outcome{Status: status, Action: action, Reason: reason})
	if errors.Is(err, store.ErrProcessed) {
		return p.lostRace(ctx, rec.ID)
	}
	if err != nil {
		return Result{}, fmt.Errorf("inbound: %w", err)
	}
	return Result{Action: action, Reason: reason}, nil
}

func mailKey(raw []byte, sesID string) string {
	if sesID != "" {
		return "ses:" + sesID
	}
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

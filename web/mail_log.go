package web

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/dargo-support/dargo/store"
)

// MailLogStore is what a ticket's mail log needs from the database.
type MailLogStore interface {
	TicketEmails(ctx context.Context, ticketID int64) ([]store.Email, error)
}

// mailLog is every mail sent (or meant to be sent) about a ticket, as
// staff read it on the ticket page: oldest first.
type mailLog struct {
	Lines []mailLine
	// Attention counts the lines staff should look at: mail that may have
	// gone twice, or that failed. The log opens by itself when there are any.
	Attention int
}

// mailLine is one emails row in words.
type mailLine struct {
	What    string // the kind of mail: "Confirmation", "Reply", ...
	To      string
	ToStaff bool // a notice to staff, not to the ticket's people
	// At is when it was sent, else when it was queued; the hover says
	// both to the second, in the viewer's zone.
	At       time.Time
	Verb     string // "queued", "sent" or "" (the status says sent)
	QueuedAt time.Time
	SentAt   *time.Time
	// Status is the outcome in words; Detail the stored reason, when it
	// says more; Tone is its style: ok, waiting or bad.
	Status, Detail, Tone string
	Attempts             int // shown when more than one
	// Warning is set when an attempt was cut off inside the SES call, so
	// the mail may have gone out more often than the row says; Why says so.
	Warning, Why string
}

// mailKinds are the kinds of mail in words; an unknown kind shows its code.
var mailKinds = map[string]string{
	store.EmailConfirmation:    "Confirmation",
	store.EmailReply:           "Reply",
	store.EmailStatus:          "Status change",
	store.EmailMerged:          "Request merged",
	store.EmailMagicLink:       "Sign-in link",
	store.EmailPolicyNotice:    "Policy notice",
	store.EmailBroadcast:       "Announcement",
	store.EmailTooLarge:        "Mail too large",
	store.EmailStaffNotice:     "Staff notice",
	store.EmailStaffDigest:     "Staff digest",
	store.EmailStaffUnrecorded: "Answer not recorded",
	store.EmailForward:         "Forward to a third party",
}

// staffMail are the kinds that go to staff, not to the ticket's people.
var staffMail = map[string]bool{store.EmailStaffNotice: true, store.EmailStaffDigest: true, store.EmailStaffUnrecorded: true}

// loadMailLog reads the ticket's mail into its log.
func loadMailLog(ctx context.Context, s MailLogStore, ticketID int64) (mailLog, error) {
	emails, err := s.TicketEmails(ctx, ticketID)
	if err != nil {
		return mailLog{}, err
	}
	var l mailLog
	for _, e := range emails {
		line := mailLineOf(e)
		if line.Warning != "" || line.Tone == "bad" {
			l.Attention++
		}
		l.Lines = append(l.Lines, line)
	}
	return l, nil
}

// mailLineOf puts one emails row into words.
func mailLineOf(e store.Email) mailLine {
	l := mailLine{What: mailKinds[e.Kind], To: e.ToEmail, ToStaff: staffMail[e.Kind],
		At: e.CreatedAt, Verb: "queued", QueuedAt: e.CreatedAt, SentAt: e.SentAt, Attempts: e.Attempts}
	if l.What == "" {
		l.What = e.Kind
	}
	if e.Kind == store.EmailReply && e.Announces != "" {
		l.What += " and status change: " + e.Announces
	}
	if e.SentAt != nil {
		l.At, l.Verb = *e.SentAt, "sent"
	}
	l.Status, l.Detail, l.Tone = mailStatus(e)
	if e.Status == store.EmailSent {
		l.Verb = ""
	}
	if n := e.Interrupted; n > 0 {
		earlier := "an earlier attempt was"
		if n > 1 {
			earlier = strconv.Itoa(n) + " earlier attempts were"
		}
		l.Why = earlier + " cut off while SES had it"
		switch {
		case e.SentAt == nil:
			l.Warning = "may have been sent"
		case n == 1:
			l.Warning = "may have been sent twice"
		default:
			l.Warning = "may have been sent up to " + strconv.Itoa(n+1) + " times"
		}
	}
	return l
}

// staleSend is how long a send may be under way; a claim older than that
// (the worker's ClaimTTL is 40 s) was left by a worker that died.
const staleSend = time.Minute

// mailNow is the mail log's clock; tests replace it.
var mailNow = time.Now

// mailStatus is a mail's outcome in words, the stored reason when it adds
// something, and the outcome's tone.
func mailStatus(e store.Email) (status, detail, tone string) {
	switch e.Status {
	case store.EmailQueued:
		if e.SendingAt != nil {
			if mailNow().Sub(*e.SendingAt) > staleSend {
				return "cut off while sending; it will be tried again", "", "waiting"
			}
			return "sending now", "", "waiting"
		}
		return "waiting to send", "", "waiting"
	case store.EmailSent:
		return "sent", e.Reason, "ok" // a soft bounce notes a delay here
	case store.EmailSuppressed:
		if detail = e.Reason; detail == store.ReasonObjected {
			detail = "" // the status says it
		}
		return "not sent: " + suppressedWhy(e.Reason), detail, "muted"
	case store.EmailFailed:
		if e.SentAt != nil && strings.Contains(e.Reason, "complaint") {
			return "sent, then complained about", e.Reason, "bad"
		}
		if e.SentAt != nil {
			return "sent, then bounced", e.Reason, "bad"
		}
		return "not sent: failed", e.Reason, "bad"
	}
	return e.Status, e.Reason, ""
}

// suppressedWhy says in a few words why a mail was held back, from the
// reason mailGate or the loop guard stored.
func suppressedWhy(reason string) string {
	r := strings.ToLower(reason)
	switch {
	case reason == store.ReasonObjected:
		return "the person objected to optional mail"
	case strings.HasPrefix(r, "loop guard"):
		return "too many automatic mails to this address"
	case strings.Contains(r, "complaint"):
		return "the address complained before"
	case strings.Contains(r, "bounce"):
		return "the address bounced before"
	case strings.HasPrefix(r, "address suppressed"):
		return "the address is suppressed"
	}
	return "suppressed"
}

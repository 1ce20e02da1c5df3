package store

import (
	"context"
	"fmt"
	"time"
)

// QueuedEmail is a mail to queue through the outbox.
type QueuedEmail struct {
	UserID    *int64
	To        string
	Kind      string
	TicketID  *int64
	MessageID *int64
	Subject   string
	// Auto marks machine-made mail (confirmations, magic links); Cap limits how
	// many such mails one address gets within Window, which breaks robot loops.
	Auto   bool
	Cap    int
	Window time.Duration
	// Sealed is an encrypted secret the mail carries (a magic link), kept in
	// the outbox row only until the mail is sent or given up.
	Sealed string
	// NotBefore holds the mail in the outbox until then (zero: send at
	// once), on behalf of the undoable action ActionID (0: none).
	NotBefore time.Time
	ActionID  int64
	// Announces is the status change a reply mail also tells of.
	Announces string
}

// QueueEmail records an emails row and, unless the address is suppressed,
// the mail is optional and its recipient objected to optional mail, or the
// address is over its automatic-mail cap, an outbox row in the same
// transaction. It returns the email's status: queued or suppressed.
func (tx *Tx) QueueEmail(ctx context.Context, e QueuedEmail) (string, error) {
	_, status, err := tx.queueEmail(ctx, e)
	return status, err
}

// queueEmail is QueueEmail that also returns the emails row's id. Every
// emails row but a broadcast's is written here; both go by mailGate.
func (tx *Tx) queueEmail(ctx context.Context, e QueuedEmail) (int64, string, error) {
	now := tx.db.Now()
	to := NormalizeEmail(e.To)
	var action *int64
	if e.ActionID != 0 {
		action = &e.ActionID
	}
	if tx.db.Dialect == Postgres && e.Sealed == "" {
		return tx.queueEmailOneStatement(ctx, e, to, action, now)
	}
	// One round trip answers every question: is the address suppressed,
	// has the recipient objected to this mail, and how many automatic
	// mails did the address get within the window. The recipient is
	// e.UserID, else whoever has the address.
	g := mailGate(e.Kind, "r.email", "r.user_id")
	var check struct {
		Status string `db:"status"`
		Reason string `db:"reason"`
		Recent int    `db:"recent"`
	}
	err := tx.GetContext(ctx, &check, tx.q(`SELECT `+g.status+` AS status, `+g.reason+` AS reason,
		(SELECT COUNT(*) FROM emails WHERE to_email = r.email AND auto AND created_at > ?) AS recent
		FROM (SELECT CAST(? AS TEXT) AS email, COALESCE(CAST(? AS BIGINT), (SELECT COALESCE(merged_into, id) FROM users WHERE email = ?)) AS user_id) r `+g.joins),
		now.Add(-e.Window), to, e.UserID, to)
	if err != nil {
		return 0, "", fmt.Errorf("store: queue email: %w", err)
	}
	status, reason := check.Status, check.Reason
	if status == EmailQueued && e.Auto && e.Cap > 0 && check.Recent >= e.Cap {
		status, reason = EmailSuppressed, fmt.Sprintf("loop guard: %d automatic mails within %s", check.Recent, e.Window)
	}
	var id int64
	err = tx.QueryRowxContext(ctx, tx.q(`INSERT INTO emails (user_id, to_email, kind, ticket_id, message_id, subject, status, auto, reason, created_at, action_id, announces)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		e.UserID, to, e.Kind, e.TicketID, e.MessageID, e.Subject, status, e.Auto, reason, now, action, e.Announces).Scan(&id)
	if err != nil {
		return 0, "", fmt.Errorf("store: queue email: %w", err)
	}
	if status != EmailQueued {
		return id, status, nil
	}
	var notBefore *time.Time
	if !e.NotBefore.IsZero() {
		notBefore = &e.NotBefore
	}
	_, err = tx.ExecContext(ctx, tx.q(`INSERT INTO outbox (kind, email_id, payload, created_at, not_before) VALUES (?, ?, ?, ?, ?)`),
		e.Kind, id, outboxPayload(id, e.Sealed), now, notBefore)
	if err != nil {
		return 0, "", fmt.Errorf("store: queue email: outbox: %w", err)
	}
	return id, status, nil
}

// ReasonObjected is the reason on an emails row not sent because its
// recipient objected to optional mail.
const ReasonObjected = "objected to optional mail"

// MailKinds lists every kind of mail Dargo sends. Each is essential or
// optional (EssentialMail); a test fails when a kind is missing here.
var MailKinds = []string{EmailConfirmation, EmailReply, EmailStatus, EmailMagicLink, EmailPolicyNotice, EmailBroadcast, EmailTooLarge, EmailStaffNotice, EmailStaffDigest, EmailStaffUnrecorded, EmailMerged, EmailForward, EmailAutocloseWarning}

// EssentialMail reports whether mail of the kind goes even to people who
// object to optional mail: replies and status changes on their own
// tickets, the confirmation that a ticket was received, sign-in and other
// one-time links (address change, erasure), and notices of significant
// policy changes, the notice that one's own mail was too large to be
// delivered, and the notice that one's request was merged into another. Everything else — announcements, and any kind added
// later until it is listed here — is optional.
func EssentialMail(kind string) bool {
	switch kind {
	case EmailReply, EmailStatus, EmailConfirmation, EmailMagicLink, EmailPolicyNotice, EmailTooLarge, EmailMerged:
		return true
	case EmailAutocloseWarning:
		// About their own open request, like the status mail it
		// announces: without it a request would close unannounced.
		return true
	case EmailForward:
		// Staff's one-off question to a named person about one ticket,
		// like a reply: not an announcement anyone could object to.
		return true
	case EmailStaffNotice, EmailStaffDigest, EmailStaffUnrecorded:
		// Staff choose their notices on /account (StaffPrefs), not by
		// objecting to optional mail; an unrecorded answer is always told.
		return true
	}
	return false
}

// gate is mailGate's SQL: joins to add after the table that names the
// recipient, and the status and reason an emails row gets.
type gate struct{ joins, status, reason string }

// mailGate is the one rule every emails row is written under, and every
// queued mail is checked against again before it is sent: a suppressed
// address gets nothing; a recipient who objected to optional mail gets
// none of it; anything else is queued. addr and user are SQL expressions
// for the recipient's normalized address and user id (NULL: nobody has
// the address). It joins s (suppressions) and c (user_choices).
func mailGate(kind, addr, user string) gate {
	objection := "FALSE"
	if !EssentialMail(kind) {
		objection = "c.objected"
	}
	return gate{
		joins: `LEFT JOIN suppressions s ON s.email = ` + addr + `
			LEFT JOIN user_choices c ON c.user_id = ` + user + ` AND c.kind = '` + ChoiceMail + `'`,
		status: `CASE WHEN s.email IS NOT NULL OR ` + objection + ` THEN '` + EmailSuppressed + `' ELSE '` + EmailQueued + `' END`,
		reason: `CASE WHEN s.email IS NOT NULL THEN 'address suppressed: ' || s.reason
			WHEN ` + objection + ` THEN '` + ReasonObjected + `' ELSE '' END`,
	}
}

// StopReason says why a queued mail must not be sent now, by the rule it
// was queued under (mailGate): its address was suppressed or its recipient
// objected since. "" means send it.
func (db *DB) StopReason(ctx context.Context, e *Email) (string, error) {
	g := mailGate(e.Kind, "e.to_email", "COALESCE(e.user_id, (SELECT COALESCE(merged_into, id) FROM users WHERE email = e.to_email))")
	var reason string
	if err := db.X.GetContext(ctx, &reason, db.q(`SELECT `+g.reason+` FROM emails e `+g.joins+` WHERE e.id = ?`), e.ID); err != nil {
		return "", notFound(err, fmt.Sprintf("email %d", e.ID))
	}
	return reason, nil
}

// Emails returns the emails rows to an address, oldest first.
func (db *DB) Emails(ctx context.Context, to string) ([]Email, error) {
	var out []Email
	if err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM emails WHERE to_email = ? ORDER BY id`), NormalizeEmail(to)); err != nil {
		return nil, fmt.Errorf("store: emails: %w", err)
	}
	return out, nil
}

// TicketEmails returns the mail sent (or meant to be sent) about a
// ticket, oldest first: its mail log.
func (db *DB) TicketEmails(ctx context.Context, ticketID int64) ([]Email, error) {
	var out []Email
	if err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM emails WHERE ticket_id = ? ORDER BY id`), ticketID); err != nil {
		return nil, fmt.Errorf("store: ticket emails: %w", err)
	}
	return out, nil
}

package store

import (
	"context"
	"encoding/json"
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
}

// QueueEmail records an emails row and, unless the address is suppressed or
// over its automatic-mail cap, an outbox row in the same transaction. It
// returns the email's status: queued or suppressed.
func (tx *Tx) QueueEmail(ctx context.Context, e QueuedEmail) (string, error) {
	_, status, err := tx.queueEmail(ctx, e)
	return status, err
}

// queueEmail is QueueEmail that also returns the emails row's id.
func (tx *Tx) queueEmail(ctx context.Context, e QueuedEmail) (int64, string, error) {
	now := tx.db.Now()
	to := NormalizeEmail(e.To)
	// One round trip answers both questions: is the address suppressed, and
	// how many automatic mails did it get within the window.
	var check struct {
		Suppressed *string `db:"suppressed"`
		Recent     int     `db:"recent"`
	}
	err := tx.GetContext(ctx, &check, tx.q(`SELECT (SELECT reason FROM suppressions WHERE email = ?) AS suppressed,
		(SELECT COUNT(*) FROM emails WHERE to_email = ? AND auto AND created_at > ?) AS recent`), to, to, now.Add(-e.Window))
	if err != nil {
		return 0, "", fmt.Errorf("store: queue email: %w", err)
	}
	status, reason := EmailQueued, ""
	switch {
	case check.Suppressed != nil:
		status, reason = EmailSuppressed, "address suppressed: "+*check.Suppressed
	case e.Auto && e.Cap > 0 && check.Recent >= e.Cap:
		status, reason = EmailSuppressed, fmt.Sprintf("loop guard: %d automatic mails within %s", check.Recent, e.Window)
	}
	var id int64
	err = tx.QueryRowxContext(ctx, tx.q(`INSERT INTO emails (user_id, to_email, kind, ticket_id, message_id, subject, status, auto, reason, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		e.UserID, to, e.Kind, e.TicketID, e.MessageID, e.Subject, status, e.Auto, reason, now).Scan(&id)
	if err != nil {
		return 0, "", fmt.Errorf("store: queue email: %w", err)
	}
	if status != EmailQueued {
		return id, status, nil
	}
	_, err = tx.ExecContext(ctx, tx.q(`INSERT INTO outbox (kind, email_id, payload, created_at) VALUES (?, ?, ?, ?)`),
		e.Kind, id, outboxPayload(id, e.Sealed), now)
	if err != nil {
		return 0, "", fmt.Errorf("store: queue email: outbox: %w", err)
	}
	return id, status, nil
}

// outboxPayload is an outbox row's JSON: the email's id, and a sealed secret when there is one.
func outboxPayload(emailID int64, sealed string) string {
	b, _ := json.Marshal(struct {
		EmailID int64  `json:"email_id"`
		Sealed  string `json:"sealed,omitempty"`
	}{emailID, sealed})
	return string(b)
}

// Emails returns the emails rows to an address, oldest first.
func (db *DB) Emails(ctx context.Context, to string) ([]Email, error) {
	var out []Email
	if err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM emails WHERE to_email = ? ORDER BY id`), NormalizeEmail(to)); err != nil {
		return nil, fmt.Errorf("store: emails: %w", err)
	}
	return out, nil
}

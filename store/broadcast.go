package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// EmailBroadcast is the kind of a broadcast's mails.
const EmailBroadcast = "broadcast"

// Broadcast statuses.
const (
	BroadcastQueueing = "queueing" // recipients are still being queued
	BroadcastQueued   = "queued"   // every recipient has its emails row; the workers send them
)

// Limits on broadcasts.
const (
	MaxBroadcastSubject   = 200   // runes
	MaxBroadcastBody      = 50000 // runes
	DefaultBroadcastBatch = 500
	MaxBroadcastBatch     = 5000 // recipients per transaction
)

// Broadcast is a notice mailed once to every active user, such as a change
// to the privacy policy.
type Broadcast struct {
	ID          int64      `db:"id"`
	Subject     string     `db:"subject"`
	Body        string     `db:"body"`
	CreatedBy   *int64     `db:"created_by"` // nil: started on the command line
	CreatedAt   time.Time  `db:"created_at"`
	Status      string     `db:"status"`
	Total       int        `db:"total"`        // active users when it started; the final count once queued
	QueuedCount int        `db:"queued_count"` // emails rows written so far (queued or suppressed)
	LastUserID  int64      `db:"last_user_id"` // queueing continues after this user
	QueuedAt    *time.Time `db:"queued_at"`    // when the last recipient was queued
	Kind        string     `db:"kind"`         // its mails' kind: EmailBroadcast, or EmailPolicyNotice for a significant policy change
}

// Queued reports whether every recipient has its emails row.
func (b *Broadcast) Queued() bool { return b.Status == BroadcastQueued }

// activeUser is the SQL condition on users u that makes a broadcast
// recipient: not erased, and known to us by a ticket or a sign-in.
const activeUser = `u.erased_at IS NULL AND (EXISTS (SELECT 1 FROM participants p WHERE p.user_id = u.id)
	OR EXISTS (SELECT 1 FROM logins l WHERE l.user_id = u.id))`

// NewBroadcast is a broadcast to start.
type NewBroadcast struct {
	Subject string
	Body    string // plain text
	ActorID int64  // who starts it; 0 for the command line
	// Again allows a broadcast that says exactly what an earlier, fully
	// queued one said: without it, that is refused as a likely double send.
	Again bool
}

// ErrBroadcastExists is returned (inside a *BroadcastExistsError) when a
// broadcast with the same subject and body exists.
var ErrBroadcastExists = errors.New("store: a broadcast with this subject and body exists")

// BroadcastExistsError names the broadcast a new one repeats.
type BroadcastExistsError struct{ Broadcast Broadcast }

func (e *BroadcastExistsError) Error() string {
	return fmt.Sprintf("store: broadcast %d has this subject and body (%s)", e.Broadcast.ID, e.Broadcast.Status)
}

func (e *BroadcastExistsError) Unwrap() error { return ErrBroadcastExists }

// ErrBadBroadcast wraps what is wrong with a broadcast's subject or body;
// its message is fit to show the person who wrote them.
var ErrBadBroadcast = errors.New("store: bad broadcast")

// CleanBroadcast trims the subject and body, turns the body's line breaks
// into "\n", and checks both: a subject of one line, neither empty nor
// over its limit.
func CleanBroadcast(subject, body string) (string, string, error) {
	subject = strings.TrimSpace(subject)
	body = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n"))
	switch {
	case subject == "":
		return "", "", fmt.Errorf("%w: the subject is empty", ErrBadBroadcast)
	case strings.ContainsFunc(subject, unicode.IsControl):
		return "", "", fmt.Errorf("%w: the subject must be one line of text", ErrBadBroadcast)
	case utf8.RuneCountInString(subject) > MaxBroadcastSubject:
		return "", "", fmt.Errorf("%w: the subject is longer than %d characters", ErrBadBroadcast, MaxBroadcastSubject)
	case body == "":
		return "", "", fmt.Errorf("%w: the text is empty", ErrBadBroadcast)
	case !utf8.ValidString(body):
		return "", "", fmt.Errorf("%w: the text is not UTF-8", ErrBadBroadcast)
	case strings.ContainsFunc(body, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		return "", "", fmt.Errorf("%w: the text has control characters", ErrBadBroadcast)
	case utf8.RuneCountInString(body) > MaxBroadcastBody:
		return "", "", fmt.Errorf("%w: the text is longer than %d characters", ErrBadBroadcast, MaxBroadcastBody)
	}
	return subject, body, nil
}

// StartBroadcast records a broadcast to every active user and audits it;
// QueueBroadcastBatch then queues its mails. A broadcast with the same
// subject and body that is still queueing is refused (resume that one
// instead), and so is one that was queued already unless nb.Again.
func (db *DB) StartBroadcast(ctx context.Context, nb NewBroadcast) (*Broadcast, error) {
	subject, body, err := CleanBroadcast(nb.Subject, nb.Body)
	if err != nil {
		return nil, err
	}
	var b Broadcast
	err = db.InTx(ctx, func(tx *Tx) error {
		if db.Dialect == Postgres {
			// Two identical starts at once: the second sees the first.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727473)`); err != nil {
				return err
			}
		}
		var same []Broadcast
		if err := tx.SelectContext(ctx, &same, tx.q(`SELECT * FROM broadcasts WHERE subject = ? AND body = ? ORDER BY id DESC LIMIT 1`), subject, body); err != nil {
			return err
		}
		if len(same) > 0 && (!same[0].Queued() || !nb.Again) {
			return &BroadcastExistsError{Broadcast: same[0]}
		}
		made, err := tx.insertBroadcast(ctx, subject, body, EmailBroadcast, nb.ActorID)
		if err != nil {
			return err
		}
		b = *made
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: start broadcast: %w", err)
	}
	return &b, nil
}

// insertBroadcast records a broadcast of subject and body (already clean)
// whose mails are of this kind, counts its recipients and audits it.
func (tx *Tx) insertBroadcast(ctx context.Context, subject, body, kind string, actorID int64) (*Broadcast, error) {
	var total int
	if err := tx.GetContext(ctx, &total, `SELECT COUNT(*) FROM users u WHERE `+activeUser); err != nil {
		return nil, err
	}
	var b Broadcast
	err := tx.QueryRowxContext(ctx, tx.q(`INSERT INTO broadcasts (subject, body, created_by, created_at, status, total, kind)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`), subject, body, nullID(actorID), tx.db.Now(), BroadcastQueueing, total, kind).StructScan(&b)
	if err != nil {
		return nil, err
	}
	detail := map[string]any{"broadcast": b.ID, "recipients": total}
	if kind != EmailBroadcast {
		detail["kind"] = kind
	}
	if err := tx.Audit(ctx, Audit{ActorID: actorID, Action: AuditBroadcast, Detail: detail}); err != nil {
		return nil, err
	}
	return &b, nil
}

// QueueBroadcastBatch queues the broadcast's mails to the next batch active
// users after the last one queued, and returns the broadcast as it is
// then. One transaction writes the emails rows (suppressed addresses get
// theirs as suppressed, without an outbox row, and so do people who
// objected to optional mail), the outbox rows and the
// broadcast's progress, so a crash at any point leaves the broadcast where
// the last committed batch left it, and running it again continues there.
// The unique (broadcast_id, user_id) index makes a repeat a no-op besides.
// Two runs at once take turns on the broadcast's row. A queued broadcast
// is returned unchanged.
func (db *DB) QueueBroadcastBatch(ctx context.Context, id int64, batch int) (*Broadcast, error) {
	if batch <= 0 {
		batch = DefaultBroadcastBatch
	}
	batch = min(batch, MaxBroadcastBatch)
	var b Broadcast
	err := db.InTx(ctx, func(tx *Tx) error {
		lock := `SELECT * FROM broadcasts WHERE id = ?`
		if db.Dialect == Postgres {
			lock += ` FOR UPDATE` // SQLite's IMMEDIATE transaction holds the write lock already
		}
		if err := tx.GetContext(ctx, &b, tx.q(lock), id); err != nil {
			return notFound(err, fmt.Sprintf("broadcast %d", id))
		}
		if b.Queued() {
			return nil
		}
		var users []int64
		err := tx.SelectContext(ctx, &users, tx.q(`SELECT u.id FROM users u WHERE u.id > ? AND `+activeUser+` ORDER BY u.id LIMIT ?`), b.LastUserID, batch)
		if err != nil {
			return err
		}
		now, kind := db.Now(), b.Kind
		if len(users) > 0 {
			last := users[len(users)-1]
			var rows []struct {
				ID     int64  `db:"id"`
				Status string `db:"status"`
			}
			// Set-based for speed, but by the same rule as every other
			// mail (mailGate): suppressed addresses and people who
			// objected to optional mail get rows that say so.
			g := mailGate(kind, "u.email", "u.id")
			err := tx.SelectContext(ctx, &rows, tx.q(`INSERT INTO emails (user_id, to_email, kind, subject, status, auto, reason, broadcast_id, created_at)
				SELECT u.id, u.email, ?, ?, `+g.status+`, FALSE, `+g.reason+`, ?, ?
				FROM users u `+g.joins+`
				WHERE u.id > ? AND u.id <= ? AND `+activeUser+`
				ON CONFLICT (broadcast_id, user_id) DO NOTHING
				RETURNING id, status`), kind, b.Subject, b.ID, now, b.LastUserID, last)
			if err != nil {
				return fmt.Errorf("emails: %w", err)
			}
			var queued []int64
			for _, r := range rows {
				if r.Status == EmailQueued {
					queued = append(queued, r.ID)
				}
			}
			if len(queued) > 0 {
				// The payload is outboxPayload's JSON, {"email_id":N}.
				query, args, err := sqlx.In(`INSERT INTO outbox (kind, email_id, payload, created_at)
					SELECT kind, id, '{"email_id":' || id || '}', created_at FROM emails WHERE id IN (?)`, queued)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, tx.q(query), args...); err != nil {
					return fmt.Errorf("outbox: %w", err)
				}
			}
			b.LastUserID = last
			b.QueuedCount += len(rows)
		}
		if len(users) < batch {
			b.Status, b.Total, b.QueuedAt = BroadcastQueued, b.QueuedCount, &now
		}
		_, err = tx.ExecContext(ctx, tx.q(`UPDATE broadcasts SET last_user_id = ?, queued_count = ?, status = ?, total = ?, queued_at = ? WHERE id = ?`),
			b.LastUserID, b.QueuedCount, b.Status, b.Total, b.QueuedAt, b.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: queue broadcast %d: %w", id, err)
	}
	return &b, nil
}

// Broadcast returns the broadcast with this id.
func (db *DB) Broadcast(ctx context.Context, id int64) (*Broadcast, error) {
	var b Broadcast
	if err := db.X.GetContext(ctx, &b, db.q(`SELECT * FROM broadcasts WHERE id = ?`), id); err != nil {
		return nil, notFound(err, fmt.Sprintf("broadcast %d", id))
	}
	return &b, nil
}

// BroadcastProgress counts a broadcast's mails by status.
type BroadcastProgress struct {
	Queued     int // waiting to be sent
	Sent       int
	Failed     int
	Suppressed int // not sent: the address is on the suppression list
}

// BroadcastSummary is a broadcast with its mails counted.
type BroadcastSummary struct {
	Broadcast
	Progress BroadcastProgress
}

// Broadcasts returns the newest broadcasts, up to limit, with their mails counted.
func (db *DB) Broadcasts(ctx context.Context, limit int) ([]BroadcastSummary, error) {
	var list []Broadcast
	if err := db.X.SelectContext(ctx, &list, db.q(`SELECT * FROM broadcasts ORDER BY id DESC LIMIT ?`), limit); err != nil {
		return nil, fmt.Errorf("store: broadcasts: %w", err)
	}
	out := make([]BroadcastSummary, len(list))
	if len(list) == 0 {
		return out, nil
	}
	ids := make([]int64, len(list))
	at := make(map[int64]*BroadcastProgress, len(list))
	for i, b := range list {
		out[i].Broadcast, ids[i] = b, b.ID
		at[b.ID] = &out[i].Progress
	}
	query, args, err := sqlx.In(`SELECT broadcast_id, status, COUNT(*) AS n FROM emails WHERE broadcast_id IN (?) GROUP BY broadcast_id, status`, ids)
	if err != nil {
		return nil, fmt.Errorf("store: broadcasts: %w", err)
	}
	var counts []struct {
		ID     int64  `db:"broadcast_id"`
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := db.X.SelectContext(ctx, &counts, db.q(query), args...); err != nil {
		return nil, fmt.Errorf("store: broadcast progress: %w", err)
	}
	for _, c := range counts {
		p := at[c.ID]
		switch c.Status {
		case EmailQueued:
			p.Queued = c.N
		case EmailSent:
			p.Sent = c.N
		case EmailFailed:
			p.Failed = c.N
		case EmailSuppressed:
			p.Suppressed = c.N
		}
	}
	return out, nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Draft kinds: a staff reply or internal note on a ticket, or a customer's
// new-ticket form (TicketID 0). A customer's portal reply is a DraftReply.
const (
	DraftReply = "reply"
	DraftNote  = "note"
	DraftNew   = "new"
)

// DraftsKept is how long an untouched draft and a staged file that was
// never sent are kept before the retention sweep removes them.
const DraftsKept = 14 * 24 * time.Hour

// SweepDrafts names the sweep of old drafts and staged files.
const SweepDrafts = "drafts"

// Draft is what one person is writing on one ticket (or, TicketID 0, in
// the new-ticket form) and has not sent.
type Draft struct {
	UserID    int64     `db:"user_id"`
	TicketID  int64     `db:"ticket_id"`
	Kind      string    `db:"kind"`
	Subject   string    `db:"subject"` // the new-ticket form's only
	Text      string    `db:"text"`
	UpdatedAt time.Time `db:"updated_at"`
}

// SaveDraft keeps the draft, replacing the person's earlier one on the same
// ticket, and returns when it was saved. A draft with neither text nor
// subject is no draft: it is deleted.
func (db *DB) SaveDraft(ctx context.Context, d Draft) (time.Time, error) {
	now := db.Now()
	var err error
	if d.Text == "" && d.Subject == "" {
		_, err = db.X.ExecContext(ctx, db.q(`DELETE FROM drafts WHERE user_id = ? AND ticket_id = ?`), d.UserID, d.TicketID)
	} else {
		_, err = db.X.ExecContext(ctx, db.q(`INSERT INTO drafts (user_id, ticket_id, kind, subject, text, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id, ticket_id) DO UPDATE SET kind = excluded.kind, subject = excluded.subject, text = excluded.text,
				updated_at = excluded.updated_at`), d.UserID, d.TicketID, d.Kind, d.Subject, d.Text, now)
	}
	if err != nil {
		return now, fmt.Errorf("store: save draft: %w", err)
	}
	return now, nil
}

// DraftOf returns the person's draft on the ticket (0: the new-ticket
// form), or ErrNotFound.
func (db *DB) DraftOf(ctx context.Context, userID, ticketID int64) (*Draft, error) {
	var d Draft
	err := db.X.GetContext(ctx, &d, db.q(`SELECT * FROM drafts WHERE user_id = ? AND ticket_id = ?`), userID, ticketID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: draft: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: draft: %w", err)
	}
	return &d, nil
}

// DraftWriters names the other staff who have an unsent reply or note on
// the ticket, most recent first: their display name when they set one,
// else their address. Customers' drafts are nobody else's business.
func (db *DB) DraftWriters(ctx context.Context, ticketID, exceptUserID int64) ([]string, error) {
	var names []string
	err := db.X.SelectContext(ctx, &names, db.q(`SELECT COALESCE(NULLIF(p.display_name, ''), u.email) FROM drafts d
		JOIN users u ON u.id = d.user_id LEFT JOIN staff_profiles p ON p.user_id = d.user_id
		WHERE d.ticket_id = ? AND d.user_id <> ? AND d.kind IN ('reply', 'note') AND d.text <> ''
			AND u.role IN ('staff', 'admin') AND u.erased_at IS NULL
		ORDER BY d.updated_at DESC, d.user_id`), ticketID, exceptUserID)
	if err != nil {
		return nil, fmt.Errorf("store: draft writers: %w", err)
	}
	return names, nil
}

// ClearDraft is what sending does: it deletes the person's draft on the
// ticket and the staged files it sent (by id; a file staged meanwhile in
// another tab stays), with their bytes.
func (db *DB) ClearDraft(ctx context.Context, userID, ticketID int64, sent []StagedFile) error {
	if _, err := db.X.ExecContext(ctx, db.q(`DELETE FROM drafts WHERE user_id = ? AND ticket_id = ?`), userID, ticketID); err != nil {
		return fmt.Errorf("store: clear draft: %w", err)
	}
	if len(sent) == 0 {
		return nil
	}
	if err := db.dropStaged(ctx, stagedRows(sent)); err != nil {
		return fmt.Errorf("store: clear draft: %w", err)
	}
	return nil
}

// SweepOldDrafts deletes drafts untouched for keep and files staged more
// than keep ago, bytes first. It returns how many rows went.
func (db *DB) SweepOldDrafts(ctx context.Context, keep time.Duration, batch int) (int64, error) {
	cutoff := db.Now().Add(-keep)
	total, err := db.repeat(ctx, batch, `DELETE FROM drafts WHERE (user_id, ticket_id) IN
		(SELECT user_id, ticket_id FROM drafts WHERE updated_at <= ? LIMIT ?)`, cutoff)
	if err != nil {
		return total, fmt.Errorf("store: sweep drafts: %w", err)
	}
	pick := db.q(`SELECT id, blob_key FROM staged_files WHERE created_at <= ? ORDER BY id LIMIT ?`)
	for {
		var rows []blobRow
		if err := db.X.SelectContext(ctx, &rows, pick, cutoff, batch); err != nil {
			return total, fmt.Errorf("store: sweep drafts: %w", err)
		}
		if err := db.dropStaged(ctx, rows); err != nil {
			return total, fmt.Errorf("store: sweep drafts: %w", err)
		}
		total += int64(len(rows))
		if len(rows) < batch {
			return total, nil
		}
	}
}

package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// ThreadMessage is a message as a ticket page shows it: with its author and
// its files.
type ThreadMessage struct {
	Message
	AuthorEmail string `db:"author_email"`
	AuthorName  string `db:"author_name"`
	AuthorRole  string `db:"author_role"`
	// AuthorDisplayName is a staff author's name for customers ('' unset).
	AuthorDisplayName string `db:"author_display_name"`
	Attachments       []Attachment
	// Policy is set on a significant policy change's notice, which the
	// thread shows among the messages (Kind "policy"; not a message).
	Policy *PolicyNotice `db:"-"`
}

// Thread returns a ticket's messages, oldest first, with authors and
// attachments, and the notices of policy changes among them. Internal
// notes only when withNotes.
func (db *DB) Thread(ctx context.Context, ticketID int64, withNotes bool) ([]ThreadMessage, error) {
	msgs, _, err := db.ThreadLatest(ctx, ticketID, withNotes, 0)
	return msgs, err
}

// ThreadLatest is Thread cut to its latest n messages (all for n ≤ 0), and
// how many earlier ones it leaves out. Policy notices older than the first
// message shown are left out with them.
func (db *DB) ThreadLatest(ctx context.Context, ticketID int64, withNotes bool, n int) ([]ThreadMessage, int, error) {
	// Customers see neither notes nor a staff reply still waiting out its
	// Undo window (it may yet be taken back).
	notes := ` AND m.kind <> 'note' AND NOT EXISTS (SELECT 1 FROM undo_actions ua WHERE ua.message_id = m.id
		AND ua.undone_at IS NULL AND ua.not_before > ?)`
	args := []any{ticketID, db.Now()}
	if withNotes {
		notes, args = "", args[:1]
	}
	limit := ""
	if n > 0 {
		limit = ` LIMIT ` + strconv.Itoa(n+1) // one more tells whether any are earlier
	}
	var out []ThreadMessage
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT m.*, COALESCE(u.email, '') AS author_email, COALESCE(u.name, '') AS author_name,
			COALESCE(u.role, '') AS author_role, COALESCE(sp.display_name, '') AS author_display_name
		FROM messages m LEFT JOIN users u ON u.id = m.author_id LEFT JOIN staff_profiles sp ON sp.user_id = m.author_id WHERE m.ticket_id = ?`+notes+` ORDER BY m.created_at DESC, m.id DESC`+limit), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: thread: %w", err)
	}
	earlier := 0
	if n > 0 && len(out) > n {
		out = out[:n]
		var all int
		if err := db.X.GetContext(ctx, &all, db.q(`SELECT COUNT(*) FROM messages m WHERE m.ticket_id = ?`+notes), args...); err != nil {
			return nil, 0, fmt.Errorf("store: thread: %w", err)
		}
		earlier = max(all-n, 0)
	}
	slices.Reverse(out)
	if len(out) == 0 {
		out, err = db.withPolicyNotices(ctx, ticketID, out)
		return out, earlier, err
	}
	// Only the shown messages' files: a long thread has many.
	query, args, err := sqlx.In(`SELECT a.* FROM attachments a WHERE a.message_id IN (?) ORDER BY a.id`, messageIDs(out))
	if err != nil {
		return nil, 0, fmt.Errorf("store: thread attachments: %w", err)
	}
	var files []Attachment
	if err = db.X.SelectContext(ctx, &files, db.q(query), args...); err != nil {
		return nil, 0, fmt.Errorf("store: thread attachments: %w", err)
	}
	byMsg := map[int64]int{}
	for i := range out {
		byMsg[out[i].ID] = i
	}
	for _, f := range files {
		if i, ok := byMsg[f.MessageID]; ok {
			out[i].Attachments = append(out[i].Attachments, f)
		}
	}
	first := out[0].CreatedAt
	out, err = db.withPolicyNotices(ctx, ticketID, out)
	if err != nil || earlier == 0 {
		return out, earlier, err
	}
	for len(out) > 0 && out[0].Policy != nil && out[0].CreatedAt.Before(first) {
		out = out[1:]
	}
	return out, earlier, nil
}

func messageIDs(msgs []ThreadMessage) []int64 {
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	return ids
}

// FileOf is an attachment with what deciding who may read it needs.
type FileOf struct {
	Attachment
	TicketID int64  `db:"ticket_id"`
	Kind     string `db:"kind"` // the message's kind: a note's files are staff's
}

// AttachmentByID returns the attachment with the ticket and message kind it
// belongs to.
func (db *DB) AttachmentByID(ctx context.Context, id int64) (*FileOf, error) {
	var f FileOf
	err := db.X.GetContext(ctx, &f, db.q(`SELECT a.*, m.ticket_id, m.kind FROM attachments a JOIN messages m ON m.id = a.message_id
		WHERE a.id = ?`), id)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("attachment %d", id))
	}
	return &f, nil
}

// MessageByID returns one message.
func (db *DB) MessageByID(ctx context.Context, id int64) (*Message, error) {
	var m Message
	if err := db.X.GetContext(ctx, &m, db.q(`SELECT * FROM messages WHERE id = ?`), id); err != nil {
		return nil, notFound(err, fmt.Sprintf("message %d", id))
	}
	return &m, nil
}

// LastMessageID is the id of the ticket's newest message that is not a note
// (0 when none): a reply form carries it to notice replies sent meanwhile.
func (db *DB) LastMessageID(ctx context.Context, ticketID int64) (int64, error) {
	var id int64
	err := db.X.GetContext(ctx, &id, db.q(`SELECT COALESCE(MAX(id), 0) FROM messages WHERE ticket_id = ? AND kind <> 'note'`), ticketID)
	if err != nil {
		return 0, fmt.Errorf("store: last message: %w", err)
	}
	return id, nil
}

// ReadBlob returns the bytes stored under key (an attachment's BlobKey).
func (db *DB) ReadBlob(ctx context.Context, key string) ([]byte, error) {
	return db.Blobs.Get(ctx, key)
}

// Messages returns a ticket's messages, oldest first.
func (db *DB) Messages(ctx context.Context, ticketID int64) ([]Message, error) {
	var out []Message
	if err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM messages WHERE ticket_id = ? ORDER BY created_at, id`), ticketID); err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	return out, nil
}

// Attachments returns the attachments of a message.
func (db *DB) Attachments(ctx context.Context, messageID int64) ([]Attachment, error) {
	var out []Attachment
	if err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM attachments WHERE message_id = ? ORDER BY id`), messageID); err != nil {
		return nil, fmt.Errorf("store: attachments: %w", err)
	}
	return out, nil
}

package store

import (
	"context"
	"fmt"
	"time"
)

// DevMail is a mail captured by the dev outbox instead of being sent.
type DevMail struct {
	ID         int64     `db:"id"`
	EmailID    *int64    `db:"email_id"`
	Sender     string    `db:"sender"`
	Recipients string    `db:"recipients"`
	Subject    string    `db:"subject"`
	Raw        []byte    `db:"raw"`
	CreatedAt  time.Time `db:"created_at"`
}

// SaveDevMail keeps a mail in the dev outbox.
func (db *DB) SaveDevMail(ctx context.Context, m *DevMail) (int64, error) {
	var id int64
	err := db.X.QueryRowxContext(ctx, db.q(`INSERT INTO dev_mail (email_id, sender, recipients, subject, raw, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), m.EmailID, m.Sender, m.Recipients, m.Subject, m.Raw, db.Now()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: save dev mail: %w", err)
	}
	return id, nil
}

// DevMails lists the dev outbox, newest first, without the raw bytes.
func (db *DB) DevMails(ctx context.Context, limit int) ([]DevMail, error) {
	var out []DevMail
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT id, email_id, sender, recipients, subject, created_at FROM dev_mail ORDER BY id DESC LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("store: dev mails: %w", err)
	}
	return out, nil
}

// DevMailByID returns one captured mail with its raw bytes.
func (db *DB) DevMailByID(ctx context.Context, id int64) (*DevMail, error) {
	var m DevMail
	if err := db.X.GetContext(ctx, &m, db.q(`SELECT * FROM dev_mail WHERE id = ?`), id); err != nil {
		return nil, notFound(err, fmt.Sprintf("dev mail %d", id))
	}
	return &m, nil
}

package store

import (
	"context"
	"fmt"
)

// SaveInboundMail stores raw mail before anything parses it. It is idempotent
// on m.Key (the SES message id, or a hash of the bytes): a second save returns
// the row already there and existed = true.
func (db *DB) SaveInboundMail(ctx context.Context, m *InboundMail, raw []byte) (saved *InboundMail, existed bool, err error) {
	if m.BlobKey == "" {
		m.BlobKey = BlobKey("raw", raw)
	}
	if err := db.Blobs.Put(ctx, m.BlobKey, raw); err != nil {
		return nil, false, fmt.Errorf("store: save inbound mail: %w", err)
	}
	m.Size = int64(len(raw))
	m.ReceivedAt = db.Now()
	if m.Status == "" {
		m.Status = "received"
	}
	if m.Verdicts == "" {
		m.Verdicts = "{}"
	}
	var id int64
	err = db.X.QueryRowxContext(ctx, db.q(`INSERT INTO inbound_mail (key, ses_id, sender, recipients, size, blob_key, verdicts, status, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id`),
		m.Key, m.SESID, m.Sender, m.Recipients, m.Size, m.BlobKey, m.Verdicts, m.Status, m.ReceivedAt).Scan(&id)
	if err == nil {
		m.ID = id
		return m, false, nil
	}
	if err != sqlErrNoRows {
		return nil, false, fmt.Errorf("store: save inbound mail: %w", err)
	}
	old, err := db.inboundMailBy(ctx, "key", m.Key)
	if err != nil {
		return nil, false, err
	}
	return old, true, nil
}

// InboundMail returns the inbound_mail row with this id.
func (db *DB) InboundMail(ctx context.Context, id int64) (*InboundMail, error) {
	return db.inboundMailBy(ctx, "id", id)
}

func (db *DB) inboundMailBy(ctx context.Context, col string, v any) (*InboundMail, error) {
	var m InboundMail
	if err := db.X.GetContext(ctx, &m, db.q(`SELECT * FROM inbound_mail WHERE `+col+` = ?`), v); err != nil {
		return nil, notFound(err, "inbound mail")
	}
	return &m, nil
}

// InboundRaw returns the raw bytes of an inbound mail.
func (db *DB) InboundRaw(ctx context.Context, m *InboundMail) ([]byte, error) {
	return db.Blobs.Get(ctx, m.BlobKey)
}

// Outcome is what became of an inbound mail.
type Outcome struct {
	Status    string // processed or quarantined
	Action    string // created, appended, duplicate, ignored, quarantined, bounce
	Reason    string
	TicketID  *int64
	MessageID *int64
}

// FinishInboundMail records the outcome of an inbound mail.
func (db *DB) FinishInboundMail(ctx context.Context, id int64, o Outcome) error {
	_, err := db.X.ExecContext(ctx, db.q(finishInboundSQL), o.Status, o.Action, o.Reason, o.TicketID, o.MessageID, db.Now(), id)
	if err != nil {
		return fmt.Errorf("store: finish inbound mail %d: %w", id, err)
	}
	return nil
}

const finishInboundSQL = `UPDATE inbound_mail SET status = ?, action = ?, reason = ?, ticket_id = ?, message_id = ?, processed_at = ? WHERE id = ?`

// Quarantined lists quarantined inbound mail, oldest first.
func (db *DB) Quarantined(ctx context.Context, limit int) ([]InboundMail, error) {
	var out []InboundMail
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM inbound_mail WHERE status = 'quarantined' ORDER BY id LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("store: list quarantine: %w", err)
	}
	return out, nil
}

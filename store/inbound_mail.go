package store

import (
	"context"
	"errors"
	"fmt"
)

// SaveInboundMail stores raw mail before anything parses it. It is idempotent
// on m.Key (the SES message id, or a hash of the bytes): a second save returns
// the row already there and existed = true.
func (db *DB) SaveInboundMail(ctx context.Context, m *InboundMail, raw []byte) (saved *InboundMail, existed bool, err error) {
	return db.SaveInboundMailAndDoc(ctx, m, raw, nil)
}

// SaveInboundMailAndDoc is SaveInboundMail that also computes, in the same
// round trip on PostgreSQL, the search document of another mail's message
// (doc.Doc from doc.Subject and doc.Visible), to hand over with that
// message (NewMessage.Search). Elsewhere, or when this mail was stored
// before, doc.Doc stays "" and the message's document is computed when it
// is inserted.
func (db *DB) SaveInboundMailAndDoc(ctx context.Context, m *InboundMail, raw []byte, doc *SearchDoc) (saved *InboundMail, existed bool, err error) {
	if m.BlobKey == "" {
		m.BlobKey = BlobKey("raw", raw)
	}
	inDB := db.blobsInDB()
	if inDB == nil {
		if err := db.Blobs.Put(ctx, m.BlobKey, raw); err != nil {
			return nil, false, fmt.Errorf("store: save inbound mail: %w", err)
		}
	}
	m.Size = int64(len(raw))
	m.ReceivedAt = db.Now()
	if m.Status == "" {
		m.Status = "received"
	}
	if m.Verdicts == "" {
		m.Verdicts = "{}"
	}
	inserted := false
	if inDB != nil && db.Dialect == Postgres && len(raw) <= blobChunk {
		inserted, err = db.saveInboundOneStatement(ctx, m, raw, doc)
	} else {
		inserted, err = db.saveInboundTx(ctx, m, raw, inDB)
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: save inbound mail: %w", err)
	}
	if inserted {
		return m, false, nil
	}
	old, err := db.inboundMailBy(ctx, "key", m.Key)
	if err != nil {
		return nil, false, err
	}
	return old, true, nil
}

// saveInboundOneStatement is the PostgreSQL form for a mail that fits one
// blob chunk: row and bytes in one statement, one round trip instead of four
// (BEGIN, two INSERTs, COMMIT). SQLite has no data-modifying CTEs.
//
// Its commit does not wait for the disk (synchronous_commit off for this
// one transaction, set_config's third argument): the mail's source still
// holds the mail until the pipeline's own outcome commits, and that commit
// waits for the write-ahead log up to its own record, which comes after
// this one. So the raw bytes are on disk before any source lets go of the
// mail, one disk flush per mail sooner. A server crash in between loses
// the row and the source delivers the mail again.
func (db *DB) saveInboundOneStatement(ctx context.Context, m *InboundMail, raw []byte, doc *SearchDoc) (bool, error) {
	var id int64
	var text string
	docCol, args := `''`, []any{m.Key, m.SESID, m.Sender, m.Recipients, m.Size, m.BlobKey, m.Verdicts, m.Status, m.ReceivedAt,
		m.BlobKey, m.Size, raw, m.ReceivedAt}
	if doc != nil {
		docCol, args = `CAST(to_tsvector('simple', CAST(? AS TEXT) || ' ' || CAST(? AS TEXT)) AS TEXT)`, append(args, doc.Subject, doc.Visible)
	}
	err := db.X.QueryRowxContext(ctx, db.q(`WITH lazy AS (SELECT set_config('synchronous_commit', 'off', true)),
		m AS (
			INSERT INTO inbound_mail (key, ses_id, sender, recipients, size, blob_key, verdicts, status, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id),
		b AS (
			INSERT INTO blobs (key, seq, size, data, created_at)
			SELECT ?, 0, ?, ?, ? WHERE EXISTS (SELECT 1 FROM m) ON CONFLICT (key, seq) DO NOTHING)
		SELECT id, `+docCol+` FROM m, lazy`), args...).Scan(&id, &text)
	if err == sqlErrNoRows {
		return false, nil // received before; its bytes are stored already
	}
	if err != nil {
		return false, err
	}
	m.ID = id
	if doc != nil {
		doc.Doc = text
	}
	return true, nil
}

func (db *DB) saveInboundTx(ctx context.Context, m *InboundMail, raw []byte, inDB *dbBlobs) (inserted bool, err error) {
	err = db.InTx(ctx, func(tx *Tx) error {
		var id int64
		err := tx.QueryRowxContext(ctx, tx.q(`INSERT INTO inbound_mail (key, ses_id, sender, recipients, size, blob_key, verdicts, status, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id`),
			m.Key, m.SESID, m.Sender, m.Recipients, m.Size, m.BlobKey, m.Verdicts, m.Status, m.ReceivedAt).Scan(&id)
		if err == sqlErrNoRows {
			return nil // received before; its bytes are stored already
		}
		if err != nil {
			return err
		}
		m.ID, inserted = id, true
		if inDB != nil {
			return inDB.putTx(ctx, tx, m.BlobKey, raw)
		}
		return nil
	})
	return inserted, err
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
// Once retention (or an erasure) deleted the bytes, it says so.
func (db *DB) InboundRaw(ctx context.Context, m *InboundMail) ([]byte, error) {
	if m.BlobKey == "" {
		return nil, fmt.Errorf("store: inbound mail %d: %w", m.ID, ErrRawDeleted)
	}
	return db.Blobs.Get(ctx, m.BlobKey)
}

// ErrRawDeleted is a raw mail whose bytes retention or an erasure deleted.
var ErrRawDeleted = errors.New("raw mail deleted (kept DARGO_RAW_MAIL_DAYS days, or erased)")

// Outcome is what became of an inbound mail.
type Outcome struct {
	Status    string // processed or quarantined
	Action    string // created, appended, duplicate, ignored, quarantined, bounce
	Reason    string
	TicketID  *int64
	MessageID *int64
}

// ErrProcessed is returned when another consumer already finished an
// inbound mail (SQS redelivers while the first consumer is still at work);
// nothing was changed.
var ErrProcessed = errors.New("store: inbound mail already processed")

// FinishInboundMail records the outcome of an inbound mail that wrote no
// message. It never overwrites a processed row: ErrProcessed says another
// consumer won the race.
func (db *DB) FinishInboundMail(ctx context.Context, id int64, o Outcome) error {
	return db.InTx(ctx, func(tx *Tx) error { return tx.finishInbound(ctx, id, o) })
}

func (tx *Tx) finishInbound(ctx context.Context, id int64, o Outcome) error {
	res, err := tx.ExecContext(ctx, tx.q(`UPDATE inbound_mail SET status = ?, action = ?, reason = ?, ticket_id = ?, message_id = ?, processed_at = ?
		WHERE id = ? AND status <> 'processed'`), o.Status, o.Action, o.Reason, o.TicketID, o.MessageID, tx.db.Now(), id)
	if err != nil {
		return fmt.Errorf("store: finish inbound mail %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("store: finish inbound mail %d: %w", id, ErrProcessed)
	}
	return nil
}

// Quarantined lists quarantined inbound mail, oldest first.
func (db *DB) Quarantined(ctx context.Context, limit int) ([]InboundMail, error) {
	var out []InboundMail
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM inbound_mail WHERE status = 'quarantined' AND blob_key <> '' ORDER BY id LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("store: list quarantine: %w", err)
	}
	return out, nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// StagedFile is a file a form accepted and has not sent yet, kept against
// its owner's draft on a ticket (0: the new-ticket form).
type StagedFile struct {
	ID          int64     `db:"id"`
	UserID      int64     `db:"user_id"`
	TicketID    int64     `db:"ticket_id"`
	Filename    string    `db:"filename"`
	ContentType string    `db:"content_type"`
	Size        int64     `db:"size"`
	BlobKey     string    `db:"blob_key"`
	CreatedAt   time.Time `db:"created_at"`
}

// StageFiles keeps files for the person's draft on the ticket and returns
// their rows. Bytes in the database commit with the rows; in an object
// store they are put first (a rolled-back row leaves at most an orphan).
func (db *DB) StageFiles(ctx context.Context, userID, ticketID int64, files []NewAttachment) ([]StagedFile, error) {
	out := make([]StagedFile, 0, len(files))
	inDB := db.blobsInDB()
	for _, f := range files {
		if inDB == nil {
			if err := db.Blobs.Put(ctx, BlobKey("stage", f.Data), f.Data); err != nil {
				return nil, fmt.Errorf("store: stage file: %w", err)
			}
		}
	}
	now := db.Now()
	err := db.InTx(ctx, func(tx *Tx) error {
		for _, f := range files {
			s := StagedFile{UserID: userID, TicketID: ticketID, Filename: f.Filename, ContentType: f.ContentType,
				Size: int64(len(f.Data)), BlobKey: BlobKey("stage", f.Data), CreatedAt: now}
			if inDB != nil {
				if err := inDB.putTx(ctx, tx, s.BlobKey, f.Data); err != nil {
					return err
				}
			}
			err := tx.QueryRowxContext(ctx, tx.q(`INSERT INTO staged_files (user_id, ticket_id, filename, content_type, size, blob_key, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), userID, ticketID, s.Filename, s.ContentType, s.Size, s.BlobKey, now).Scan(&s.ID)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: stage files: %w", err)
	}
	return out, nil
}

// StagedFiles returns the files kept for the person's draft on the ticket,
// in the order they came.
func (db *DB) StagedFiles(ctx context.Context, userID, ticketID int64) ([]StagedFile, error) {
	var out []StagedFile
	if err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM staged_files WHERE user_id = ? AND ticket_id = ? ORDER BY id`),
		userID, ticketID); err != nil {
		return nil, fmt.Errorf("store: staged files: %w", err)
	}
	return out, nil
}

// StagedAttachments reads the bytes of staged files, to send them.
func (db *DB) StagedAttachments(ctx context.Context, files []StagedFile) ([]NewAttachment, error) {
	out := make([]NewAttachment, len(files))
	for i, f := range files {
		data, err := db.Blobs.Get(ctx, f.BlobKey)
		if err != nil {
			return nil, fmt.Errorf("store: staged file %d: %w", f.ID, err)
		}
		out[i] = NewAttachment{Filename: f.Filename, ContentType: f.ContentType, Data: data}
	}
	return out, nil
}

// UnstageFile removes one of the person's staged files with its bytes and
// returns it; another person's file, or one already gone, is ErrNotFound.
func (db *DB) UnstageFile(ctx context.Context, userID, id int64) (*StagedFile, error) {
	var f StagedFile
	err := db.X.GetContext(ctx, &f, db.q(`SELECT * FROM staged_files WHERE id = ? AND user_id = ?`), id, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: unstage file: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unstage file: %w", err)
	}
	if err := db.dropStaged(ctx, []blobRow{{ID: f.ID, Key: f.BlobKey}}); err != nil {
		return nil, fmt.Errorf("store: unstage file: %w", err)
	}
	return &f, nil
}

// dropStaged deletes staged rows, their bytes first unless another staged
// row holds the same file (keys are content addresses).
func (db *DB) dropStaged(ctx context.Context, rows []blobRow) error {
	if len(rows) == 0 {
		return nil
	}
	if err := db.deleteBlobs(ctx, "staged_files", rows); err != nil {
		return err
	}
	_, err := db.execIn(ctx, `DELETE FROM staged_files WHERE id IN (?)`, rowIDs(rows))
	return err
}

func stagedRows(files []StagedFile) []blobRow {
	rows := make([]blobRow, len(files))
	for i, f := range files {
		rows[i] = blobRow{ID: f.ID, Key: f.BlobKey}
	}
	return rows
}

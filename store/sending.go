package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Email returns the emails row with this id.
func (db *DB) Email(ctx context.Context, id int64) (*Email, error) {
	var e Email
	if err := db.X.GetContext(ctx, &e, db.q(`SELECT * FROM emails WHERE id = ?`), id); err != nil {
		return nil, notFound(err, fmt.Sprintf("email %d", id))
	}
	return &e, nil
}

// Outgoing is everything needed to compose one mail.
type Outgoing struct {
	Email       Email
	User        *User        // the recipient, when known
	Ticket      *Ticket      // nil for mails about no ticket (magic links)
	Message     *Message     // the staff reply a reply notification carries
	Author      StaffProfile // how the reply's writer signs (empty: as the team)
	Attachments []File       // the reply's files
	History     []Message
	ThreadIDs   []string // the ticket's Message-IDs, oldest first (References)
	InReplyTo   string   // the newest Message-ID the customer sent, else the newest of the thread
	Sealed      string   // the sealed secret the mail carries (a magic link), until it is sent
	Forward     *Forward // a forward's mail: its note and id (the reply address)
	Rate        bool     // a resolution mail to the customer: it carries rating links (ratings.go)
}

// File is an attachment with its bytes.
type File struct {
	Attachment
	Data []byte
}

// historyLen is how many earlier messages a notification quotes.
const historyLen = 3

// Outgoing gathers what the mail for an emails row says.
func (db *DB) Outgoing(ctx context.Context, emailID int64) (*Outgoing, error) {
	e, err := db.Email(ctx, emailID)
	if err != nil {
		return nil, err
	}
	o := &Outgoing{Email: *e}
	var payloads []string
	if err := db.X.SelectContext(ctx, &payloads, db.q(`SELECT payload FROM outbox WHERE email_id = ?`), emailID); err != nil {
		return nil, fmt.Errorf("store: outgoing payload: %w", err)
	}
	for _, p := range payloads {
		var v struct {
			Sealed string `json:"sealed"`
		}
		if json.Unmarshal([]byte(p), &v) == nil && v.Sealed != "" {
			o.Sealed = v.Sealed
		}
	}
	if e.UserID != nil {
		var u User
		if err := db.X.GetContext(ctx, &u, db.q(`SELECT * FROM users WHERE id = ?`), *e.UserID); err != nil {
			return nil, notFound(err, "outgoing user")
		}
		o.User = &u
	}
	if e.ForwardID != nil {
		if o.Forward, err = db.ForwardOf(ctx, *e.ForwardID); err != nil {
			return nil, err
		}
	}
	if e.TicketID == nil {
		return o, nil
	}
	if o.Ticket, err = db.Ticket(ctx, *e.TicketID); err != nil {
		return nil, err
	}
	if o.Rate, err = db.rateable(ctx, o); err != nil {
		return nil, err
	}
	if e.MessageID != nil {
		var m Message
		if err := db.X.GetContext(ctx, &m, db.q(`SELECT * FROM messages WHERE id = ?`), *e.MessageID); err != nil {
			return nil, notFound(err, "outgoing message")
		}
		o.Message = &m
		if m.Kind == MessageOutbound && m.AuthorID != nil {
			if o.Author, err = db.replyAuthor(ctx, *m.AuthorID); err != nil {
				return nil, err
			}
		}
		atts, err := db.Attachments(ctx, m.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range atts {
			data, err := db.Blobs.Get(ctx, a.BlobKey)
			if err != nil {
				return nil, fmt.Errorf("store: outgoing attachment %d: %w", a.ID, err)
			}
			o.Attachments = append(o.Attachments, File{Attachment: a, Data: data})
		}
	}
	before := db.Now().Add(time.Hour)
	var beforeID int64 = 1<<63 - 1
	if o.Message != nil {
		before, beforeID = o.Message.CreatedAt, o.Message.ID
	}
	err = db.X.SelectContext(ctx, &o.History, db.q(`SELECT * FROM messages WHERE ticket_id = ? AND kind <> 'note' AND NOT auto
		AND (created_at < ? OR (created_at = ? AND id < ?)) ORDER BY created_at DESC, id DESC LIMIT ?`),
		o.Ticket.ID, before, before, beforeID, historyLen)
	if err != nil {
		return nil, fmt.Errorf("store: outgoing history: %w", err)
	}
	if o.ThreadIDs, err = db.ThreadIDs(ctx, o.Ticket.ID, 20); err != nil {
		return nil, err
	}
	var last []string
	err = db.X.SelectContext(ctx, &last, db.q(`SELECT message_id FROM messages WHERE ticket_id = ? AND kind = 'inbound' AND message_id <> ''
		ORDER BY created_at DESC, id DESC LIMIT 1`), o.Ticket.ID)
	if err != nil {
		return nil, fmt.Errorf("store: outgoing in-reply-to: %w", err)
	}
	if len(last) > 0 {
		o.InReplyTo = last[0]
	} else if n := len(o.ThreadIDs); n > 0 {
		o.InReplyTo = o.ThreadIDs[n-1]
	}
	return o, nil
}

// Sent is what a sender reports for a delivered mail.
type Sent struct {
	HeaderID string // the Message-ID we minted
	SESID    string // the id SES assigned ("" for the dev outbox)
}

// ErrNotQueued is returned when an email is no longer queued: it was sent,
// failed or was suppressed already, so it must not be sent again.
var ErrNotQueued = errors.New("store: email is not queued")

// MarkEmailSent records a sent mail and files its Message-IDs (ours and the
// one SES gave it) among the ticket's thread ids, so replies thread.
func (db *DB) MarkEmailSent(ctx context.Context, id int64, s Sent) error {
	return db.InTx(ctx, func(tx *Tx) error {
		now := db.Now()
		res, err := tx.ExecContext(ctx, tx.q(`UPDATE emails SET status = 'sent', ses_id = ?, header_id = ?, sent_at = ?,
			attempts = CASE WHEN attempts = 0 THEN 1 ELSE attempts END, sending_at = NULL
			WHERE id = ? AND status = 'queued'`), s.SESID, s.HeaderID, now, id)
		if err != nil {
			return fmt.Errorf("store: mark email sent: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: mark email %d sent: %w", id, ErrNotQueued)
		}
		if err := tx.forgetSealed(ctx, id); err != nil {
			return err
		}
		var row struct {
			Ticket *int64 `db:"ticket_id"`
			Kind   string `db:"kind"`
		}
		if err := tx.GetContext(ctx, &row, tx.q(`SELECT ticket_id, kind FROM emails WHERE id = ?`), id); err != nil {
			return fmt.Errorf("store: mark email sent: %w", err)
		}
		// A staff notice's ids stay out of the ticket's thread: staff answer
		// it through their own reply address, and a forwarded notice must
		// not route anybody's mail into the ticket. Nor do a forward's: its
		// answer comes back by the forward's own address only.
		ticket := row.Ticket
		if ticket == nil || row.Kind == EmailStaffNotice || row.Kind == EmailForward {
			return nil
		}
		if s.HeaderID != "" {
			if _, err := tx.addThreadID(ctx, *ticket, s.HeaderID, "minted", now); err != nil {
				return err
			}
		}
		if s.SESID != "" {
			if _, err := tx.addThreadID(ctx, *ticket, SESMessageID(s.SESID), "ses", now); err != nil {
				return err
			}
		}
		return nil
	})
}

// MarkEmailFailed records a mail that will not be sent (status failed, or
// suppressed when the address is on the suppression list).
func (db *DB) MarkEmailFailed(ctx context.Context, id int64, status, reason string) error {
	err := db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, tx.q(`UPDATE emails SET status = ?, reason = ?, sending_at = NULL WHERE id = ? AND status = 'queued'`), status, reason, id)
		if err != nil {
			return err
		}
		return tx.forgetSealed(ctx, id)
	})
	if err != nil {
		return fmt.Errorf("store: mark email %d %s: %w", id, status, err)
	}
	return nil
}

// forgetSealed drops the sealed secret of a mail that will not be sent again.
func (tx *Tx) forgetSealed(ctx context.Context, emailID int64) error {
	_, err := tx.ExecContext(ctx, tx.q(`UPDATE outbox SET payload = ? WHERE email_id = ?`), outboxPayload(emailID, ""), emailID)
	if err != nil {
		return fmt.Errorf("store: forget sealed payload: %w", err)
	}
	return nil
}

// MarkEmailBounced records a bounce or complaint that SES reported for the
// mail it sent with this id; it reports whether such a mail was found.
func (db *DB) MarkEmailBounced(ctx context.Context, sesID, reason string) (bool, error) {
	res, err := db.X.ExecContext(ctx, db.q(`UPDATE emails SET status = 'failed', reason = ? WHERE ses_id = ? AND ses_id <> ''`), reason, sesID)
	if err != nil {
		return false, fmt.Errorf("store: mark email bounced: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// NoteEmailDelay records a transient delivery problem (a soft bounce) on the
// mail SES sent with this id, leaving its status alone; it reports whether
// such a mail was found.
func (db *DB) NoteEmailDelay(ctx context.Context, sesID, reason string) (bool, error) {
	res, err := db.X.ExecContext(ctx, db.q(`UPDATE emails SET reason = ? WHERE ses_id = ? AND ses_id <> ''`), reason, sesID)
	if err != nil {
		return false, fmt.Errorf("store: note email delay: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// QueueMagicLink records a sign-in mail and its outbox row in one
// transaction. The link arrives sealed (internal/seal): the database never
// holds a usable token, and the sealed copy is dropped once the mail is sent.
func (db *DB) QueueMagicLink(ctx context.Context, userID *int64, to, sealedLink string) (int64, error) {
	var id int64
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		id, _, err = tx.queueEmail(ctx, QueuedEmail{UserID: userID, To: to, Kind: EmailMagicLink, Subject: "Your sign-in link",
			Auto: true, Sealed: sealedLink})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: queue magic link: %w", err)
	}
	return id, nil
}

package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrDuplicate is returned by RecordInbound when the message's Message-ID is already
// recorded; nothing was written.
var ErrDuplicate = errors.New("store: duplicate message")

// Person is an address with a display name.
type Person struct {
	Email string
	Name  string
}

// NewMessage is a message to add to a ticket.
type NewMessage struct {
	Kind        string // inbound, outbound or note
	Source      string // email or web
	MessageID   string // Message-ID without brackets; recorded among the ticket's thread ids
	Subject     string
	Text        string
	VisibleText string
	HTML        string
	Auto        bool
	// SenderAuth is SenderVerified or SenderUnverified ("" is unverified);
	// only a verified sender's Cc become participants.
	SenderAuth       string
	SenderAuthReason string
	// Search is the message's search document computed beforehand
	// (SaveInboundMailAndDoc); used on PostgreSQL when it was computed from
	// this Subject and VisibleText, else the database computes it.
	Search *SearchDoc
}

// SearchDoc is a message's search document computed ahead of its insert:
// PostgreSQL's to_tsvector('simple', Subject || ' ' || Visible) as text.
type SearchDoc struct {
	Subject, Visible string
	Doc              string // "" until computed
}

// For says whether the document was computed for message m's text.
func (s *SearchDoc) For(m *NewMessage) bool {
	return s != nil && s.Doc != "" && s.Subject == m.Subject && s.Visible == m.VisibleText
}

// NewAttachment is a file to store with a message.
type NewAttachment struct {
	Filename    string
	ContentType string
	ContentID   string
	Inline      bool
	Data        []byte
}

// Incoming is everything one inbound mail changes, written in one transaction.
type Incoming struct {
	InboundMailID int64  // the inbound_mail row to mark processed; 0 when none
	TicketID      int64  // the ticket to append to; 0 opens a new one
	From          Person // the author; created as a customer on first mail
	// Cc become participants when the sender is verified and is the ticket's
	// customer, at most MaxCc new ones per mail; the rest become suggestions
	// staff accept or dismiss.
	Cc          []Person
	MaxCc       int    // 0 is DefaultMaxCc; < 0 adds nobody
	Subject     string // a new ticket's subject
	Category    string // a new ticket's category
	Priority    string // a new ticket's priority; "" is normal
	Message     NewMessage
	Attachments []NewAttachment
	// Reopen sets a pending, resolved or closed ticket back to open.
	Reopen bool
	// Confirm queues a confirmation mail to the author of a new ticket.
	Confirm bool
	// Flag marks the message (and a new ticket) as needing a look: spam, dmarc.
	Flag string
	// Key is a web form's idempotency key: a second delivery with the same
	// key from the same person writes nothing and answers with the first.
	Key string
	// AutoCap limits automatic mails to one address within AutoWindow; 0 is no cap.
	AutoCap    int
	AutoWindow time.Duration
	// Language is the mail's language (internal/i18n), recorded for its
	// author when none is yet; "" when unknown.
	Language string

	// Route, for an inbound mail (InboundMailID set), is resolved in the
	// transaction and sets TicketID; nil keeps TicketID.
	Route *InboundRoute

	followUpOf int64 // the long-closed ticket a new one follows up (reopen.go)
}

// Recorded tells what RecordInbound wrote.
type Recorded struct {
	Created      bool
	TicketID     int64
	TicketNumber int64
	MessageID    int64
	// ConfirmStatus is the confirmation's email status (queued or suppressed), "" when none.
	ConfirmStatus string
	// Ignored says why the route's Decide wrote no message; the inbound
	// mail is recorded as ignored.
	Ignored string

	followers  []int64 // the ticket's followers, when read with the message (known)
	known      bool
	staff      []staffRow // every staff member, when read with a new ticket's message (staffKnown)
	staffKnown bool
}

// RecordInbound writes a delivery in one transaction: user, participants, ticket,
// message, attachments and their bytes, thread id, confirmation outbox and
// emails rows, and the inbound mail's outcome.
func (db *DB) RecordInbound(ctx context.Context, d *Incoming) (*Recorded, error) {
	keys, err := db.stageFiles(ctx, d.Attachments)
	if err != nil {
		return nil, err
	}
	var out Recorded
	err = db.inTxRetry(ctx, func(tx *Tx) error {
		out = Recorded{}
		return tx.deliver(ctx, d, keys, &out)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (tx *Tx) deliver(ctx context.Context, d *Incoming, keys []string, out *Recorded) error {
	now := tx.db.Now()
	ignore, err := tx.claimAndRoute(ctx, d, now)
	if err != nil || ignore != "" {
		out.Ignored = ignore
		return err
	}
	if tx.db.Dialect == Postgres && d.InboundMailID != 0 && d.Key == "" {
		return tx.recordMail(ctx, d, keys, out, now)
	}
	author, err := tx.upsertUser(ctx, d.From, now)
	if err != nil {
		return err
	}
	if err := tx.firstLanguage(ctx, author, d.Language); err != nil {
		return err
	}
	if first, err := tx.claimReplyKey(ctx, author, d.Key, now); err != nil || first != 0 {
		if err == nil {
			out.MessageID = first
			err = tx.QueryRowxContext(ctx, tx.q(`SELECT t.id, t.number FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.id = ?`),
				first).Scan(&out.TicketID, &out.TicketNumber)
		}
		return err
	}
	var t Ticket
	if d.TicketID == 0 {
		if err := tx.createTicket(ctx, &t, author, d, now); err != nil {
			return err
		}
		out.Created = true
	} else if t, err = tx.liveTicket(ctx, d.TicketID); err != nil {
		return err
	} else if old, err := tx.followUp(ctx, &t, author, d, now); err != nil {
		return err
	} else if old != nil {
		if err := tx.openFollowUp(ctx, &t, *old, author, d, now); err != nil {
			return err
		}
		out.Created = true
	}
	return tx.recordMessage(ctx, d, keys, out, t, author, nil, false, now)
}

// recordMessage writes the message of d on ticket t, and what comes with it.
// removed, when not nil, says who staff removed from the ticket (read with
// the ticket already); a joined author is a participant already, and so is
// a member (read with the ticket too).
func (tx *Tx) recordMessage(ctx context.Context, d *Incoming, keys []string, out *Recorded, t Ticket, author int64, removed map[int64]bool, member bool, now time.Time) error {
	var err error
	out.TicketID, out.TicketNumber = t.ID, t.Number
	// Only a verified sender joins a ticket by writing to it (a reply
	// address can leak); anyone else is suggested to staff below.
	// Someone staff removed stays out until staff add them again.
	joined := removed != nil && out.Created || member
	if removed == nil {
		removed = map[int64]bool{} // nobody was removed from a new ticket yet
		if !out.Created {
			if removed, err = tx.removedFrom(ctx, t.ID, author); err != nil {
				return err
			}
		}
	}
	joins := (out.Created || d.Message.SenderAuth == SenderVerified) && !removed[author]
	if joins && !joined {
		if err := tx.addParticipant(ctx, t.ID, author, roleFor(t, author), now); err != nil {
			return err
		}
	}
	finished, touched, policy := false, false, int64(-1)
	if tx.db.Dialect == Postgres && d.InboundMailID != 0 {
		status := "" // a new ticket's timestamps are fresh already
		if !out.Created {
			status = touchStatus(t, d)
		}
		var confirm *QueuedEmail
		if d.Confirm && out.Created {
			confirm = &QueuedEmail{UserID: &author, To: d.From.Email, Kind: EmailConfirmation, TicketID: &t.ID,
				Subject: t.Subject, Auto: true, Cap: d.AutoCap, Window: d.AutoWindow}
		}
		if out.MessageID, policy, err = tx.insertInboundMessage(ctx, t.ID, author, d, out, status, confirm, now); err != nil {
			return err
		}
		finished, touched = true, !out.Created
	} else {
		if d.Message.MessageID != "" {
			ok, err := tx.addThreadID(ctx, t.ID, d.Message.MessageID, "inbound", now)
			if err != nil {
				return err
			}
			if !ok {
				return ErrDuplicate
			}
		}
		if out.MessageID, err = tx.insertMessage(ctx, t.ID, author, d, now); err != nil {
			return err
		}
	}
	if err := tx.keyReply(ctx, author, d.Key, out.MessageID); err != nil {
		return err
	}
	if err := tx.addFiles(ctx, out.MessageID, d.Attachments, keys, now); err != nil {
		return err
	}
	if !joins && !removed[author] && !member {
		if err := tx.suggestAuthor(ctx, t.ID, author, out.MessageID, d.From, now); err != nil {
			return err
		}
	}
	if err := tx.addCcs(ctx, t, author, out.MessageID, d, now); err != nil {
		return err
	}
	if touched {
		if err := tx.afterTouch(ctx, &t, d, author, touchStatus(t, d), now); err != nil {
			return err
		}
	} else if !out.Created { // a new ticket's timestamps are fresh already
		if err := tx.touchTicket(ctx, &t, d, author, now); err != nil {
			return err
		}
	}
	if policy != 0 { // 0: no policy fits, and the statement above removed any SLA row
		if err := tx.syncSLA(ctx, t.ID); err != nil {
			return err
		}
	}
	if d.Confirm && out.Created && !finished {
		mail := QueuedEmail{UserID: &author, To: d.From.Email, Kind: EmailConfirmation, TicketID: &t.ID,
			Subject: t.Subject, Auto: true, Cap: d.AutoCap, Window: d.AutoWindow}
		if out.ConfirmStatus, err = tx.QueueEmail(ctx, mail); err != nil {
			return err
		}
	}
	if err := tx.tellStaff(ctx, t, d, author, out); err != nil {
		return err
	}
	if d.InboundMailID != 0 && !finished {
		action := "appended"
		if out.Created {
			action = "created"
		}
		return tx.finishInbound(ctx, d.InboundMailID, Outcome{Status: "processed", Action: action, TicketID: &t.ID, MessageID: &out.MessageID})
	}
	return nil
}

func roleFor(t Ticket, userID int64) string {
	if t.CustomerID == userID {
		return "customer"
	}
	return "cc"
}

// upsertUser finds or makes the person with this address: the one a
// merged record's address now belongs to (merged_into), if it was merged.
func (tx *Tx) upsertUser(ctx context.Context, p Person, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRowxContext(ctx, tx.q(`INSERT INTO users (email, name, role, created_at, updated_at) VALUES (?, ?, 'customer', ?, ?)
		ON CONFLICT (email) DO UPDATE SET name = CASE WHEN users.name = '' THEN excluded.name ELSE users.name END
		RETURNING COALESCE(merged_into, id)`), NormalizeEmail(p.Email), p.Name, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: upsert user: %w", err)
	}
	return id, nil
}

func (tx *Tx) createTicket(ctx context.Context, t *Ticket, customer int64, d *Incoming, now time.Time) error {
	category, priority := d.Category, d.Priority
	if category == "" {
		category = "general"
	}
	if priority == "" {
		priority = "normal"
	}
	var followUp *int64
	if d.followUpOf != 0 {
		followUp = &d.followUpOf
	}
	// The channel is the source of d's message, which RecordInbound inserts next
	// (reports count tickets by it).
	err := tx.QueryRowxContext(ctx, tx.q(`INSERT INTO tickets (number, customer_id, subject, status, priority, category, flag, created_at, updated_at, last_activity_at, status_at, follow_up_of, channel)
		VALUES (`+tx.nextNumber()+`, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`), customer, d.Subject, priority, category, d.Flag, now, now, now, now, followUp, channelOf(d.Message.Source)).StructScan(t)
	if err != nil {
		return fmt.Errorf("store: create ticket: %w", err)
	}
	return nil
}

// nextNumber is the SQL for the next ticket number, which differs by
// dialect: PostgreSQL has a sequence; SQLite serializes writers, so the
// number after the highest is safe there.
func (tx *Tx) nextNumber() string {
	if tx.db.Dialect == Postgres {
		return `nextval('ticket_numbers')`
	}
	return `(SELECT COALESCE(MAX(number), 0) + 1 FROM tickets)`
}

func (tx *Tx) addParticipant(ctx context.Context, ticketID, userID int64, role string, now time.Time) error {
	_, err := tx.ExecContext(ctx, tx.q(`INSERT INTO participants (ticket_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (ticket_id, user_id) DO NOTHING`), ticketID, userID, role, now)
	if err != nil {
		return fmt.Errorf("store: add participant: %w", err)
	}
	return nil
}

// addThreadID records a Message-ID for a ticket; false when it was already known.
func (tx *Tx) addThreadID(ctx context.Context, ticketID int64, messageID, origin string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, tx.q(`INSERT INTO thread_ids (message_id, ticket_id, origin, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (message_id) DO NOTHING`), CanonicalID(messageID), ticketID, origin, now)
	if err != nil {
		return false, fmt.Errorf("store: add thread id: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: add thread id: %w", err)
	}
	return n == 1, nil
}

func (tx *Tx) insertMessage(ctx context.Context, ticketID, author int64, d *Incoming, now time.Time) (int64, error) {
	m := d.Message
	var inboundID *int64
	if d.InboundMailID != 0 {
		inboundID = &d.InboundMailID
	}
	var id int64
	auth := m.SenderAuth
	if auth != SenderVerified {
		auth = SenderUnverified // fail closed
	}
	err := tx.QueryRowxContext(ctx, tx.q(`INSERT INTO messages (ticket_id, author_id, kind, source, message_id, subject, text, visible_text, html, auto, flag, inbound_mail_id, created_at, sender_auth, sender_auth_reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		ticketID, author, m.Kind, m.Source, m.MessageID, m.Subject, m.Text, m.VisibleText, m.HTML, m.Auto, d.Flag, inboundID, now, auth, m.SenderAuthReason).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: insert message: %w", err)
	}
	if err := tx.refreshRow(ctx, ticketID); err != nil {
		return 0, err
	}
	return id, nil
}

// touchTicket records activity; automatic messages never change the status.
func (tx *Tx) touchTicket(ctx context.Context, t *Ticket, d *Incoming, author int64, now time.Time) error {
	status := touchStatus(*t, d)
	_, err := tx.ExecContext(ctx, tx.q(`UPDATE tickets SET status = ?, updated_at = ?, last_activity_at = ? WHERE id = ?`), status, now, now, t.ID)
	if err != nil {
		return fmt.Errorf("store: touch ticket: %w", err)
	}
	return tx.afterTouch(ctx, t, d, author, status, now)
}

// touchStatus is the status a ticket has after d's message.
func touchStatus(t Ticket, d *Incoming) string {
	if d.Reopen && !d.Message.Auto && t.Status != "open" {
		return "open"
	}
	return t.Status
}

// afterTouch records what the touch to status changed, once the ticket's
// row has it.
func (tx *Tx) afterTouch(ctx context.Context, t *Ticket, d *Incoming, author int64, status string, now time.Time) error {
	if status != t.Status {
		// The customer's answer reopened it: the history says who did.
		if err := tx.recordActivity(ctx, t.ID, author, "status", t.Status, status, now); err != nil {
			return err
		}
		t.Status = status
		if err := tx.statusChanged(ctx, t, now); err != nil {
			return err
		}
	}
	if !d.Message.Auto && d.Message.Kind == "inbound" {
		// Their answer brings a snoozed ticket back; the customer-reply
		// notice tells its followers.
		return tx.wake(ctx, t, author, now, "customer")
	}
	return nil
}

// tellStaff tells staff of a customer's message: a new ticket to everyone
// who hears of its category, an answer to the ticket's assignee and
// followers. Automatic mail and spam tell nobody.
func (tx *Tx) tellStaff(ctx context.Context, t Ticket, d *Incoming, author int64, out *Recorded) error {
	if !tellsStaff(d) {
		return nil
	}
	if out.Created {
		n := notice{kind: NoticeNewTicket, ticket: t, message: out.MessageID, actor: author}
		if out.staffKnown {
			return tx.tellRows(ctx, n, out.staff)
		}
		return tx.tellEveryone(ctx, n)
	}
	if !out.known {
		return tx.tellCustomerMessage(ctx, t, author, out.MessageID)
	}
	users := out.followers
	if t.AssigneeID != nil && !slices.Contains(users, *t.AssigneeID) {
		users = append(users, *t.AssigneeID)
	}
	return tx.tell(ctx, notice{kind: NoticeCustomerReply, ticket: t, message: out.MessageID, actor: author}, users)
}

// tellsStaff says whether d's message is one tellStaff tells of:
// automatic mail and spam tell nobody.
func tellsStaff(d *Incoming) bool {
	return !d.Message.Auto && d.Message.Kind == "inbound" && d.Flag != "spam"
}

// insertInboundMessage is PostgreSQL's one statement for an inbound mail's
// thread id, message and outcome (ErrDuplicate when its Message-ID is known
// already), the ticket's row for the inbox, its touch (to status; "" for a
// new ticket, fresh already) and its SLA policy's id (0 when none fits, and
// then its SLA row goes). The ticket is locked already: created in this
// transaction, or read FOR NO KEY UPDATE, so the messages counted here are
// all its others. It also reads the ticket's followers, for tellStaff, and
// queues confirm (when not nil) as queueEmail does.
func (tx *Tx) insertInboundMessage(ctx context.Context, ticketID, author int64, d *Incoming, out *Recorded, status string, confirm *QueuedEmail, now time.Time) (int64, int64, error) {
	created := out.Created
	m := d.Message
	auth := m.SenderAuth
	if auth != SenderVerified {
		auth = SenderUnverified // fail closed
	}
	action := "appended"
	if created {
		action = "created"
	}
	// The inbox row from the new message itself (this statement does not
	// see it among the messages): only for an inbound one, the newest of
	// every kind the row counts.
	rows := `INSERT INTO ticket_rows (ticket_id, messages, last_id, last_kind, last_at, preview, last_inbound_id)
			SELECT $2, (SELECT COUNT(*) FROM messages x WHERE x.ticket_id = $2 AND x.kind <> 'note') + 1,
				m.id, $5, $3, COALESCE(substr($10, 1, ` + strconv.Itoa(previewScan) + `), ''), m.id FROM m` + ticketRowsConflict
	if m.Kind != MessageInbound {
		rows = `SELECT 1`
	}
	args := []any{CanonicalID(m.MessageID), ticketID, now, author, m.Kind, m.Source, m.MessageID, m.Subject, m.Text, m.VisibleText, m.HTML, m.Auto,
		d.Flag, d.InboundMailID, auth, m.SenderAuthReason, action, status}
	mail, mailStatus := "", `''`
	if confirm != nil {
		ctes, more := queueEmailCTEs(*confirm, NormalizeEmail(confirm.To), nil, now, len(args), `EXISTS (SELECT 1 FROM m)`)
		mail, mailStatus, args = ",\n\t\t"+ctes, `COALESCE((SELECT status FROM ee), '')`, append(args, more...)
	}
	staff := `''`
	if created && tellsStaff(d) {
		staff = staffJSON
	}
	if m.Search.For(&m) { // handed over: the trigger of 0040 finds it and computes nothing
		args = append(args, m.Search.Doc)
		mail += ",\n\t\tfts AS (INSERT INTO messages_fts (message_id, doc) SELECT id, CAST($" + strconv.Itoa(len(args)) + " AS tsvector) FROM m)"
	}
	var id, policy int64
	var followers, staffList string
	err := tx.QueryRowxContext(ctx, `WITH th AS (
			INSERT INTO thread_ids (message_id, ticket_id, origin, created_at) SELECT $1, $2, 'inbound', $3 WHERE $1 <> ''
			ON CONFLICT (message_id) DO NOTHING RETURNING 1),
		m AS (
			INSERT INTO messages (ticket_id, author_id, kind, source, message_id, subject, text, visible_text, html, auto, flag, inbound_mail_id, created_at, sender_auth, sender_auth_reason)
			SELECT $2, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $3, $15, $16 WHERE $1 = '' OR EXISTS (SELECT 1 FROM th) RETURNING id),
		fin AS (
			UPDATE inbound_mail SET status = 'processed', action = $17, reason = '', ticket_id = $2, message_id = (SELECT id FROM m), processed_at = $3
			WHERE id = $14 AND EXISTS (SELECT 1 FROM m)),
		r AS (`+rows+`),
		touch AS (
			UPDATE tickets SET status = $18, updated_at = $3, last_activity_at = $3 WHERE id = $2 AND $18 <> '' AND EXISTS (SELECT 1 FROM m)),
		p AS (
			SELECT p.id FROM tickets t JOIN sla_policies p ON p.priority = t.priority AND p.category IN (t.category, '')
			WHERE t.id = $2 ORDER BY p.category DESC LIMIT 1),
		gone AS (DELETE FROM ticket_sla WHERE ticket_id = $2 AND NOT EXISTS (SELECT 1 FROM p) AND EXISTS (SELECT 1 FROM m))`+mail+`
		SELECT COALESCE((SELECT id FROM m), 0), COALESCE((SELECT id FROM p), 0),
			COALESCE((SELECT string_agg(CAST(user_id AS TEXT), ',' ORDER BY user_id) FROM followers WHERE ticket_id = $2), ''), `+mailStatus+`, `+staff,
		args...).Scan(&id, &policy, &followers, &out.ConfirmStatus, &staffList)
	if err != nil {
		return 0, 0, fmt.Errorf("store: insert message: %w", err)
	}
	if id == 0 {
		return 0, 0, ErrDuplicate
	}
	if m.Kind != MessageInbound {
		if err := tx.db.refreshRows(ctx, tx, `t.id = ?`, ticketID); err != nil {
			return 0, 0, err
		}
	}
	var users []int64
	for _, f := range strings.Split(followers, ",") {
		if f == "" {
			continue
		}
		u, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("store: insert message: follower %q: %w", f, err)
		}
		users = append(users, u)
	}
	out.followers, out.known = users, true
	if staff != `''` {
		if out.staff, err = staffRows(staffList); err != nil {
			return 0, 0, err
		}
		out.staffKnown = true
	}
	return id, policy, nil
}

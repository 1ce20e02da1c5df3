package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// NoticeItem is one event a staff notice tells of, with what it is about.
type NoticeItem struct {
	StaffEvent
	Ticket  *Ticket  // the ticket it is about (a digest's items differ)
	Actor   *User    // who caused it, nil for none (the scheduler)
	Author  *User    // the message's author, when it is about a message
	Message *Message // the message, nil for none
	Files   []Attachment
}

// StaffEvent is one row of staff_events.
type StaffEvent struct {
	ID        int64     `db:"id"`
	UserID    int64     `db:"user_id"`
	TicketID  int64     `db:"ticket_id"`
	Kind      string    `db:"kind"`
	MessageID *int64    `db:"message_id"`
	ActorID   *int64    `db:"actor_id"`
	Detail    string    `db:"detail"`
	EmailID   *int64    `db:"email_id"`
	CreatedAt time.Time `db:"created_at"`
}

// StaffNotice is everything a staff notice mail says: its events, oldest
// first, and who is on the ticket.
type StaffNotice struct {
	Items        []NoticeItem
	Customer     *User
	Participants []Participant
	Followers    []User
	Assignee     *User
	// Earlier are the Message-IDs of the notices this person got about this
	// ticket before, oldest first, so their mail client threads them.
	Earlier []string
}

// earlierNotices is how many earlier notices a notice's References name.
const earlierNotices = 10

// StaffNotice gathers what a staff notice or digest tells; o is its
// Outgoing. Who is on the ticket and earlier notices are a notice's only:
// a digest (no ticket) lists its items' tickets instead.
func (db *DB) StaffNotice(ctx context.Context, o *Outgoing) (*StaffNotice, error) {
	if o.User == nil || o.Ticket == nil && o.Email.Kind != EmailStaffDigest {
		return nil, fmt.Errorf("store: staff notice %d: no ticket or recipient: %w", o.Email.ID, ErrNotFound)
	}
	n := &StaffNotice{}
	var events []StaffEvent
	if err := db.X.SelectContext(ctx, &events, db.q(`SELECT * FROM staff_events WHERE email_id = ? ORDER BY id`), o.Email.ID); err != nil {
		return nil, fmt.Errorf("store: staff notice: %w", err)
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("store: staff notice %d: no events: %w", o.Email.ID, ErrNotFound)
	}
	tickets := map[int64]*Ticket{}
	if o.Ticket != nil {
		tickets[o.Ticket.ID] = o.Ticket
	}
	var ticketIDs, messageIDs, userIDs []int64
	for _, e := range events {
		if tickets[e.TicketID] == nil {
			ticketIDs = addID(ticketIDs, &e.TicketID)
		}
		messageIDs = addID(messageIDs, e.MessageID)
		userIDs = addID(userIDs, e.ActorID)
	}
	if err := loadByID(ctx, db, tickets, `SELECT * FROM tickets WHERE id IN (?)`, ticketIDs, func(t *Ticket) int64 { return t.ID }); err != nil {
		return nil, fmt.Errorf("store: staff notice tickets: %w", err)
	}
	messages := map[int64]*Message{}
	if err := loadByID(ctx, db, messages, `SELECT * FROM messages WHERE id IN (?)`, messageIDs, func(m *Message) int64 { return m.ID }); err != nil {
		return nil, fmt.Errorf("store: staff notice messages: %w", err)
	}
	files := map[int64][]Attachment{}
	if len(messageIDs) > 0 {
		query, args, err := sqlx.In(`SELECT * FROM attachments WHERE message_id IN (?) ORDER BY id`, messageIDs)
		if err != nil {
			return nil, fmt.Errorf("store: staff notice attachments: %w", err)
		}
		var all []Attachment
		if err := db.X.SelectContext(ctx, &all, db.q(query), args...); err != nil {
			return nil, fmt.Errorf("store: staff notice attachments: %w", err)
		}
		for _, a := range all {
			files[a.MessageID] = append(files[a.MessageID], a)
		}
	}
	for _, m := range messages {
		userIDs = addID(userIDs, m.AuthorID)
	}
	if o.Ticket != nil {
		userIDs = addID(addID(userIDs, &o.Ticket.CustomerID), o.Ticket.AssigneeID)
	}
	users := map[int64]*User{}
	if err := loadByID(ctx, db, users, `SELECT * FROM users WHERE id IN (?)`, userIDs, func(u *User) int64 { return u.ID }); err != nil {
		return nil, fmt.Errorf("store: staff notice users: %w", err)
	}
	user := func(id *int64) *User {
		if id == nil {
			return nil
		}
		return users[*id]
	}
	for _, e := range events {
		it := NoticeItem{StaffEvent: e, Ticket: tickets[e.TicketID], Actor: user(e.ActorID)}
		if e.MessageID != nil {
			it.Message = messages[*e.MessageID]
			it.Author = user(it.Message.AuthorID)
			it.Files = files[*e.MessageID]
		}
		n.Items = append(n.Items, it)
	}
	if o.Ticket == nil {
		return n, nil
	}
	n.Customer, n.Assignee = user(&o.Ticket.CustomerID), user(o.Ticket.AssigneeID)
	if err := db.X.SelectContext(ctx, &n.Participants, db.q(`SELECT p.user_id, u.email, u.name, p.role, u.erased_at, p.created_at
		FROM participants p JOIN users u ON u.id = p.user_id WHERE p.ticket_id = ? ORDER BY p.role = 'customer' DESC, u.email`), o.Ticket.ID); err != nil {
		return nil, fmt.Errorf("store: staff notice participants: %w", err)
	}
	var err error
	if n.Followers, err = db.Followers(ctx, o.Ticket.ID); err != nil {
		return nil, err
	}
	var earlier []Email
	err = db.X.SelectContext(ctx, &earlier, db.q(`SELECT * FROM emails WHERE user_id = ? AND ticket_id = ? AND kind = ? AND status = 'sent' AND id < ?
		ORDER BY id DESC LIMIT ?`), o.User.ID, o.Ticket.ID, EmailStaffNotice, o.Email.ID, earlierNotices)
	if err != nil {
		return nil, fmt.Errorf("store: staff notice earlier: %w", err)
	}
	for i := len(earlier) - 1; i >= 0; i-- {
		e := earlier[i]
		if e.SESID != "" {
			n.Earlier = append(n.Earlier, SESMessageID(e.SESID))
		} else if e.HeaderID != "" {
			n.Earlier = append(n.Earlier, e.HeaderID)
		}
	}
	return n, nil
}

// loadByID reads the rows whose ids are ids with query (one "IN (?)") into
// into, keyed by id; an id with no row is ErrNotFound.
func loadByID[T any](ctx context.Context, db *DB, into map[int64]*T, query string, ids []int64, id func(*T) int64) error {
	if len(ids) == 0 {
		return nil
	}
	query, args, err := sqlx.In(query, ids)
	if err != nil {
		return err
	}
	var rows []T
	if err := db.X.SelectContext(ctx, &rows, db.q(query), args...); err != nil {
		return err
	}
	for i := range rows {
		into[id(&rows[i])] = &rows[i]
	}
	for _, want := range ids {
		if into[want] == nil {
			return fmt.Errorf("id %d: %w", want, ErrNotFound)
		}
	}
	return nil
}

// addID adds *id to ids unless it is nil or there already.
func addID(ids []int64, id *int64) []int64 {
	if id == nil || slices.Contains(ids, *id) {
		return ids
	}
	return append(ids, *id)
}

package store

import (
	"context"
	"fmt"
	"time"
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
	users := map[int64]*User{}
	user := func(id *int64) (*User, error) {
		if id == nil {
			return nil, nil
		}
		if u, ok := users[*id]; ok {
			return u, nil
		}
		var u User
		if err := db.X.GetContext(ctx, &u, db.q(`SELECT * FROM users WHERE id = ?`), *id); err != nil {
			return nil, notFound(err, "staff notice user")
		}
		users[*id] = &u
		return &u, nil
	}
	tickets := map[int64]*Ticket{}
	for _, e := range events {
		it := NoticeItem{StaffEvent: e}
		var err error
		if it.Ticket = tickets[e.TicketID]; it.Ticket == nil {
			if it.Ticket, err = db.Ticket(ctx, e.TicketID); err != nil {
				return nil, err
			}
			tickets[e.TicketID] = it.Ticket
		}
		if it.Actor, err = user(e.ActorID); err != nil {
			return nil, err
		}
		if e.MessageID != nil {
			var m Message
			if err := db.X.GetContext(ctx, &m, db.q(`SELECT * FROM messages WHERE id = ?`), *e.MessageID); err != nil {
				return nil, notFound(err, "staff notice message")
			}
			it.Message = &m
			if it.Author, err = user(m.AuthorID); err != nil {
				return nil, err
			}
			if it.Files, err = db.Attachments(ctx, m.ID); err != nil {
				return nil, err
			}
		}
		n.Items = append(n.Items, it)
	}
	if o.Ticket == nil {
		return n, nil
	}
	var err error
	if n.Customer, err = user(&o.Ticket.CustomerID); err != nil {
		return nil, err
	}
	if n.Assignee, err = user(o.Ticket.AssigneeID); err != nil {
		return nil, err
	}
	if err := db.X.SelectContext(ctx, &n.Participants, db.q(`SELECT p.user_id, u.email, u.name, p.role, u.erased_at, p.created_at
		FROM participants p JOIN users u ON u.id = p.user_id WHERE p.ticket_id = ? ORDER BY p.role = 'customer' DESC, u.email`), o.Ticket.ID); err != nil {
		return nil, fmt.Errorf("store: staff notice participants: %w", err)
	}
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

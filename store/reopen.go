package store

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// maxFollowUps is the longest chain of follow-ups a mail is followed along.
const maxFollowUps = 10

// closedLongAgo reports whether a customer's answer to t opens a follow-up
// instead of reopening it: t was closed more than Lifecycle.Reopen ago.
func (db *DB) closedLongAgo(t Ticket, now time.Time) bool {
	return db.Lifecycle.Reopen > 0 && t.Status == StatusClosed && t.StatusAt != nil && now.Sub(*t.StatusAt) > db.Lifecycle.Reopen
}

// followUp decides where a delivery to *t goes. A person's own answer (not
// automatic mail) to a ticket closed longer ago than the reopen window
// goes to the follow-up the same person's earlier answer opened, if any (moving
// *t there), and it too may be closed long ago: then followUp returns the
// ticket to follow up with a new one. Otherwise it returns nil and the
// mail goes to *t as always.
func (tx *Tx) followUp(ctx context.Context, t *Ticket, author int64, d *Incoming, now time.Time) (*Ticket, error) {
	if d.Message.Auto || !d.Reopen || d.Message.Kind != MessageInbound {
		return nil, nil
	}
	for range maxFollowUps {
		if !tx.db.closedLongAgo(*t, now) {
			return nil, nil
		}
		var next []int64
		if err := tx.SelectContext(ctx, &next, tx.q(`SELECT id FROM tickets WHERE follow_up_of = ? AND customer_id = ? ORDER BY id DESC LIMIT 1`), t.ID, author); err != nil {
			return nil, fmt.Errorf("store: deliver: follow-up: %w", err)
		}
		if len(next) == 0 {
			old := *t
			return &old, nil
		}
		live, err := tx.liveTicket(ctx, next[0])
		if err != nil {
			return nil, err
		}
		*t = live
	}
	return nil, nil
}

// openFollowUp opens *t as the follow-up of old, with old's subject,
// category and priority, and links the two in their histories.
func (tx *Tx) openFollowUp(ctx context.Context, t *Ticket, old Ticket, author int64, d *Incoming, now time.Time) error {
	nd := *d
	nd.Subject, nd.Category, nd.Priority, nd.followUpOf = old.Subject, old.Category, old.Priority, old.ID
	if err := tx.createTicket(ctx, t, author, &nd, now); err != nil {
		return err
	}
	if err := tx.recordActivity(ctx, old.ID, author, ActivityFollowUp, "", "#"+strconv.FormatInt(t.Number, 10), now); err != nil {
		return err
	}
	return tx.recordActivity(ctx, t.ID, author, ActivityFollowUpOf, "#"+strconv.FormatInt(old.Number, 10), "", now)
}

// TicketLinks are a ticket's follow-up links: the ticket it follows up,
// and the tickets that follow it up, oldest first.
type TicketLinks struct {
	FollowUpOf  *Ticket
	ContinuedIn []Ticket
}

// TicketLinks returns the ticket's follow-up links.
func (db *DB) TicketLinks(ctx context.Context, t *Ticket) (*TicketLinks, error) {
	out := &TicketLinks{ContinuedIn: []Ticket{}}
	if t.FollowUpOf != nil {
		prev, err := db.Ticket(ctx, *t.FollowUpOf)
		if err != nil {
			return nil, fmt.Errorf("store: ticket links: %w", err)
		}
		out.FollowUpOf = prev
	}
	if err := db.X.SelectContext(ctx, &out.ContinuedIn, db.q(`SELECT * FROM tickets WHERE follow_up_of = ? ORDER BY id`), t.ID); err != nil {
		return nil, fmt.Errorf("store: ticket links: %w", err)
	}
	return out, nil
}

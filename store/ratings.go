package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Rating is a customer's satisfaction rating of a ticket (table ratings):
// one per ticket and person, changeable, with an optional comment.
type Rating struct {
	ID        int64     `db:"id"`
	TicketID  int64     `db:"ticket_id"`
	UserID    int64     `db:"user_id"`
	Value     string    `db:"rating"` // good, okay or bad
	Comment   string    `db:"comment"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// RatingValues are the ratings a customer can give, best first.
var RatingValues = []string{"good", "okay", "bad"}

// MaxRatingComment is how many characters a rating's comment may have.
const MaxRatingComment = 2000

// Activity kinds and the audit action of ratings.
const (
	ActivityRating        = "rating"         // old: the rating before ("" the first time), new: the rating
	ActivityRatingComment = "rating_comment" // the comment's text stays in ratings only
	AuditRating           = "ticket_rating"  // detail: rating and from, or comment (its length)
)

var (
	// ErrRatingGone is returned for a ticket that can no longer be rated:
	// merged into another, its customer changed or erased.
	ErrRatingGone = errors.New("store: ticket no longer available for rating")
	// ErrCommentTooLong is returned for a comment over MaxRatingComment.
	ErrCommentTooLong = errors.New("store: comment too long")
)

// Clock is the store's time (DB.Now), for callers that check expiries
// against the same clock the rows are written with.
func (db *DB) Clock() time.Time { return db.Now() }

// RatingTarget is a ticket as a rating link's page shows it, with the
// person's rating of it (nil when none).
type RatingTarget struct {
	Ticket Ticket
	Rating *Rating
}

// RatingTarget returns the ticket userID may rate, with their rating:
// ErrRatingGone when the ticket is gone, merged, not theirs or they were
// erased.
func (db *DB) RatingTarget(ctx context.Context, ticketID, userID int64) (*RatingTarget, error) {
	var out *RatingTarget
	err := db.InTx(ctx, func(tx *Tx) error {
		t, err := tx.rateableTicket(ctx, ticketID, userID)
		if err != nil {
			return err
		}
		out = &RatingTarget{Ticket: *t}
		out.Rating, err = tx.rating(ctx, ticketID, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: rating target: %w", err)
	}
	return out, nil
}

func (tx *Tx) rateableTicket(ctx context.Context, ticketID, userID int64) (*Ticket, error) {
	var t Ticket
	if err := tx.GetContext(ctx, &t, tx.q(`SELECT * FROM tickets WHERE id = ?`), ticketID); err != nil {
		if errors.Is(err, sqlErrNoRows) {
			return nil, ErrRatingGone
		}
		return nil, err
	}
	var erased []bool
	if err := tx.SelectContext(ctx, &erased, tx.q(`SELECT erased_at IS NOT NULL FROM users WHERE id = ?`), userID); err != nil {
		return nil, err
	}
	if t.MergedInto != nil || t.CustomerID != userID || len(erased) == 0 || erased[0] {
		return nil, ErrRatingGone
	}
	return &t, nil
}

func (tx *Tx) rating(ctx context.Context, ticketID, userID int64) (*Rating, error) {
	var rows []Rating
	if err := tx.SelectContext(ctx, &rows, tx.q(`SELECT * FROM ratings WHERE ticket_id = ? AND user_id = ?`), ticketID, userID); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// RateTicket records userID's rating of the ticket, or changes it. It
// reports whether anything changed: the same rating again (a link clicked
// twice) writes nothing, keeps its time and is neither recorded in the
// ticket's history nor audited.
func (db *DB) RateTicket(ctx context.Context, ticketID, userID int64, rating string) (bool, error) {
	if !slices.Contains(RatingValues, rating) {
		return false, fmt.Errorf("store: rate ticket: %w: rating %q", ErrInvalidChange, rating)
	}
	changed := false
	err := db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.rateableTicket(ctx, ticketID, userID); err != nil {
			return err
		}
		was, err := tx.rating(ctx, ticketID, userID)
		if err != nil {
			return err
		}
		now := db.Now()
		// The conditional update makes a replay, even a concurrent one,
		// change no row: only the request that changed it records it.
		res, err := tx.ExecContext(ctx, tx.q(`INSERT INTO ratings (ticket_id, user_id, rating, comment, created_at, updated_at) VALUES (?, ?, ?, '', ?, ?)
			ON CONFLICT (ticket_id, user_id) DO UPDATE SET rating = excluded.rating, updated_at = excluded.updated_at
			WHERE ratings.rating <> excluded.rating`), ticketID, userID, rating, now, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		changed = true
		from := ""
		if was != nil {
			from = was.Value
		}
		if err := tx.recordActivity(ctx, ticketID, userID, ActivityRating, from, rating, now); err != nil {
			return err
		}
		return tx.Audit(ctx, Audit{ActorID: userID, Action: AuditRating, UserID: userID, TicketID: ticketID,
			Detail: map[string]any{"rating": rating, "from": from}})
	})
	if err != nil {
		return false, fmt.Errorf("store: rate ticket: %w", err)
	}
	return changed, nil
}

// CommentRating saves the comment on userID's rating of the ticket
// (trimmed; "" removes it). ErrNotFound: they have not rated it.
func (db *DB) CommentRating(ctx context.Context, ticketID, userID int64, comment string) (bool, error) {
	comment = strings.TrimSpace(strings.ToValidUTF8(comment, "\uFFFD"))
	if utf8.RuneCountInString(comment) > MaxRatingComment {
		return false, fmt.Errorf("store: comment rating: %w", ErrCommentTooLong)
	}
	changed := false
	err := db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.rateableTicket(ctx, ticketID, userID); err != nil {
			return err
		}
		was, err := tx.rating(ctx, ticketID, userID)
		if err != nil {
			return err
		}
		if was == nil {
			return ErrNotFound
		}
		if was.Comment == comment {
			return nil
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, tx.q(`UPDATE ratings SET comment = ?, updated_at = ? WHERE id = ?`), comment, now, was.ID); err != nil {
			return err
		}
		changed = true
		if err := tx.recordActivity(ctx, ticketID, userID, ActivityRatingComment, "", "", now); err != nil {
			return err
		}
		return tx.Audit(ctx, Audit{ActorID: userID, Action: AuditRating, UserID: userID, TicketID: ticketID,
			Detail: map[string]any{"comment": utf8.RuneCountInString(comment)}})
	})
	if err != nil {
		return false, fmt.Errorf("store: comment rating: %w", err)
	}
	return changed, nil
}

// TicketRating is a rating as staff see it on the ticket, with who gave it.
type TicketRating struct {
	Rating
	Email  string `db:"email"`
	Name   string `db:"name"`
	Erased bool   `db:"erased"`
}

// TicketRatings returns the ticket's ratings, newest change first.
func (db *DB) TicketRatings(ctx context.Context, ticketID int64) ([]TicketRating, error) {
	var out []TicketRating
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT r.*, u.email, u.name, u.erased_at IS NOT NULL AS erased
		FROM ratings r JOIN users u ON u.id = r.user_id WHERE r.ticket_id = ? ORDER BY r.updated_at DESC, r.id DESC`), ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: ticket ratings: %w", err)
	}
	return out, nil
}

// rateable reports whether the mail o carries rating links: a resolution
// mail (a status mail, or a reply that resolved) to the ticket's own
// customer — not a Cc — on a ticket neither flagged nor merged, when they
// have not objected to optional mail and were not erased.
func (db *DB) rateable(ctx context.Context, o *Outgoing) (bool, error) {
	e, t, u := o.Email, o.Ticket, o.User
	resolution := e.Kind == EmailStatus && t.Status == StatusResolved || e.Kind == EmailReply && e.Announces == StatusResolved
	if !resolution || u == nil || u.ID != t.CustomerID || u.ErasedAt != nil || t.Flag != "" || t.MergedInto != nil {
		return false, nil
	}
	objects, err := db.Objects(ctx, u.ID, ChoiceMail)
	if err != nil {
		return false, err
	}
	return !objects, nil
}

// ExportRating is one of the person's ratings, in their data export.
type ExportRating struct {
	Ticket    int64     `db:"ticket" json:"ticket"`
	Rating    string    `db:"rating" json:"rating"`
	Comment   string    `db:"comment" json:"comment"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
}

func (db *DB) exportRatings(ctx context.Context, userID int64) ([]ExportRating, error) {
	out := []ExportRating{}
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT t.number AS ticket, r.rating, r.comment, r.created_at, r.updated_at
		FROM ratings r JOIN tickets t ON t.id = r.ticket_id WHERE r.user_id = ? ORDER BY r.id`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: export ratings: %w", err)
	}
	return out, nil
}

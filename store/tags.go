package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"golang.org/x/text/cases"
)

// MaxTagLength is the longest tag name, in characters.
const MaxTagLength = 40

// ErrInvalidTag is a tag name Dargo refuses: empty, too long, or holding a
// control character or a comma (the forms separate tags with commas).
var ErrInvalidTag = errors.New("store: invalid tag")

// Audited tag actions. A ticket's tags changing is one AuditTicketTags
// entry per ticket (detail: added, removed, or renamed/merged {from, into});
// a rename or merge also writes one entry for the whole change.
const (
	AuditTicketTags = "ticket_tags"
	AuditTagMerge   = "tag_merge" // detail: from, into, tickets
)

// TagCount is a tag and how many tickets carry it.
type TagCount struct {
	Name    string `db:"name"`
	Tickets int    `db:"tickets"`
}

// NormalizeTag returns the tag's stored form: trimmed, inner whitespace
// collapsed to one space, and case-folded, so that "  Billing  Issue" and
// "billing issue" are one tag.
func NormalizeTag(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%w: not valid text", ErrInvalidTag)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !unicode.IsSpace(r) || r == ',' || unicode.Is(unicode.Cf, r) {
			return "", fmt.Errorf("%w: %q has a character tags may not hold", ErrInvalidTag, s)
		}
	}
	name := cases.Fold().String(strings.Join(strings.Fields(s), " "))
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return "", fmt.Errorf("%w: empty", ErrInvalidTag)
	case n > MaxTagLength:
		return "", fmt.Errorf("%w: longer than %d characters", ErrInvalidTag, MaxTagLength)
	}
	return name, nil
}

// ParseTags reads a comma-separated list of tags ("billing, VIP") into
// their normalised names, each once, in the order given; empty items are
// skipped.
func ParseTags(s string) ([]string, error) {
	var parts []string
	for p := range strings.SplitSeq(s, ",") {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
	}
	return normalizeTags(parts)
}

// normalizeTags normalises each name and drops repeats.
func normalizeTags(names []string) ([]string, error) {
	out := make([]string, 0, len(names))
	for _, n := range names {
		name, err := NormalizeTag(n)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out, nil
}

// AddTags puts the tags on the ticket, creating tags that do not exist yet,
// in one transaction, and returns the normalised names it added (none when
// the ticket had them all already). A change is audited once, naming the
// staff member.
func (db *DB) AddTags(ctx context.Context, ticketID, staffID int64, tags []string) ([]string, error) {
	return db.addTicketTags(ctx, ticketID, staffID, tags, nil)
}

// addTicketTags is AddTags; guard, when not nil, runs first in the transaction and
// may refuse the ticket.
func (db *DB) addTicketTags(ctx context.Context, ticketID, staffID int64, tags []string, guard func(*Tx) error) ([]string, error) {
	names, err := normalizeTags(tags)
	if err != nil || len(names) == 0 {
		return nil, err
	}
	var added []string
	err = db.InTx(ctx, func(tx *Tx) error {
		added = nil
		if guard != nil {
			if err := guard(tx); err != nil {
				return err
			}
		}
		var err error
		added, err = tx.addTags(ctx, ticketID, staffID, names)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: add tags: %w", err)
	}
	return added, nil
}

// addTags is AddTags inside a transaction, for normalised names.
func (tx *Tx) addTags(ctx context.Context, ticketID, staffID int64, names []string) ([]string, error) {
	if err := tx.ticketExists(ctx, ticketID); err != nil {
		return nil, err
	}
	var added []string
	now := tx.db.Now()
	for _, name := range names {
		id, err := tx.tagID(ctx, name, true)
		if err != nil {
			return nil, err
		}
		res, err := tx.ExecContext(ctx, tx.q(`INSERT INTO ticket_tags (ticket_id, tag_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`), ticketID, id, now)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			added = append(added, name)
		}
	}
	if len(added) == 0 {
		return nil, nil
	}
	return added, tx.Audit(ctx, Audit{ActorID: staffID, Action: AuditTicketTags, TicketID: ticketID, Detail: map[string]any{"added": added}})
}

// RemoveTags takes the tags off the ticket in one transaction and returns
// the normalised names it removed (none when the ticket had none of them).
// The tags themselves stay, for other tickets and the add form's list.
func (db *DB) RemoveTags(ctx context.Context, ticketID, staffID int64, tags []string) ([]string, error) {
	return db.removeTicketTags(ctx, ticketID, staffID, tags, nil)
}

// removeTicketTags is RemoveTags; guard, when not nil, runs first in the transaction and
// may refuse the ticket.
func (db *DB) removeTicketTags(ctx context.Context, ticketID, staffID int64, tags []string, guard func(*Tx) error) ([]string, error) {
	names, err := normalizeTags(tags)
	if err != nil || len(names) == 0 {
		return nil, err
	}
	var removed []string
	err = db.InTx(ctx, func(tx *Tx) error {
		removed = nil
		if guard != nil {
			if err := guard(tx); err != nil {
				return err
			}
		}
		if err := tx.ticketExists(ctx, ticketID); err != nil {
			return err
		}
		for _, name := range names {
			res, err := tx.ExecContext(ctx, tx.q(`DELETE FROM ticket_tags WHERE ticket_id = ?
				AND tag_id = (SELECT id FROM tags WHERE name = ?)`), ticketID, name)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				removed = append(removed, name)
			}
		}
		if len(removed) == 0 {
			return nil
		}
		return tx.Audit(ctx, Audit{ActorID: staffID, Action: AuditTicketTags, TicketID: ticketID, Detail: map[string]any{"removed": removed}})
	})
	if err != nil {
		return nil, fmt.Errorf("store: remove tags: %w", err)
	}
	return removed, nil
}

// TicketTags returns the ticket's tags, by name.
func (db *DB) TicketTags(ctx context.Context, ticketID int64) ([]string, error) {
	out := []string{}
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT g.name FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id
		WHERE tt.ticket_id = ? ORDER BY g.name`), ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: ticket tags: %w", err)
	}
	return out, nil
}

// ticketsTags returns the tags of each of the tickets, by name.
func (db *DB) ticketsTags(ctx context.Context, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	query, args, err := sqlx.In(`SELECT tt.ticket_id, g.name FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id
		WHERE tt.ticket_id IN (?) ORDER BY g.name`, ids)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		TicketID int64  `db:"ticket_id"`
		Name     string `db:"name"`
	}
	if err := db.X.SelectContext(ctx, &rows, db.q(query), args...); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.TicketID] = append(out[r.TicketID], r.Name)
	}
	return out, nil
}

// Tags returns every tag with how many tickets carry it, by name.
func (db *DB) Tags(ctx context.Context) ([]TagCount, error) {
	out := []TagCount{}
	err := db.X.SelectContext(ctx, &out, `SELECT g.name, COUNT(tt.ticket_id) AS tickets FROM tags g
		LEFT JOIN ticket_tags tt ON tt.tag_id = g.id GROUP BY g.id, g.name ORDER BY g.name`)
	if err != nil {
		return nil, fmt.Errorf("store: tags: %w", err)
	}
	return out, nil
}

// RenameTag renames a tag on every ticket that carries it. Renaming to a
// name another tag has merges the two (see MergeTags). It returns how many
// tickets changed; ErrNotFound when there is no tag named from.
func (db *DB) RenameTag(ctx context.Context, staffID int64, from, to string) (int, error) {
	return db.MergeTags(ctx, staffID, []string{from}, to)
}

// MergeTags moves every ticket tagged with one of from to the tag into
// (made when it does not exist) and deletes the tags in from, in one
// transaction: a ticket that had several of them, or into already, ends up
// with into once. Each ticket changed is audited, and the merge once. It
// returns how many tickets changed; ErrNotFound when none of from exists.
func (db *DB) MergeTags(ctx context.Context, staffID int64, from []string, into string) (int, error) {
	target, err := NormalizeTag(into)
	if err != nil {
		return 0, err
	}
	sources, err := normalizeTags(from)
	if err != nil {
		return 0, err
	}
	sources = slices.DeleteFunc(sources, func(s string) bool { return s == target })
	if len(sources) == 0 {
		return 0, nil // merging a tag into itself changes nothing
	}
	changed := 0
	err = db.InTx(ctx, func(tx *Tx) error {
		changed = 0
		query, args, err := sqlx.In(`SELECT id, name FROM tags WHERE name IN (?) ORDER BY name`, sources)
		if err != nil {
			return err
		}
		var found []struct {
			ID   int64  `db:"id"`
			Name string `db:"name"`
		}
		if err := tx.SelectContext(ctx, &found, tx.q(query), args...); err != nil {
			return err
		}
		if len(found) == 0 {
			return ErrNotFound
		}
		ids, names := make([]int64, len(found)), make([]string, len(found))
		for i, f := range found {
			ids[i], names[i] = f.ID, f.Name
		}
		intoID, err := tx.tagID(ctx, target, true)
		if err != nil {
			return err
		}
		query, args, err = sqlx.In(`SELECT DISTINCT ticket_id FROM ticket_tags WHERE tag_id IN (?) ORDER BY ticket_id`, ids)
		if err != nil {
			return err
		}
		var tickets []int64
		if err := tx.SelectContext(ctx, &tickets, tx.q(query), args...); err != nil {
			return err
		}
		now := db.Now()
		for _, t := range tickets {
			if _, err := tx.ExecContext(ctx, tx.q(`INSERT INTO ticket_tags (ticket_id, tag_id, created_at) VALUES (?, ?, ?)
				ON CONFLICT DO NOTHING`), t, intoID, now); err != nil {
				return err
			}
			if err := tx.Audit(ctx, Audit{ActorID: staffID, Action: AuditTicketTags, TicketID: t,
				Detail: map[string]any{"merged": map[string]any{"from": names, "into": target}}}); err != nil {
				return err
			}
		}
		// Their ticket_tags rows go with them (ON DELETE CASCADE).
		query, args, err = sqlx.In(`DELETE FROM tags WHERE id IN (?)`, ids)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.q(query), args...); err != nil {
			return err
		}
		changed = len(tickets)
		return tx.Audit(ctx, Audit{ActorID: staffID, Action: AuditTagMerge, Detail: map[string]any{"from": names, "into": target, "tickets": changed}})
	})
	if err != nil {
		return 0, fmt.Errorf("store: merge tags: %w", err)
	}
	return changed, nil
}

// tagID returns the id of the tag with the (normalised) name, making it
// when create is set. Two transactions making the same new tag at once
// both succeed: the second waits for the first and takes its row.
func (tx *Tx) tagID(ctx context.Context, name string, create bool) (int64, error) {
	if create {
		if _, err := tx.ExecContext(ctx, tx.q(`INSERT INTO tags (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`),
			name, tx.db.Now()); err != nil {
			return 0, err
		}
	}
	var id int64
	if err := tx.GetContext(ctx, &id, tx.q(`SELECT id FROM tags WHERE name = ?`), name); err != nil {
		return 0, notFound(err, "tag")
	}
	return id, nil
}

// ticketExists is ErrNotFound for a ticket that does not exist.
func (tx *Tx) ticketExists(ctx context.Context, ticketID int64) error {
	var n int
	if err := tx.GetContext(ctx, &n, tx.q(`SELECT COUNT(*) FROM tickets WHERE id = ?`), ticketID); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("ticket %d: %w", ticketID, ErrNotFound)
	}
	return nil
}

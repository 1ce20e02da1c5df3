package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/jmoiron/sqlx"
)

// Mentionable is a staff member as a note can name them: @Handle, the
// local part of their address ("@mia" for mia@desk.example).
type Mentionable struct {
	ID          int64  `db:"id" json:"-"`
	Email       string `db:"email" json:"-"`
	Name        string `db:"name" json:"name"`
	DisplayName string `db:"display_name" json:"display_name"`
	Handle      string `db:"-" json:"handle"`
}

// Label is how the autocomplete shows them: their display name, else name, else handle.
func (m Mentionable) Label() string {
	for _, s := range []string{m.DisplayName, m.Name} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return m.Handle
}

// mentionRE finds @handles: an @ not inside a word (so mail addresses are
// not mentions) followed by letters, digits, dots, dashes or underscores.
var mentionRE = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_.+-])@([\p{L}\p{N}][\p{L}\p{N}._-]*)`)

// MentionHandles lists the @handles in text, lower-cased, each once, in order.
func MentionHandles(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range mentionRE.FindAllStringSubmatch(text, -1) {
		h := strings.ToLower(strings.TrimRight(m[1], "._-"))
		if h != "" && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// Mentionables lists staff who can be mentioned, by handle.
func (db *DB) Mentionables(ctx context.Context) ([]Mentionable, error) {
	return db.mentionables(ctx, db.X)
}

func (db *DB) mentionables(ctx context.Context, q sqlx.QueryerContext) ([]Mentionable, error) {
	out := []Mentionable{}
	err := sqlx.SelectContext(ctx, q, &out, db.q(`SELECT u.id, u.email, u.name, COALESCE(p.display_name, '') AS display_name
		FROM users u LEFT JOIN staff_profiles p ON p.user_id = u.id
		WHERE u.role IN ('staff', 'admin') AND u.erased_at IS NULL ORDER BY u.email`))
	if err != nil {
		return nil, fmt.Errorf("store: mentionables: %w", err)
	}
	for i := range out {
		out[i].Handle = handleOf(out[i].Email)
	}
	return out, nil
}

// handleOf is the @handle of an address: its local part, lower-cased.
func handleOf(email string) string {
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	return local
}

// ResolveMentions maps the @handles in text to staff: a handle is the
// address local part of exactly one staff member, or failing that the
// first word of exactly one staff member's display name or name ("@Mia"
// for "Mia Wong"); a handle that fits several people names nobody. It
// returns the people named, each once, in order of first mention.
func ResolveMentions(text string, staff []Mentionable) []Mentionable {
	var out []Mentionable
	seen := map[int64]bool{}
	for _, h := range MentionHandles(text) {
		m, ok := resolveHandle(h, staff)
		if ok && !seen[m.ID] {
			seen[m.ID] = true
			out = append(out, m)
		}
	}
	return out
}

func resolveHandle(h string, staff []Mentionable) (Mentionable, bool) {
	var exact []Mentionable
	for _, s := range staff {
		if s.Handle == h {
			exact = append(exact, s)
		}
	}
	switch len(exact) {
	case 1:
		return exact[0], true
	case 0:
	default:
		return Mentionable{}, false // mia@a.example and mia@b.example: nobody for sure
	}
	var found []Mentionable
	for _, s := range staff {
		for _, name := range []string{s.DisplayName, s.Name} {
			first := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
			if len(first) > 0 && first[0] == h {
				found = append(found, s)
				break
			}
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return Mentionable{}, false
}

// tellMentions tells the staff a note names that they were mentioned.
func (tx *Tx) tellMentions(ctx context.Context, t Ticket, author, message int64, text string) error {
	if len(MentionHandles(text)) == 0 {
		return nil
	}
	staff, err := tx.db.mentionables(ctx, tx)
	if err != nil {
		return err
	}
	var ids []int64
	for _, m := range ResolveMentions(text, staff) {
		ids = append(ids, m.ID)
	}
	return tx.tell(ctx, notice{kind: NoticeMention, ticket: t, message: message, actor: author}, ids)
}

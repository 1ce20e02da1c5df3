package store

import (
	"context"
	"fmt"
	"strings"
)

// SplitTagSearch takes the "tag:name" words (tag:"two words" for a name
// with a space) out of a search and returns them and the rest of the
// search, which is text to find.
func SplitTagSearch(search string) (tags []string, rest string) {
	var text []string
	for s := strings.TrimSpace(search); s != ""; s = strings.TrimSpace(s) {
		word, after := s, ""
		if i := strings.IndexFunc(s, isSpace); i >= 0 {
			word, after = s[:i], s[i:]
		}
		ok := len(word) > 4 && strings.EqualFold(word[:4], "tag:")
		name := ""
		if ok {
			name = word[4:]
		}
		switch {
		case !ok:
			text = append(text, word)
		case strings.HasPrefix(name, `"`):
			quoted := s[5:] // after tag:"
			end := strings.IndexByte(quoted, '"')
			if end < 0 {
				end = len(quoted)
				after = ""
			} else {
				after = quoted[end+1:]
			}
			tags = append(tags, quoted[:end])
		default:
			tags = append(tags, name)
		}
		s = after
	}
	return tags, strings.Join(text, " ")
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// maxTagFilters is the most tags one inbox query narrows by.
const maxTagFilters = 10

// tagFilter is the condition, over tickets t, for tickets carrying every
// one of the tags.
func tagFilter(tags []string) ([]string, []any, error) {
	names, err := normalizeTags(tags)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidQuery, err)
	}
	if len(names) > maxTagFilters {
		return nil, nil, fmt.Errorf("%w: more than %d tags", ErrInvalidQuery, maxTagFilters)
	}
	var where []string
	var args []any
	for _, name := range names {
		where = append(where, `t.id IN (SELECT tt.ticket_id FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE g.name = ?)`)
		args = append(args, name)
	}
	return where, args, nil
}

// addTags fills in each row's tags.
func (db *DB) addTags(ctx context.Context, rows []InboxRow) error {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	tags, err := db.ticketsTags(ctx, ids)
	if err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	for i := range rows {
		rows[i].Tags = tags[rows[i].ID]
	}
	return nil
}

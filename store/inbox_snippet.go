package store

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// Snippet is why a ticket is in search results: a piece of the field that
// matched, with the searched words marked. The web wraps marked parts in
// <mark> and escapes all of it.
type Snippet struct {
	Field string // SnippetSubject, SnippetCustomer or SnippetMessage
	Parts []SnippetPart
}

// SnippetPart is a run of a snippet's text; Mark is a searched word.
type SnippetPart struct {
	Text string
	Mark bool
}

// Where a snippet comes from.
const (
	SnippetSubject  = "subject"
	SnippetCustomer = "customer" // the customer's name and address
	SnippetMessage  = "message"
)

// snippetRunes is about how long a snippet from a message is.
const snippetRunes = 160

// addSnippets gives each row of a search's results its snippet: from the
// subject when every word is in it, else from the customer's name and
// address, else from the ticket's newest message that matches. The
// messages are looked up only for rows that need them, in one statement.
func (db *DB) addSnippets(ctx context.Context, rows []InboxRow, search string) error {
	words := markWords(cleanSearch(search))
	if len(words) == 0 || len(rows) == 0 {
		return nil
	}
	var need []int64
	for i := range rows {
		r := &rows[i]
		customer := strings.TrimSpace(r.CustomerName + " <" + r.CustomerEmail + ">")
		if r.CustomerName == "" {
			customer = r.CustomerEmail
		}
		switch {
		case hasEvery(r.Subject, words):
			r.Snippet = &Snippet{Field: SnippetSubject, Parts: markText(r.Subject, words, 0)}
		case hasEvery(customer, words):
			r.Snippet = &Snippet{Field: SnippetCustomer, Parts: markText(customer, words, 0)}
		default:
			need = append(need, r.ID)
		}
	}
	if len(need) == 0 {
		return nil
	}
	texts, err := db.matchingMessages(ctx, need, search)
	if err != nil {
		return err
	}
	for i := range rows {
		r := &rows[i]
		for _, text := range texts[r.ID] {
			if parts := markText(text, words, snippetRunes); parts != nil {
				r.Snippet = &Snippet{Field: SnippetMessage, Parts: parts}
				break
			}
		}
	}
	return nil
}

// matchingMessages returns, for each ticket, the visible text and subject
// of its newest message that matches the search (notes included, as the
// search looks in them).
func (db *DB) matchingMessages(ctx context.Context, ticketIDs []int64, search string) (map[int64][]string, error) {
	search = cleanSearch(search)
	words := searchWords(search)
	if len(words) == 0 {
		return nil, nil
	}
	var query string
	var args []any
	if db.Dialect == Postgres {
		// Per ticket, the messages are walked newest first on
		// messages_ticket_id and each is tested, stopping at the first
		// match: a bitmap of every message with a common word would cost
		// more than the few dozen messages of fifty tickets.
		fn, arg := pgTSQuery(search, words)
		pre, preArgs := pgPrecheck(fn, words)
		query = `SELECT t.id AS ticket_id, (SELECT m.visible_text || ' ' || m.subject FROM messages m JOIN messages_fts f ON f.message_id = m.id
			WHERE m.ticket_id = t.id` + pre + ` AND f.doc @@ ` + fn + `('simple', ?) ORDER BY m.id DESC LIMIT 1) AS text
			FROM tickets t WHERE t.id IN (?)`
		args = append(append(preArgs, arg), ticketIDs)
	} else {
		query = `SELECT m.ticket_id, m.visible_text || ' ' || m.subject AS text FROM messages m
			WHERE m.ticket_id IN (?) AND m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)
			ORDER BY m.ticket_id, m.id DESC`
		args = []any{ticketIDs, ftsQuery(words)}
	}
	query, args, err := sqlx.In(query, args...)
	if err != nil {
		return nil, err
	}
	var found []struct {
		TicketID int64   `db:"ticket_id"`
		Text     *string `db:"text"`
	}
	if err := db.X.SelectContext(ctx, &found, db.q(query), args...); err != nil {
		return nil, err
	}
	out := map[int64][]string{}
	for _, f := range found {
		if f.Text != nil && len(out[f.TicketID]) < 3 {
			out[f.TicketID] = append(out[f.TicketID], *f.Text)
		}
	}
	return out, nil
}

// markWord is a searched word to mark: lower-cased runes, and whether a
// longer word that starts with it counts (the last word, as the search
// takes it as a prefix).
type markWord struct {
	runes  []rune
	prefix bool
}

// markWords are the words of a search to mark: its words but web search
// syntax (a leading '-', "or"), lower-cased, without punctuation at their
// ends (which the database's parser drops too: "seed42-" finds seed4299),
// the last one a prefix when it is long enough, as in the search itself.
func markWords(search string) []markWord {
	var out []markWord
	words := searchWords(search)
	for i, w := range words {
		if strings.HasPrefix(w, "-") || strings.EqualFold(w, "or") {
			continue
		}
		prefix := i == len(words)-1 && utf8.RuneCountInString(w) >= minPrefix
		w = strings.TrimFunc(w, func(r rune) bool { return !isWordRune(r) })
		if w != "" {
			out = append(out, markWord{runes: lowerRunes(w), prefix: prefix})
		}
	}
	return out
}

func lowerRunes(s string) []rune {
	r := []rune(s)
	for i := range r {
		r[i] = unicode.ToLower(r[i])
	}
	return r
}

// matchAt is the length in runes of a word matching text at i (text
// lower-cased), or 0. A match starts a word and, unless the word is a
// prefix, ends one.
func matchAt(text []rune, i int, w markWord) int {
	if i > 0 && isWordRune(text[i-1]) && isWordRune(w.runes[0]) {
		return 0
	}
	n := len(w.runes)
	if i+n > len(text) || string(text[i:i+n]) != string(w.runes) {
		return 0
	}
	if !isWordRune(w.runes[n-1]) {
		return n
	}
	if !w.prefix && i+n < len(text) && isWordRune(text[i+n]) {
		return 0
	}
	for i+n < len(text) && isWordRune(text[i+n]) { // a prefix marks its whole word
		n++
	}
	return n
}

// hasEvery reports whether every word matches somewhere in text.
func hasEvery(text string, words []markWord) bool {
	lower := lowerRunes(text)
	for _, w := range words {
		found := false
		for i := range lower {
			if matchAt(lower, i, w) > 0 {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// markText splits text into parts with every match of a word marked. With
// window > 0 the text is first folded into one line and cut to about
// window runes around the first match, with "…" where it was cut; nil when
// no word matches.
func markText(text string, words []markWord, window int) []SnippetPart {
	if window > 0 {
		text = strings.Join(strings.Fields(text), " ")
	}
	orig := []rune(text)
	lower := lowerRunes(text)
	type span struct{ at, n int }
	var spans []span
	for i := 0; i < len(lower); {
		n := 0
		for _, w := range words {
			n = max(n, matchAt(lower, i, w))
		}
		if n > 0 {
			spans = append(spans, span{i, n})
			i += n
		} else {
			i++
		}
	}
	if len(spans) == 0 {
		if window > 0 {
			return nil
		}
		return []SnippetPart{{Text: text}}
	}
	from, to := 0, len(orig)
	if window > 0 {
		from = max(0, spans[0].at-window/4)
		for from > 0 && from < spans[0].at && !unicode.IsSpace(orig[from-1]) { // start at a word
			from++
		}
		to = min(len(orig), from+window)
		for to < len(orig) && to > spans[0].at+spans[0].n && !unicode.IsSpace(orig[to]) { // end at one
			to--
		}
	}
	var parts []SnippetPart
	add := func(s string, mark bool) {
		if s != "" {
			parts = append(parts, SnippetPart{Text: s, Mark: mark})
		}
	}
	if from > 0 {
		add("…", false)
	}
	at := from
	for _, sp := range spans {
		if sp.at < from || sp.at+sp.n > to {
			continue
		}
		add(string(orig[at:sp.at]), false)
		add(string(orig[sp.at:sp.at+sp.n]), true)
		at = sp.at + sp.n
	}
	add(string(orig[at:to]), false)
	if to < len(orig) {
		add("…", false)
	}
	return parts
}

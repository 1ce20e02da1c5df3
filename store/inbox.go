package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrInvalidQuery is returned for an inbox query with an unknown queue,
// status or priority, or a negative limit, and for a malformed cursor.
var ErrInvalidQuery = errors.New("store: invalid inbox query")

// Inbox queues.
const (
	QueueOpen       = StatusOpen
	QueuePending    = StatusPending
	QueueMine       = "mine"
	QueueUnassigned = "unassigned"
	QueueAll        = "all"
	// QueueSnoozed holds the tickets snoozed until later (snooze.go); the
	// other queues leave them out until then.
	QueueSnoozed = "snoozed"
)

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// InboxQuery selects a page of the staff inbox. Filters compose with AND.
type InboxQuery struct {
	Queue      string // one of the Queue constants; "" is open
	ViewerID   int64  // the staff member whose tickets "mine" lists
	Status     string // "" is any
	Priority   string // "" is any
	Category   string // "" is any
	AssigneeID *int64
	// Search is words to find in subjects, messages (notes included) and
	// the customer's name and address; "" is none. A search looks through
	// every ticket: Queue is ignored, and only the filters narrow it.
	Search string
	// Tags narrows the list to tickets carrying every one of them; a
	// search's "tag:name" words (tag:"two words") add to it.
	Tags []string
	// Sort is "" for newest activity first, or SortDue: the nearest
	// running SLA due first, tickets without one last.
	Sort  string
	After *Cursor // the page after this cursor; nil is the first page
	Limit int     // page size; 0 is DefaultPageSize, more than MaxPageSize is MaxPageSize
}

// Cursor is where a page of tickets ends, in the order newest activity
// first, or, ByDue, nearest SLA due first (Due is then the row's key).
type Cursor struct {
	LastActivityAt time.Time
	ID             int64
	ByDue          bool
	Due            time.Time
}

// String returns the cursor as a URL-safe token: "<unixnano>.<id>", or
// "d<unixnano>.<id>" by due.
func (c Cursor) String() string {
	if c.ByDue {
		return "d" + strconv.FormatInt(c.Due.UnixNano(), 10) + "." + strconv.FormatInt(c.ID, 10)
	}
	return strconv.FormatInt(c.LastActivityAt.UnixNano(), 10) + "." + strconv.FormatInt(c.ID, 10)
}

// ParseCursor reads a token made by Cursor.String.
func ParseCursor(s string) (*Cursor, error) {
	if rest, ok := strings.CutPrefix(s, "d"); ok {
		c, err := ParseCursor(rest)
		if err != nil {
			return nil, err
		}
		return &Cursor{ByDue: true, Due: c.LastActivityAt, ID: c.ID}, nil
	}
	ns, id, ok := strings.Cut(s, ".")
	n, err1 := strconv.ParseInt(ns, 10, 64)
	i, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || i <= 0 {
		return nil, fmt.Errorf("%w: bad cursor %q", ErrInvalidQuery, s)
	}
	return &Cursor{LastActivityAt: time.Unix(0, n).UTC(), ID: i}, nil
}

// InboxRow is a ticket as the inbox lists it.
type InboxRow struct {
	Ticket
	CustomerEmail string   `db:"customer_email"`
	CustomerName  string   `db:"customer_name"`
	AssigneeEmail *string  `db:"assignee_email"`
	Messages      int      `db:"messages"` // messages other than internal notes
	Tags          []string `db:"-"`        // by name (Inbox fills them in)
	rowDetails
	rowSLA
}

// InboxPage is one page of tickets; Next is nil on the last page.
type InboxPage struct {
	Rows []InboxRow
	Next *Cursor
}

// Inbox returns a page of tickets for staff, newest activity first.
func (db *DB) Inbox(ctx context.Context, q InboxQuery) (*InboxPage, error) {
	if q.Limit < 0 {
		return nil, fmt.Errorf("%w: negative limit", ErrInvalidQuery)
	}
	if q.Sort != "" && q.Sort != SortDue || q.After != nil && q.After.ByDue != (q.Sort == SortDue) {
		return nil, fmt.Errorf("%w: unknown sort %q, or a page link of another sort", ErrInvalidQuery, q.Sort)
	}
	if q.Queue == QueueMine && q.ViewerID == 0 {
		return nil, fmt.Errorf("%w: queue mine needs a viewer", ErrInvalidQuery)
	}
	where, args, err := queueCond(q.Queue, q.ViewerID, db.Now())
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(q.Search) != "" {
		where, args = nil, nil // a search looks in every queue
	}
	searchTags, text := SplitTagSearch(q.Search)
	q.Search = text
	tagCond, tagArgs, err := tagFilter(append(slices.Clip(q.Tags), searchTags...))
	if err != nil {
		return nil, err
	}
	where, args = append(where, tagCond...), append(args, tagArgs...)
	if q.Status != "" {
		if !slices.Contains(Statuses, q.Status) {
			return nil, fmt.Errorf("%w: unknown status %q", ErrInvalidQuery, q.Status)
		}
		where, args = append(where, `t.status = ?`), append(args, q.Status)
	}
	if q.Priority != "" {
		if !slices.Contains(Priorities, q.Priority) {
			return nil, fmt.Errorf("%w: unknown priority %q", ErrInvalidQuery, q.Priority)
		}
		where, args = append(where, `t.priority = ?`), append(args, q.Priority)
	}
	if q.Category != "" {
		where, args = append(where, `t.category = ?`), append(args, q.Category)
	}
	if q.AssigneeID != nil {
		where, args = append(where, `t.assignee_id = ?`), append(args, *q.AssigneeID)
	}
	if strings.TrimSpace(q.Search) != "" {
		s, ok := db.newSearch(q.Search)
		if !ok { // nothing searchable in it, such as only punctuation
			return &InboxPage{}, nil
		}
		if s.walk != "" && !strings.Contains(q.Search, "@") && q.Sort == "" { // an address: few tickets, found by index
			page, err := db.searchNewest(ctx, q.ViewerID, where, args, s, q.After, q.Limit)
			if err == nil && page != nil {
				err = db.addSnippets(ctx, page.Rows, q.Search)
			}
			if err == nil && page != nil {
				err = db.addTags(ctx, page.Rows)
			}
			if err != nil {
				return nil, fmt.Errorf("store: inbox: %w", err)
			}
			if page != nil {
				return page, nil
			}
		}
		where, args = append(where, s.cond), append(args, s.args...)
	}
	page, err := db.ticketPageBy(ctx, q.ViewerID, "tickets t", where, args, q.After, q.Limit, q.Sort == SortDue)
	if err != nil {
		return nil, fmt.Errorf("store: inbox: %w", err)
	}
	if err := db.addSnippets(ctx, page.Rows, q.Search); err != nil {
		return nil, fmt.Errorf("store: inbox: %w", err)
	}
	if err := db.addTags(ctx, page.Rows); err != nil {
		return nil, fmt.Errorf("store: inbox: %w", err)
	}
	return page, nil
}

// queueCond is the condition for the tickets of a queue, over tickets t,
// at now: a ticket snoozed past now is in no queue but the snoozed one
// (and all), whether or not the sweep has woken it yet.
func queueCond(queue string, viewerID int64, now time.Time) ([]string, []any, error) {
	awake := `(t.snoozed_until IS NULL OR t.snoozed_until <= ?)`
	switch queue {
	case "", QueueOpen:
		return []string{`t.status = 'open'`, awake}, []any{now}, nil
	case QueuePending:
		return []string{`t.status = 'pending'`, awake}, []any{now}, nil
	case QueueMine:
		return []string{`t.assignee_id = ? AND t.status <> 'closed'`, awake}, []any{viewerID, now}, nil
	case QueueUnassigned:
		return []string{`t.assignee_id IS NULL AND t.status IN ('open', 'pending')`, awake}, []any{now}, nil
	case QueueSnoozed:
		return []string{`t.snoozed_until > ? AND t.merged_into IS NULL AND t.status IN ('open', 'pending')`}, []any{now}, nil
	case QueueAll:
		return nil, nil, nil
	}
	return nil, nil, fmt.Errorf("%w: unknown queue %q", ErrInvalidQuery, queue)
}

// CustomerTickets returns a page of the tickets the user takes part in (as
// customer or Cc), newest activity first.
func (db *DB) CustomerTickets(ctx context.Context, userID int64, after *Cursor, limit int) (*InboxPage, error) {
	if limit < 0 {
		return nil, fmt.Errorf("store: customer tickets: %w: negative limit", ErrInvalidQuery)
	}
	page, err := db.ticketPage(ctx, 0, "tickets t", []string{`t.id IN (SELECT ticket_id FROM participants WHERE user_id = ?)`},
		[]any{userID}, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: customer tickets: %w", err)
	}
	return page, nil
}

// ticketPage selects the page of tickets from (tickets t, or a subquery
// named t) matching every condition in where (SQL over t, with '?'
// placeholders for args) after the cursor. The page is picked first and only
// its rows are joined to their details (rowDetails; unread as the viewer
// sees them, 0 for none).
func (db *DB) ticketPage(ctx context.Context, viewerID int64, from string, where []string, args []any, after *Cursor, limit int) (*InboxPage, error) {
	return db.ticketPageBy(ctx, viewerID, from, where, args, after, limit, false)
}

// ticketPageBy is ticketPage, in SLA due order when byDue (sla_inbox.go).
func (db *DB) ticketPageBy(ctx context.Context, viewerID int64, from string, where []string, args []any, after *Cursor, limit int, byDue bool) (*InboxPage, error) {
	limit = pageSize(limit)
	if byDue {
		return db.duePage(ctx, viewerID, from, where, args, after, limit)
	}
	if after != nil {
		// A row comparison, which both PostgreSQL and SQLite (3.15+) run
		// as a range on the (…, last_activity_at, id) indexes. Times compare
		// as stored: timestamptz on PostgreSQL; on SQLite, text in one UTC
		// format, which sorts like the times it holds.
		where, args = append(where, `(t.last_activity_at, t.id) < (?, ?)`), append(args, after.LastActivityAt.UTC(), after.ID)
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	// The row's details are read by key from ticket_rows (0027), kept by
	// the store beside each ticket, and the viewer's mark from ticket_reads.
	query := `SELECT p.*, c.email AS customer_email, c.name AS customer_name, a.email AS assignee_email,
			COALESCE(tr.messages, 0) AS messages, tr.last_id, COALESCE(tr.last_kind, '') AS last_kind, tr.last_at,
			COALESCE(tr.preview, '') AS preview, COALESCE(tr.last_inbound_id, 0) AS last_inbound_id,
			COALESCE(rd.message_id, 0) AS read_id,` + rowSLAColumns + `
		FROM (SELECT t.* FROM ` + from + ` ` + cond + ` ORDER BY t.last_activity_at DESC, t.id DESC LIMIT ?) p
		JOIN users c ON c.id = p.customer_id
		LEFT JOIN users a ON a.id = p.assignee_id
		LEFT JOIN ticket_rows tr ON tr.ticket_id = p.id
		LEFT JOIN ticket_reads rd ON rd.user_id = ? AND rd.ticket_id = p.id
		LEFT JOIN ticket_sla sla ON sla.ticket_id = p.id
		ORDER BY p.last_activity_at DESC, p.id DESC`
	var rows []InboxRow
	if err := db.X.SelectContext(ctx, &rows, db.q(query), append(slices.Clip(args), limit+1, viewerID)...); err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Preview = previewLine(rows[i].Preview)
	}
	page := &InboxPage{Rows: rows}
	if len(rows) > limit {
		last := rows[limit-1]
		page.Rows = rows[:limit]
		page.Next = &Cursor{LastActivityAt: last.LastActivityAt, ID: last.ID}
	}
	return page, nil
}

// search is a search as conditions over tickets t: cond finds the tickets
// through the text indexes; walk, on PostgreSQL, tests one ticket at a time
// (see searchNewest). Each has its arguments.
type search struct {
	cond, walk     string
	args, walkArgs []any
	// pre is a cheap test a message must pass to match, over messages m
	// (" AND …", or ""), with its arguments: see pgPrecheck.
	pre     string
	preArgs []any
}

// pgPrecheck is a condition over messages m that every message matching a
// plain list of words passes, and that costs a fraction of to_tsvector: the
// longest run of letters and digits of each word is in the lower-cased text.
// Every lexeme the parser makes of a word holds its runs whole, and is
// lower-cased text of the message (lower() is the lower-casing to_tsvector
// does), so a message without the run cannot match. Walking tickets tests
// most of their messages; parsing each into a tsvector was most of a
// search's time (a message: ~13 µs parsed, ~1 µs searched). "" for web
// search syntax, where a word may be negated.
func pgPrecheck(fn string, words []string) (string, []any) {
	if fn != "to_tsquery" {
		return "", nil
	}
	var conds []string
	var args []any
	for _, w := range words {
		run := ""
		for _, r := range strings.FieldsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
			if len(r) > len(run) {
				run = r
			}
		}
		if run != "" {
			conds = append(conds, ` AND strpos(lower(m.subject || ' ' || m.visible_text), lower(?)) > 0`)
			args = append(args, run)
		}
	}
	return strings.Join(conds, ""), args
}

// newSearch makes the conditions for tickets whose subject, one of whose
// messages, or whose customer's name or address matches the words of text;
// false when text has no word to look for.
func (db *DB) newSearch(text string) (search, bool) {
	text = cleanSearch(text)
	words := searchWords(text)
	if len(words) == 0 {
		return search{}, false
	}
	if db.Dialect == Postgres {
		fn, arg := pgTSQuery(text, words)
		tsq := fn + `('simple', ?)`
		pre, preArgs := pgPrecheck(fn, words)
		customers, customerArgs := `SELECT u.id FROM users u WHERE `+pgCustomerSearch+` @@ `+tsq, []any{arg}
		// A message's document is in messages_fts (0040), the subjects'
		// and customers' expressions match the GIN indexes of 0006 and 0016.
		// = ANY(ARRAY(…)) runs the search first and fetches its tickets by
		// key: with IN, the planner's guess of thousands of matches chose a
		// scan of every ticket even for a rare word (28 ms → 9 ms at 100k).
		// The customers' tickets likewise (an address prefix of 111
		// customers: a scan of every ticket, 176 ms → 21 ms).
		return search{
			cond: `t.id = ANY(ARRAY(SELECT m.ticket_id FROM messages_fts f JOIN messages m ON m.id = f.message_id WHERE f.doc @@ ` + tsq + `
			UNION SELECT s.id FROM tickets s WHERE to_tsvector('simple', s.subject) @@ ` + tsq + `
			UNION SELECT c.id FROM tickets c WHERE c.customer_id = ANY(ARRAY(` + customers + `))))`,
			args: append([]any{arg, arg}, customerArgs...),
			// The message test is a scalar subquery, run per ticket and
			// stopping at its first match: PostgreSQL turned an EXISTS into
			// a hash of every matching message, the cost walking avoids.
			walk: `(to_tsvector('simple', t.subject) @@ ` + tsq + ` OR t.customer_id IN (` + customers + `)
			OR (SELECT true FROM messages m JOIN messages_fts f ON f.message_id = m.id WHERE m.ticket_id = t.id` + pre + ` AND f.doc @@ ` + tsq + ` LIMIT 1))`,
			walkArgs: append(append(append([]any{arg}, customerArgs...), preArgs...), arg),
			pre:      pre, preArgs: preArgs,
		}, true
	}
	customers, customerArgs := customerSearch(words)
	match := ftsQuery(words)
	return search{
		cond: `t.id IN (SELECT m.ticket_id FROM messages m WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)
		UNION SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?
		UNION SELECT c.id FROM tickets c WHERE c.customer_id IN (` + customers + `))`,
		args: append([]any{match, match}, customerArgs...),
	}, true
}

// searchWindow is how many of the newest tickets searchNewest tests first,
// in pages: enough to fill a page when a third of the tickets match, and
// little wasted when fewer do (at 20k tickets, 200k messages: a rare word
// took 12 ms by the index alone, 58 ms after a walk of 10 pages, 21 ms
// after 3).
const searchWindow = 3

// maxSearchWalk is the most tickets a second, longer walk tests, in pages:
// a search found in one ticket in 40 still fills a page by walking (at 100k
// tickets, "printer rechnung", in 14% of them: 20k matching messages, 400–800
// ms by the index, 30 ms walking 8 pages).
const maxSearchWalk = 40

// searchNewest looks for a page of matches by testing the newest tickets of
// the queue one at a time, each stopping at its first matching message, and
// gives up (nil, nil) when that holds less than a page of matches. A word in
// most tickets fills a page after a few dozen tickets, where the index
// search would collect every message that has the word (at 100k tickets,
// 231k of them: 473 ms, against 3.7 ms). The first walk is searchWindow
// pages; when it finds some matches but too few, it walks again as far as
// their density says a page takes, up to maxSearchWalk pages. A rarer word
// gives up and the index search, fast for it, runs.
func (db *DB) searchNewest(ctx context.Context, viewerID int64, where []string, args []any, s search, after *Cursor, limit int) (*InboxPage, error) {
	limit = pageSize(limit)
	if after != nil {
		where, args = append(where, `(t.last_activity_at, t.id) < (?, ?)`), append(args, after.LastActivityAt.UTC(), after.ID)
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	newest := `(SELECT t.* FROM tickets t ` + cond + ` ORDER BY t.last_activity_at DESC, t.id DESC LIMIT ?) t`
	walk := func(tickets int) (*InboxPage, error) {
		return db.ticketPage(ctx, viewerID, newest, []string{s.walk}, append(append(slices.Clip(args), tickets), s.walkArgs...), nil, limit)
	}
	window := searchWindow * (limit + 1)
	page, err := walk(window)
	if err != nil || page.Next != nil {
		return page, err
	}
	found := len(page.Rows)
	if found == 0 {
		return nil, nil
	}
	// Enough tickets for a page at the density found, and a fifth more.
	need := window * (limit + 1) * 6 / (found * 5)
	if need > maxSearchWalk*(limit+1) {
		return nil, nil
	}
	page, err = walk(need)
	if err != nil || page.Next == nil {
		return nil, err
	}
	return page, nil
}

// pageSize is the page size for a limit: 0 is DefaultPageSize, and at most
// MaxPageSize.
func pageSize(limit int) int {
	if limit == 0 {
		limit = DefaultPageSize
	}
	return min(limit, MaxPageSize)
}

// pgCustomerSearch is the expression of the users_search index
// (0016_customer_search.sql): a customer's name and address as words.
const pgCustomerSearch = `to_tsvector('simple', u.name || ' ' || u.email || ' ' || replace(u.email, '@', ' ') || ' ' || translate(u.email, '@.', '  '))`

// customerSearch, on SQLite, selects the ids of users whose name or address
// holds every word, each at the start of a word of the name, of the address,
// of its domain, or of its parts split at '@' and '.' ("jo" finds
// jo.lee@mail.example; "lee", "mail.example" and the whole address do
// too). Like the text search, only a last word long enough is a prefix;
// others must match whole. Every user is scanned: no SQLite index serves
// LIKE '% word%', and a desk on SQLite is small.
func customerSearch(words []string) (string, []any) {
	const hay = `(' ' || lower(u.name) || ' ' || lower(u.email) || ' ' || replace(lower(u.email), '@', ' ') || ' ' || replace(replace(lower(u.email), '@', ' '), '.', ' ') || ' ')`
	escape := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	conds := make([]string, len(words))
	args := make([]any, len(words))
	for i, w := range words {
		conds[i] = hay + ` LIKE ? ESCAPE '\'`
		pattern := "% " + escape.Replace(strings.ToLower(w))
		if i == len(words)-1 && utf8.RuneCountInString(w) >= minPrefix {
			args[i] = pattern + "%"
		} else {
			args[i] = pattern + " %"
		}
	}
	return `SELECT u.id FROM users u WHERE ` + strings.Join(conds, " AND "), args
}

// Bounds on the work one search can ask for.
const (
	maxSearchRunes = 256
	maxSearchWords = 16
)

// minPrefix is the shortest last word searched as a prefix ("inv" finds
// "invoice"); shorter ones must match whole, as a one-letter prefix would
// walk most of the index.
const minPrefix = 3

// cleanSearch drops what no database takes in text (NUL, invalid UTF-8)
// and cuts the search to maxSearchRunes.
func cleanSearch(search string) string {
	search = strings.ToValidUTF8(strings.ReplaceAll(search, "\x00", ""), "")
	if r := []rune(search); len(r) > maxSearchRunes {
		search = string(r[:maxSearchRunes])
	}
	return search
}

// searchWords splits a search into words: runs of anything but spaces that
// hold at least one letter or digit, with double quotes removed, at most
// maxSearchWords.
func searchWords(search string) []string {
	var out []string
	for _, w := range strings.Fields(strings.ReplaceAll(search, `"`, " ")) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0 {
			out = append(out, w)
		}
		if len(out) == maxSearchWords {
			break
		}
	}
	return out
}

// ftsQuery is an FTS5 query for tickets with every word: each one quoted, so
// that nothing the user typed is read as FTS5 syntax, and the last one a
// prefix when it is long enough.
func ftsQuery(words []string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(`"` + w + `"`) // words hold no '"'
		if i == len(words)-1 && utf8.RuneCountInString(w) >= minPrefix {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// pgTSQuery picks the PostgreSQL function and argument for a search. A plain
// list of words becomes a to_tsquery of every word, the last one a prefix;
// a search using web search syntax ("quoted phrase", -word, or) goes to
// websearch_to_tsquery as typed, which accepts any text.
func pgTSQuery(search string, words []string) (fn, arg string) {
	syntax := strings.Contains(search, `"`)
	for _, w := range strings.Fields(search) {
		syntax = syntax || strings.HasPrefix(w, "-") || strings.EqualFold(w, "or")
	}
	if syntax {
		return "websearch_to_tsquery", search
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteString(" & ")
		}
		// A quoted lexeme: ' doubled and \ escaped, so the word is data.
		b.WriteString(`'` + strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(w) + `'`)
		if i == len(words)-1 && utf8.RuneCountInString(w) >= minPrefix {
			b.WriteString(":*")
		}
	}
	return "to_tsquery", b.String()
}

// QueueCounts is how many tickets each inbox queue holds.
type QueueCounts struct {
	Open       int `db:"open"`
	Pending    int `db:"pending"`
	Mine       int `db:"mine"`
	Unassigned int `db:"unassigned"`
	Snoozed    int `db:"snoozed"`
}

// Of returns the count of a queue, and false for a queue not counted (all).
func (c QueueCounts) Of(queue string) (int, bool) {
	switch queue {
	case QueueOpen:
		return c.Open, true
	case QueuePending:
		return c.Pending, true
	case QueueMine:
		return c.Mine, true
	case QueueUnassigned:
		return c.Unassigned, true
	case QueueSnoozed:
		return c.Snoozed, true
	}
	return 0, false
}

// QueueCountCap is the most QueueCounts counts in one queue: a queue
// holding that many shows as "QueueCountCap+".
const QueueCountCap = 1000

// QueueCounts counts the tickets of every queue but "all", for the viewer,
// in one statement, each up to QueueCountCap. Each count walks only its own
// queue, and stops at the cap: every inbox page counts, and exact counts of
// 25,000 open tickets took 40–90 ms of PostgreSQL per page at 100k tickets
// (1 ms capped). "all" is not counted, as that would read every ticket.
func (db *DB) QueueCounts(ctx context.Context, viewerID int64) (QueueCounts, error) {
	var cols []string
	var args []any
	now := db.Now()
	for _, queue := range []string{QueueOpen, QueuePending, QueueMine, QueueUnassigned, QueueSnoozed} {
		where, a, err := queueCond(queue, viewerID, now)
		if err != nil {
			return QueueCounts{}, err
		}
		cols = append(cols, `(SELECT COUNT(*) FROM (SELECT 1 FROM tickets t WHERE `+strings.Join(where, " AND ")+
			` LIMIT `+strconv.Itoa(QueueCountCap)+`) q) AS `+queue)
		args = append(args, a...)
	}
	var c QueueCounts
	err := db.X.GetContext(ctx, &c, db.q(`SELECT `+strings.Join(cols, ", ")), args...)
	if err != nil {
		return QueueCounts{}, fmt.Errorf("store: queue counts: %w", err)
	}
	return c, nil
}

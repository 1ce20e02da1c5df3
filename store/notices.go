package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Kinds of staff notice: what a staff member is told by mail.
const (
	NoticeNewTicket     = "new_ticket"     // a ticket was opened
	NoticeCustomerReply = "customer_reply" // a customer wrote on a ticket they are assigned to or follow
	NoticeAssigned      = "assigned"       // someone else assigned a ticket to them
	NoticeMention       = "mention"        // an internal note names them (@mia)
	NoticePrivacyDue    = "privacy_due"    // a privacy request is near its 30-day due date
	NoticeSLABreach     = "sla_breach"     // a ticket missed an SLA target (detail: "first_response|<due>" or "resolution|<due>")
	// NoticeHeld tells a staff member that their answer by mail was held on
	// the ticket, and why. It is not a preference: it answers their own mail.
	NoticeHeld = "held"
)

// NoticeKinds are the kinds a staff member may switch on or off, in the
// order /account lists them.
var NoticeKinds = []string{NoticeNewTicket, NoticeCustomerReply, NoticeAssigned, NoticeMention, NoticePrivacyDue, NoticeSLABreach}

// DefaultNoticeWait is how long a notice waits in the outbox for more
// events about the same ticket to join it (DARGO_NOTIFY_DIGEST_SECONDS).
const DefaultNoticeWait = time.Minute

// PrivacyCategory is the category of requests about personal data; they
// are due PrivacyDue after they arrive.
const (
	PrivacyCategory = "privacy"
	PrivacyDue      = 30 * 24 * time.Hour
)

// StaffPrefs is what a staff member wants mailed. A person without a saved
// row has DefaultStaffPrefs.
type StaffPrefs struct {
	UserID        int64 `db:"user_id"`
	NewTicket     bool  `db:"new_ticket"`
	CustomerReply bool  `db:"customer_reply"`
	Assigned      bool  `db:"assigned"`
	Mention       bool  `db:"mention"`
	PrivacyDue    bool  `db:"privacy_due"`
	SLABreach     bool  `db:"sla_breach"`
	// Away pauses every notice; nothing is kept to send later.
	Away bool `db:"away"`
	// Categories are the categories whose new tickets they hear of,
	// comma-separated; "" is every category.
	Categories string    `db:"categories"`
	UpdatedAt  time.Time `db:"updated_at"`
}

// DefaultStaffPrefs is every kind on, not away, every category.
func DefaultStaffPrefs(userID int64) StaffPrefs {
	return StaffPrefs{UserID: userID, NewTicket: true, CustomerReply: true, Assigned: true, Mention: true, PrivacyDue: true, SLABreach: true}
}

// Wants reports whether the preferences let a notice of the kind through.
func (p StaffPrefs) Wants(kind string) bool {
	if kind == NoticeHeld {
		return true
	}
	if p.Away {
		return false
	}
	switch kind {
	case NoticeSnoozeEnded:
		return true // chosen by following the ticket
	case NoticeNewTicket:
		return p.NewTicket
	case NoticeCustomerReply:
		return p.CustomerReply
	case NoticeAssigned:
		return p.Assigned
	case NoticeMention:
		return p.Mention
	case NoticePrivacyDue:
		return p.PrivacyDue
	case NoticeSLABreach:
		return p.SLABreach
	}
	return false
}

// CategoryList is Categories as a list; empty means every category.
func (p StaffPrefs) CategoryList() []string {
	var out []string
	for _, c := range strings.Split(p.Categories, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// Follows reports whether new tickets of the category reach them.
func (p StaffPrefs) Follows(category string) bool {
	list := p.CategoryList()
	return len(list) == 0 || slices.Contains(list, category)
}

// AuditStaffPrefs is a staff member changing their notification choices.
const AuditStaffPrefs = "staff_prefs_changed"

// StaffPrefs returns a staff member's preferences, the defaults when they
// never saved any.
func (db *DB) StaffPrefs(ctx context.Context, userID int64) (*StaffPrefs, error) {
	var p StaffPrefs
	err := db.X.GetContext(ctx, &p, db.q(`SELECT * FROM staff_prefs WHERE user_id = ?`), userID)
	if err == sqlErrNoRows {
		p = DefaultStaffPrefs(userID)
		return &p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: staff prefs: %w", err)
	}
	return &p, nil
}

// SaveStaffPrefs stores a staff member's preferences and audits the change.
func (db *DB) SaveStaffPrefs(ctx context.Context, p StaffPrefs) error {
	p.Categories = strings.Join(p.CategoryList(), ",")
	return db.InTx(ctx, func(tx *Tx) error {
		now := db.Now()
		_, err := tx.ExecContext(ctx, tx.q(`INSERT INTO staff_prefs (user_id, new_ticket, customer_reply, assigned, mention, privacy_due, sla_breach, away, categories, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET new_ticket = excluded.new_ticket, customer_reply = excluded.customer_reply,
			assigned = excluded.assigned, mention = excluded.mention, privacy_due = excluded.privacy_due, sla_breach = excluded.sla_breach, away = excluded.away,
			categories = excluded.categories, updated_at = excluded.updated_at`),
			p.UserID, p.NewTicket, p.CustomerReply, p.Assigned, p.Mention, p.PrivacyDue, p.SLABreach, p.Away, p.Categories, now)
		if err != nil {
			return fmt.Errorf("store: save staff prefs: %w", err)
		}
		return tx.Audit(ctx, Audit{ActorID: p.UserID, Action: AuditStaffPrefs, UserID: p.UserID, Detail: map[string]any{"away": p.Away}})
	})
}

// notice is one thing to tell staff about a ticket.
type notice struct {
	kind    string
	ticket  Ticket
	message int64 // the message it is about, 0 for none
	actor   int64 // who caused it: never told about their own doing
	detail  string
}

// tell records the notice for each of users who wants it, and puts it in
// their notice mail for the ticket: the one still held in the outbox, so a
// burst becomes one digest, or a new one held db.NoticeWait. Only staff
// and admins are ever told; the actor never is. No users tells nobody.
func (tx *Tx) tell(ctx context.Context, n notice, users []int64) error {
	if len(users) == 0 {
		return nil
	}
	return tx.tellStaffOf(ctx, n, users)
}

// tellEveryone is tell to every staff member.
func (tx *Tx) tellEveryone(ctx context.Context, n notice) error {
	return tx.tellStaffOf(ctx, n, nil)
}

// tellStaffOf is tell to users, or to every staff member when users is nil.
func (tx *Tx) tellStaffOf(ctx context.Context, n notice, users []int64) error {
	query := `SELECT u.*, COALESCE(p.new_ticket, TRUE) AS new_ticket, COALESCE(p.customer_reply, TRUE) AS customer_reply,
		COALESCE(p.assigned, TRUE) AS assigned, COALESCE(p.mention, TRUE) AS mention, COALESCE(p.privacy_due, TRUE) AS privacy_due,
		COALESCE(p.sla_breach, TRUE) AS sla_breach,
		COALESCE(p.away, FALSE) AS away, COALESCE(p.categories, '') AS categories
		FROM users u LEFT JOIN staff_prefs p ON p.user_id = u.id
		WHERE u.role IN ('staff', 'admin') AND u.erased_at IS NULL AND u.id <> ?`
	args := []any{n.actor}
	if users != nil {
		q, a, err := sqlx.In(query+` AND u.id IN (?)`, n.actor, users)
		if err != nil {
			return fmt.Errorf("store: tell staff: %w", err)
		}
		query, args = q, a
	}
	var targets []staffRow
	if err := tx.SelectContext(ctx, &targets, tx.q(query+` ORDER BY u.id`), args...); err != nil {
		return fmt.Errorf("store: tell staff: %w", err)
	}
	return tx.tellRows(ctx, n, targets)
}

// tellRows is tell to the staff read (tellStaffOf's query, or
// staffJSON's) who want the notice.
func (tx *Tx) tellRows(ctx context.Context, n notice, targets []staffRow) error {
	now := tx.db.Now()
	for _, t := range targets {
		p := t.prefs(t.ID)
		if !p.Wants(n.kind) || n.kind == NoticeNewTicket && !p.Follows(n.ticket.Category) {
			continue
		}
		if err := tx.tellOne(ctx, t.user(), n, now); err != nil {
			return err
		}
	}
	return nil
}

// noticePrefs are the preference columns tell reads beside each user.
type noticePrefs struct {
	NewTicket     bool   `db:"new_ticket"`
	CustomerReply bool   `db:"customer_reply"`
	Assigned      bool   `db:"assigned"`
	Mention       bool   `db:"mention"`
	PrivacyDue    bool   `db:"privacy_due"`
	SLABreach     bool   `db:"sla_breach"`
	Away          bool   `db:"away"`
	Categories    string `db:"categories"`
}

func (n noticePrefs) prefs(userID int64) StaffPrefs {
	return StaffPrefs{UserID: userID, NewTicket: n.NewTicket, CustomerReply: n.CustomerReply, Assigned: n.Assigned,
		Mention: n.Mention, PrivacyDue: n.PrivacyDue, SLABreach: n.SLABreach, Away: n.Away, Categories: n.Categories}
}

// staffRow is one row of tell's query.
type staffRow struct {
	ID         int64      `db:"id"`
	Email      string     `db:"email"`
	Name       string     `db:"name"`
	Role       string     `db:"role"`
	CreatedAt  time.Time  `db:"created_at"`
	UpdatedAt  time.Time  `db:"updated_at"`
	ErasedAt   *time.Time `db:"erased_at"`
	MergedInto *int64     `db:"merged_into"`
	Language   string     `db:"language"`
	noticePrefs
}

func (r staffRow) user() User {
	return User{ID: r.ID, Email: r.Email, Name: r.Name, Role: r.Role, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ErasedAt: r.ErasedAt, Language: r.Language}
}

// tellOne adds the notice to u's notice mail for the ticket.
func (tx *Tx) tellOne(ctx context.Context, u User, n notice, now time.Time) error {
	// A mail the relay cannot have taken yet: due later than the margin
	// that also guards Undo, so no worker is building it right now.
	var held []int64
	err := tx.SelectContext(ctx, &held, tx.q(`SELECT e.id FROM emails e JOIN outbox o ON o.email_id = e.id
		WHERE e.user_id = ? AND e.ticket_id = ? AND e.kind = ? AND e.status = ? AND o.relayed_at IS NULL AND o.not_before > ?
		ORDER BY e.id DESC LIMIT 1`+tx.lockOutbox()), u.ID, n.ticket.ID, EmailStaffNotice, EmailQueued, now.Add(UndoMargin))
	if err != nil {
		return fmt.Errorf("store: tell staff: %w", err)
	}
	var emailID int64
	if len(held) > 0 {
		emailID = held[0]
	} else if id, ok, err := tx.heldDigest(ctx, u, n, now); err != nil {
		return err
	} else if ok {
		emailID = id
	} else {
		uid, tid := u.ID, n.ticket.ID
		mail := QueuedEmail{UserID: &uid, To: u.Email, Kind: EmailStaffNotice, TicketID: &tid, Subject: n.ticket.Subject, Auto: true}
		if wait := tx.db.NoticeWait; wait > 0 {
			mail.NotBefore = now.Add(wait)
		}
		if emailID, _, err = tx.queueEmail(ctx, mail); err != nil {
			return err
		}
	}
	var message, actor *int64
	if n.message != 0 {
		message = &n.message
	}
	if n.actor != 0 {
		actor = &n.actor
	}
	_, err = tx.ExecContext(ctx, tx.q(`INSERT INTO staff_events (user_id, ticket_id, kind, message_id, actor_id, detail, email_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), u.ID, n.ticket.ID, n.kind, message, actor, n.detail, emailID, now)
	if err != nil {
		return fmt.Errorf("store: tell staff: %w", err)
	}
	return nil
}

// tellCustomerMessage tells the ticket's assignee and followers that its
// customer (or a Cc) wrote.
func (tx *Tx) tellCustomerMessage(ctx context.Context, t Ticket, author, message int64) error {
	var users []int64
	err := tx.SelectContext(ctx, &users, tx.q(`SELECT user_id FROM followers WHERE ticket_id = ?
		UNION SELECT assignee_id FROM tickets WHERE id = ? AND assignee_id IS NOT NULL`), t.ID, t.ID)
	if err != nil {
		return fmt.Errorf("store: tell followers: %w", err)
	}
	return tx.tell(ctx, notice{kind: NoticeCustomerReply, ticket: t, message: message, actor: author}, users)
}

// follow makes a staff member follow a ticket (idempotent).
func (tx *Tx) follow(ctx context.Context, ticketID, userID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, tx.q(`INSERT INTO followers (ticket_id, user_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT (ticket_id, user_id) DO NOTHING`), ticketID, userID, now)
	if err != nil {
		return fmt.Errorf("store: follow: %w", err)
	}
	return nil
}

// Follow makes a staff member follow a ticket; following twice is harmless.
func (db *DB) Follow(ctx context.Context, ticketID, userID int64) error {
	return db.InTx(ctx, func(tx *Tx) error {
		var role string
		if err := tx.GetContext(ctx, &role, tx.q(`SELECT role FROM users WHERE id = ?`), userID); err != nil {
			return notFound(err, "follower")
		}
		if role != RoleStaff && role != RoleAdmin {
			return fmt.Errorf("%w: only staff follow tickets", ErrInvalidChange)
		}
		return tx.follow(ctx, ticketID, userID, db.Now())
	})
}

// Unfollow stops a staff member following a ticket.
func (db *DB) Unfollow(ctx context.Context, ticketID, userID int64) error {
	if _, err := db.X.ExecContext(ctx, db.q(`DELETE FROM followers WHERE ticket_id = ? AND user_id = ?`), ticketID, userID); err != nil {
		return fmt.Errorf("store: unfollow: %w", err)
	}
	return nil
}

// Followers lists the staff following a ticket, by address.
func (db *DB) Followers(ctx context.Context, ticketID int64) ([]User, error) {
	out := []User{}
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT u.* FROM followers f JOIN users u ON u.id = f.user_id
		WHERE f.ticket_id = ? ORDER BY u.email`), ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: followers: %w", err)
	}
	return out, nil
}

// TellPrivacyDue tells staff about each privacy request still open or
// pending whose due date is less than within away: its assignee, or every
// staff member when nobody is assigned. Each request is told of once; it
// returns how many were.
func (db *DB) TellPrivacyDue(ctx context.Context, within time.Duration) (int, error) {
	now := db.Now()
	var due []Ticket
	err := db.X.SelectContext(ctx, &due, db.q(`SELECT * FROM tickets t WHERE t.category = ? AND t.status IN ('open', 'pending')
		AND t.created_at < ? AND NOT EXISTS (SELECT 1 FROM staff_events e WHERE e.ticket_id = t.id AND e.kind = ?)
		ORDER BY t.id LIMIT 500`), PrivacyCategory, now.Add(within-PrivacyDue), NoticePrivacyDue)
	if err != nil {
		return 0, fmt.Errorf("store: privacy due: %w", err)
	}
	told := 0
	for _, t := range due {
		err := db.InTx(ctx, func(tx *Tx) error {
			n := notice{kind: NoticePrivacyDue, ticket: t, detail: t.CreatedAt.Add(PrivacyDue).UTC().Format(time.RFC3339)}
			if t.AssigneeID != nil {
				return tx.tell(ctx, n, []int64{*t.AssigneeID})
			}
			return tx.tellEveryone(ctx, n)
		})
		if err != nil {
			return told, err
		}
		told++
	}
	return told, nil
}

// SweepStaffEvents deletes staff notice events older than keep, at most
// batch at a time; it returns how many went.
func (db *DB) SweepStaffEvents(ctx context.Context, keep time.Duration, batch int) (int64, error) {
	res, err := db.X.ExecContext(ctx, db.q(`DELETE FROM staff_events WHERE id IN (SELECT id FROM staff_events WHERE created_at < ? AND kind <> ? ORDER BY id LIMIT ?)`),
		db.Now().Add(-keep), NoticePrivacyDue, batch)
	if err != nil {
		return 0, fmt.Errorf("store: sweep staff events: %w", err)
	}
	return res.RowsAffected()
}

// EmailStaffNotice is a notice to a staff member about a ticket: one or
// more staff_events, mailed as one digest. It never goes to customers.
const EmailStaffNotice = "staff_notice"

// lockOutbox is the locking clause for a query that picks a held outbox
// row (o) to add to: on PostgreSQL the row stays locked until the
// transaction commits, and the relay skips locked rows (OutboxDue), so
// a notice is never sent while an event joining it is still uncommitted.
// SQLite has one writer at a time and needs none.
func (tx *Tx) lockOutbox() string {
	if tx.db.Dialect == Postgres {
		return ` FOR UPDATE OF o`
	}
	return ""
}

// staffJSON is PostgreSQL SQL for tellEveryone's staff, but the one who
// acts ($4 of the statement it is put in), as a JSON array (staffRows reads
// it): what tell needs of each, and their preferences.
const staffJSON = `(SELECT COALESCE(json_agg(json_build_object('id', u.id, 'email', u.email, 'name', u.name, 'role', u.role,
		'language', u.language, 'new_ticket', COALESCE(p.new_ticket, TRUE), 'customer_reply', COALESCE(p.customer_reply, TRUE),
		'assigned', COALESCE(p.assigned, TRUE), 'mention', COALESCE(p.mention, TRUE), 'privacy_due', COALESCE(p.privacy_due, TRUE),
		'sla_breach', COALESCE(p.sla_breach, TRUE), 'away', COALESCE(p.away, FALSE), 'categories', COALESCE(p.categories, ''))
		ORDER BY u.id), '[]')
	FROM users u LEFT JOIN staff_prefs p ON p.user_id = u.id
	WHERE u.role IN ('staff', 'admin') AND u.erased_at IS NULL AND u.id <> $4)`

// staffRows reads staffJSON's array.
func staffRows(data string) ([]staffRow, error) {
	var rows []struct {
		ID            int64  `json:"id"`
		Email         string `json:"email"`
		Name          string `json:"name"`
		Role          string `json:"role"`
		Language      string `json:"language"`
		NewTicket     bool   `json:"new_ticket"`
		CustomerReply bool   `json:"customer_reply"`
		Assigned      bool   `json:"assigned"`
		Mention       bool   `json:"mention"`
		PrivacyDue    bool   `json:"privacy_due"`
		SLABreach     bool   `json:"sla_breach"`
		Away          bool   `json:"away"`
		Categories    string `json:"categories"`
	}
	if err := json.Unmarshal([]byte(data), &rows); err != nil {
		return nil, fmt.Errorf("store: tell staff: %w", err)
	}
	out := make([]staffRow, len(rows))
	for i, r := range rows {
		out[i] = staffRow{ID: r.ID, Email: r.Email, Name: r.Name, Role: r.Role, Language: r.Language,
			noticePrefs: noticePrefs{NewTicket: r.NewTicket, CustomerReply: r.CustomerReply, Assigned: r.Assigned, Mention: r.Mention,
				PrivacyDue: r.PrivacyDue, SLABreach: r.SLABreach, Away: r.Away, Categories: r.Categories}}
	}
	return out, nil
}

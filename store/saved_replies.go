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

// Limits of a saved reply, in characters.
const (
	MaxSavedReplyTitle = 120
	MaxSavedReplyBody  = 20000
)

// Audited saved-reply actions; the detail names the reply by id and says
// whether it is shared, never its text.
const (
	AuditSavedReplyCreate = "saved_reply_create"
	AuditSavedReplyUpdate = "saved_reply_update"
	AuditSavedReplyDelete = "saved_reply_delete"
)

// ErrSavedReplyLocked is a shared saved reply that only its creator or an
// admin may change.
var ErrSavedReplyLocked = errors.New("store: only the person who made a shared saved reply, or an admin, may change it")

// SavedReply is an answer staff insert from the composer: a title, a body
// with placeholders, and actions applied to the ticket when it is sent.
// OwnerID nil is shared with all staff; otherwise only its owner sees it.
type SavedReply struct {
	ID         int64      `db:"id"`
	Title      string     `db:"title"`
	Body       string     `db:"body"`
	OwnerID    *int64     `db:"owner_id"`
	Status     string     `db:"status"`
	Priority   string     `db:"priority"`
	Category   string     `db:"category"`
	AssigneeID *int64     `db:"assignee_id"`
	AddTags    string     `db:"add_tags"` // normalised names, ", " between
	Uses       int64      `db:"uses"`
	LastUsedAt *time.Time `db:"last_used_at"`
	CreatedBy  *int64     `db:"created_by"`
	CreatedAt  time.Time  `db:"created_at"`
	UpdatedAt  time.Time  `db:"updated_at"`
}

// Shared says whether every staff member may use the reply.
func (s SavedReply) Shared() bool { return s.OwnerID == nil }

// Tags returns the tags the reply adds.
func (s SavedReply) Tags() []string {
	if s.AddTags == "" {
		return nil
	}
	return strings.Split(s.AddTags, ", ")
}

// HasActions says whether sending the reply changes the ticket.
func (s SavedReply) HasActions() bool {
	return s.Status != "" || s.Priority != "" || s.Category != "" || s.AssigneeID != nil || s.AddTags != ""
}

// change is the reply's actions on a ticket as a ChangeTicket change.
func (s SavedReply) change(ticketID, staffID int64, hold time.Duration) Change {
	return Change{TicketID: ticketID, ActorID: staffID, Status: s.Status, Priority: s.Priority,
		Category: s.Category, Assignee: s.AssigneeID, Hold: hold}
}

// SavedReplyInput is a saved reply as typed: Tags is comma-separated and
// AssigneeID 0 assigns nobody.
type SavedReplyInput struct {
	Title      string
	Body       string
	Personal   bool
	Status     string
	Priority   string
	Category   string
	AssigneeID int64
	Tags       string
}

// SavedReplyError says which field of a saved reply was refused and why,
// in words for the person who typed it.
type SavedReplyError struct {
	Field  string // title, body, status, priority, category, assignee, tags
	Reason string
}

func (e *SavedReplyError) Error() string { return "store: saved reply " + e.Field + ": " + e.Reason }

// clean checks the input and returns the row it makes (without ids and times).
func (in SavedReplyInput) clean() (SavedReply, error) {
	bad := func(field, reason string) (SavedReply, error) {
		return SavedReply{}, &SavedReplyError{Field: field, Reason: reason}
	}
	title := strings.Join(strings.Fields(in.Title), " ")
	body := strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	switch {
	case title == "":
		return bad("title", "Give the saved reply a title.")
	case utf8.RuneCountInString(title) > MaxSavedReplyTitle:
		return bad("title", fmt.Sprintf("A title has at most %d characters.", MaxSavedReplyTitle))
	case !utf8.ValidString(title) || !utf8.ValidString(body):
		return bad("body", "The text is not valid UTF-8.")
	case body == "":
		return bad("body", "Write the reply's text.")
	case utf8.RuneCountInString(body) > MaxSavedReplyBody:
		return bad("body", fmt.Sprintf("A saved reply has at most %d characters.", MaxSavedReplyBody))
	}
	if err := CheckPlaceholders(body); err != nil {
		return bad("body", err.Error())
	}
	if in.Status != "" && !slices.Contains(Statuses, in.Status) {
		return bad("status", "Choose a status from the list.")
	}
	if in.Priority != "" && !slices.Contains(Priorities, in.Priority) {
		return bad("priority", "Choose a priority from the list.")
	}
	if len(in.Category) > 64 {
		return bad("category", "Choose a category from the list.")
	}
	tags, err := ParseTags(in.Tags)
	if err != nil {
		return bad("tags", "A tag has at most 40 characters and no control characters; separate tags with commas.")
	}
	s := SavedReply{Title: title, Body: body, Status: in.Status, Priority: in.Priority, Category: in.Category,
		AddTags: strings.Join(tags, ", ")}
	if in.AssigneeID != 0 {
		s.AssigneeID = &in.AssigneeID
	}
	return s, nil
}

// checkAssignee refuses an assignee who is not (or no longer) staff.
func (tx *Tx) checkAssignee(ctx context.Context, id *int64) error {
	if id == nil {
		return nil
	}
	var n int
	if err := tx.GetContext(ctx, &n, tx.q(`SELECT COUNT(*) FROM users WHERE id = ? AND role IN ('staff', 'admin') AND erased_at IS NULL`), *id); err != nil {
		return err
	}
	if n == 0 {
		return &SavedReplyError{Field: "assignee", Reason: "Choose an assignee from the staff list."}
	}
	return nil
}

// CreateSavedReply checks and stores a saved reply made by the staff
// member (personal to them when in.Personal), audited. A refused field is
// a *SavedReplyError; an unknown placeholder is refused here, naming it.
func (db *DB) CreateSavedReply(ctx context.Context, staffID int64, in SavedReplyInput) (*SavedReply, error) {
	s, err := in.clean()
	if err != nil {
		return nil, err
	}
	now := db.Now()
	s.CreatedBy, s.CreatedAt, s.UpdatedAt = &staffID, now, now
	if in.Personal {
		s.OwnerID = &staffID
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		if err := tx.checkAssignee(ctx, s.AssigneeID); err != nil {
			return err
		}
		if err := tx.QueryRowxContext(ctx, tx.q(`INSERT INTO saved_replies (title, body, owner_id, status, priority, category,
			assignee_id, add_tags, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			s.Title, s.Body, s.OwnerID, s.Status, s.Priority, s.Category, s.AssigneeID, s.AddTags, staffID, now, now).Scan(&s.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, Audit{ActorID: staffID, Action: AuditSavedReplyCreate, Detail: map[string]any{"saved_reply": s.ID, "shared": s.Shared()}})
	})
	if err != nil {
		return nil, fmt.Errorf("store: create saved reply: %w", err)
	}
	return &s, nil
}

// UpdateSavedReply changes a saved reply the staff member may edit (see
// editable), audited. A personal reply becoming shared, or the other way
// round, is allowed; personal means the editor's own.
func (db *DB) UpdateSavedReply(ctx context.Context, staffID, id int64, in SavedReplyInput) (*SavedReply, error) {
	s, err := in.clean()
	if err != nil {
		return nil, err
	}
	if in.Personal {
		s.OwnerID = &staffID
	}
	var out SavedReply
	err = db.InTx(ctx, func(tx *Tx) error {
		old, err := tx.editable(ctx, staffID, id)
		if err != nil {
			return err
		}
		if err := tx.checkAssignee(ctx, s.AssigneeID); err != nil {
			return err
		}
		now := tx.db.Now()
		if _, err := tx.ExecContext(ctx, tx.q(`UPDATE saved_replies SET title = ?, body = ?, owner_id = ?, status = ?, priority = ?,
			category = ?, assignee_id = ?, add_tags = ?, updated_at = ? WHERE id = ?`),
			s.Title, s.Body, s.OwnerID, s.Status, s.Priority, s.Category, s.AssigneeID, s.AddTags, now, id); err != nil {
			return err
		}
		out = s
		out.ID, out.Uses, out.LastUsedAt, out.CreatedBy, out.CreatedAt, out.UpdatedAt = id, old.Uses, old.LastUsedAt, old.CreatedBy, old.CreatedAt, now
		return tx.Audit(ctx, Audit{ActorID: staffID, Action: AuditSavedReplyUpdate, Detail: map[string]any{"saved_reply": id, "shared": s.Shared(), "was_shared": old.Shared()}})
	})
	if err != nil {
		return nil, fmt.Errorf("store: update saved reply: %w", err)
	}
	return &out, nil
}

// DeleteSavedReply deletes a saved reply the staff member may edit, audited.
func (db *DB) DeleteSavedReply(ctx context.Context, staffID, id int64) error {
	err := db.InTx(ctx, func(tx *Tx) error {
		old, err := tx.editable(ctx, staffID, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.q(`DELETE FROM saved_replies WHERE id = ?`), id); err != nil {
			return err
		}
		return tx.Audit(ctx, Audit{ActorID: staffID, Action: AuditSavedReplyDelete, Detail: map[string]any{"saved_reply": id, "shared": old.Shared()}})
	})
	if err != nil {
		return fmt.Errorf("store: delete saved reply: %w", err)
	}
	return nil
}

// editable returns the reply when the staff member may change it: their
// own personal reply, or a shared one they made or, being an admin, any
// shared one. Someone else's personal reply is ErrNotFound (they cannot
// know it exists); a shared one they may not change is ErrSavedReplyLocked.
func (tx *Tx) editable(ctx context.Context, staffID, id int64) (SavedReply, error) {
	s, err := tx.savedReply(ctx, staffID, id)
	if err != nil || !s.Shared() || s.CreatedBy != nil && *s.CreatedBy == staffID {
		return s, err
	}
	var role string
	if err := tx.GetContext(ctx, &role, tx.q(`SELECT role FROM users WHERE id = ?`), staffID); err != nil {
		return s, notFound(err, "saved reply editor")
	}
	if role != RoleAdmin {
		return s, ErrSavedReplyLocked
	}
	return s, nil
}

// CanEditSavedReply says whether the staff member may change the reply
// (the rule editable applies), for pages to offer the edit form or not.
func CanEditSavedReply(s SavedReply, staffID int64, admin bool) bool {
	return !s.Shared() && *s.OwnerID == staffID || s.Shared() && (admin || s.CreatedBy != nil && *s.CreatedBy == staffID)
}

// savedReply returns the reply when the staff member may see it: shared,
// or personal to them; ErrNotFound otherwise.
func (tx *Tx) savedReply(ctx context.Context, staffID, id int64) (SavedReply, error) {
	var s SavedReply
	err := tx.GetContext(ctx, &s, tx.q(`SELECT * FROM saved_replies WHERE id = ? AND (owner_id IS NULL OR owner_id = ?)`), id, staffID)
	if err != nil {
		return SavedReply{}, notFound(err, "saved reply")
	}
	return s, nil
}

// SavedReply returns a saved reply the staff member may see (shared, or
// their own personal one); ErrNotFound otherwise.
func (db *DB) SavedReply(ctx context.Context, staffID, id int64) (*SavedReply, error) {
	var s SavedReply
	err := db.X.GetContext(ctx, &s, db.q(`SELECT * FROM saved_replies WHERE id = ? AND (owner_id IS NULL OR owner_id = ?)`), id, staffID)
	if err != nil {
		return nil, notFound(err, "saved reply")
	}
	return &s, nil
}

// SavedReplies returns the saved replies the staff member may use (shared
// and their own personal ones) whose title or body contains q (any case;
// "" is all), most used first, then by title; at most limit (0 is 50).
func (db *DB) SavedReplies(ctx context.Context, staffID int64, q string, limit int) ([]SavedReply, error) {
	if limit <= 0 {
		limit = 50
	}
	where, args := `(owner_id IS NULL OR owner_id = ?)`, []any{staffID}
	if q = strings.TrimSpace(q); q != "" {
		like := "%" + likeEscaper.Replace(strings.ToLower(q)) + "%"
		where += ` AND (LOWER(title) LIKE ? ESCAPE '\' OR LOWER(body) LIKE ? ESCAPE '\')`
		args = append(args, like, like)
	}
	// The inner query sorts ids, not whole rows with their bodies: with
	// a thousand replies that is most of the time spent.
	out := []SavedReply{}
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM saved_replies WHERE id IN (
		SELECT id FROM saved_replies WHERE `+where+` ORDER BY uses DESC, LOWER(title), id LIMIT ?)
		ORDER BY uses DESC, LOWER(title), id`), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: saved replies: %w", err)
	}
	return out, nil
}

// likeEscaper makes text match itself in a LIKE … ESCAPE '\' pattern.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// countUse counts one use of the reply.
func (tx *Tx) countUse(ctx context.Context, id int64) error {
	_, err := tx.ExecContext(ctx, tx.q(`UPDATE saved_replies SET uses = uses + 1, last_used_at = ? WHERE id = ?`), tx.db.Now(), id)
	return err
}

// applySavedActions applies the reply's actions to the ticket: status,
// priority, category and assignee as one ChangeTicket change (its
// activity, audit entry and status mail), then the tags as AddTags does.
func (tx *Tx) applySavedActions(ctx context.Context, s SavedReply, c Change) error {
	if c.Status != "" || c.Priority != "" || c.Category != "" || c.Assignee != nil {
		if _, _, err := tx.changeTicket(ctx, c); err != nil {
			return err
		}
	}
	if tags := s.Tags(); len(tags) > 0 {
		if _, err := tx.addTags(ctx, c.TicketID, c.ActorID, tags); err != nil {
			return err
		}
	}
	return nil
}

// ApplySavedReplyActions applies the saved reply's actions to the ticket
// without posting any message, and counts a use, in one transaction: the
// status, priority, category and assignee go through ChangeTicket's path
// (activity, audit, and the status mail a move to resolved or closed
// sends, held hold for its Undo), the tags through AddTags's. The reply
// must be one the staff member may see (ErrNotFound otherwise).
func (db *DB) ApplySavedReplyActions(ctx context.Context, ticketID, staffID, replyID int64, hold time.Duration) error {
	err := db.InTx(ctx, func(tx *Tx) error {
		s, err := tx.savedReply(ctx, staffID, replyID)
		if err != nil {
			return err
		}
		if err := tx.applySavedActions(ctx, s, s.change(ticketID, staffID, hold)); err != nil {
			return err
		}
		return tx.countUse(ctx, s.ID)
	})
	if err != nil {
		return fmt.Errorf("store: apply saved reply: %w", err)
	}
	return nil
}

// AddStaffReplyWithSaved is AddStaffReply for a reply written with a saved
// reply, in one transaction: it counts the saved reply's use and, when
// actions is set, applies its actions to the ticket the reply went to. On
// a reply, the status is r.Status, the one staff chose in the composer
// (which offers the saved reply's), so one mail tells of both; the other
// actions follow as one change. On a note, every action is applied as ApplySavedReplyActions
// would, status mail included, held r.Hold. A repeated form (same r.Key)
// writes nothing and applies nothing again.
func (db *DB) AddStaffReplyWithSaved(ctx context.Context, r StaffReply, replyID int64, actions bool) (int64, error) {
	keys, err := db.stageFiles(ctx, r.Attachments)
	if err != nil {
		return 0, err
	}
	var msgID int64
	err = db.InTx(ctx, func(tx *Tx) error {
		s, err := tx.savedReply(ctx, r.AuthorID, replyID)
		if err != nil {
			return err
		}
		now := tx.db.Now()
		if msgID, err = tx.claimReplyKey(ctx, r.AuthorID, r.Key, now); err != nil || msgID != 0 {
			return err
		}
		key := r.Key
		r.Key = "" // claimed above
		if r.Status != "" && !r.Note && !slices.Contains(Statuses, r.Status) {
			return fmt.Errorf("%w: status %q", ErrInvalidChange, r.Status)
		}
		if msgID, err = tx.addStaffReply(ctx, r, keys, now); err != nil {
			return err
		}
		if err := tx.keyReply(ctx, r.AuthorID, key, msgID); err != nil {
			return err
		}
		if actions {
			var ticketID int64 // the reply's ticket: a merged one's survivor
			if err := tx.GetContext(ctx, &ticketID, tx.q(`SELECT ticket_id FROM messages WHERE id = ?`), msgID); err != nil {
				return err
			}
			c := s.change(ticketID, r.AuthorID, r.Hold)
			if !r.Note {
				c.Status = "" // told of by the reply's own mail
			}
			if err := tx.applySavedActions(ctx, s, c); err != nil {
				return err
			}
		}
		return tx.countUse(ctx, s.ID)
	})
	if err != nil {
		return 0, fmt.Errorf("store: reply with saved reply: %w", err)
	}
	return msgID, nil
}

package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Audited actions.
const (
	AuditLogin          = "login"
	AuditLogout         = "logout_everywhere"
	AuditExport         = "export"
	AuditErase          = "erase"
	AuditNameChange     = "name_change"
	AuditEmailChange    = "email_change"
	AuditTicketReply    = "ticket_reply"
	AuditTicketNote     = "ticket_note"
	AuditTicketChange   = "ticket_change"
	AuditRoleChange     = "role_change"
	AuditSuppress       = "suppression_add"
	AuditUnsuppress     = "suppression_remove"
	AuditBroadcast      = "broadcast"
	AuditErasureConfirm = "erase_confirmed"
	AuditErasureAsk     = "erase_requested"
	AuditEmailChangeAsk = "email_change_requested"
	AuditEmailUndo      = "email_change_undone"
	AuditChoice         = "choice_changed"     // detail: kind, objected, via
	AuditHeldRelease    = "held_mail_released" // detail: inbound_mail, action; ticket_id when it made or joined one
	AuditHeldDelete     = "held_mail_deleted"  // detail: inbound_mail
	AuditTicketUndo     = "ticket_undo"        // detail: message (a reply taken back), status {from, to} (a change taken back)
	AuditCustomerMerge  = "customer_merge"     // user: the person kept; detail: merged (the merged record's id), tickets, participations, messages, sessions
)

// AuditEntry is one line of the audit log. People are named by id only.
type AuditEntry struct {
	ID        int64     `db:"id" json:"id"`
	ActorID   *int64    `db:"actor_id" json:"actor_id"` // nil: the system (a sweep, a bounce)
	Action    string    `db:"action" json:"action"`
	UserID    *int64    `db:"user_id" json:"user_id,omitempty"`
	TicketID  *int64    `db:"ticket_id" json:"ticket_id,omitempty"`
	Detail    string    `db:"detail" json:"detail,omitempty"` // JSON; never personal data
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// Audit is an entry to record: who (0 for the system) did what to whom.
type Audit struct {
	ActorID  int64
	Action   string
	UserID   int64
	TicketID int64
	Detail   map[string]any
}

// Audit records an entry.
func (db *DB) Audit(ctx context.Context, a Audit) error { return insertAudit(ctx, db.X, db, a) }

// Audit records an entry inside the transaction: it commits or rolls back
// with the change it describes.
func (tx *Tx) Audit(ctx context.Context, a Audit) error { return insertAudit(ctx, tx.Tx, tx.db, a) }

func insertAudit(ctx context.Context, x sqlx.ExecerContext, db *DB, a Audit) error {
	detail := ""
	if len(a.Detail) > 0 {
		b, err := json.Marshal(a.Detail)
		if err != nil {
			return fmt.Errorf("store: audit: %w", err)
		}
		detail = string(b)
	}
	_, err := x.ExecContext(ctx, db.q(`INSERT INTO audit_log (actor_id, action, user_id, ticket_id, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
		nullID(a.ActorID), a.Action, nullID(a.UserID), nullID(a.TicketID), detail, db.Now())
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// AuditQuery selects a page of the audit log, newest first.
type AuditQuery struct {
	Action string // "" is every action
	UserID int64  // 0 is everyone
	Before int64  // entries with a smaller id; 0 is from the newest
	Limit  int    // 0 is 100
}

// AuditLog returns a page of entries, newest first.
func (db *DB) AuditLog(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
	where, args := "WHERE 1 = 1", []any{}
	if q.Action != "" {
		where, args = where+" AND action = ?", append(args, q.Action)
	}
	if q.UserID != 0 {
		where, args = where+" AND (user_id = ? OR actor_id = ?)", append(args, q.UserID, q.UserID)
	}
	if q.Before != 0 {
		where, args = where+" AND id < ?", append(args, q.Before)
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	var out []AuditEntry
	if err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM audit_log `+where+` ORDER BY id DESC LIMIT ?`), append(args, q.Limit)...); err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	return out, nil
}

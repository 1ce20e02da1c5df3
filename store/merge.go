package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// MergeWindow is how long a merge can be undone.
const MergeWindow = 10 * time.Minute

// Audited merge actions.
const (
	AuditTicketMerge = "ticket_merge"      // detail: into (id), into_number, merge, messages, participants
	AuditMergeUndo   = "ticket_merge_undo" // detail: into (id), into_number, merge
)

// MergeRefused is a merge or an undo the store will not do; Reason says why
// in words staff read.
type MergeRefused struct{ Reason string }

func (e *MergeRefused) Error() string { return "store: merge refused: " + e.Reason }

func refuse(format string, args ...any) error {
	return &MergeRefused{Reason: fmt.Sprintf(format, args...)}
}

// Merge is one ticket merged into another.
type Merge struct {
	ID           int64      `db:"id"`
	TicketID     int64      `db:"ticket_id"`
	IntoID       int64      `db:"into_id"`
	ActorID      *int64     `db:"actor_id"`
	PrevStatus   string     `db:"prev_status"`
	CreatedAt    time.Time  `db:"created_at"`
	UndoneAt     *time.Time `db:"undone_at"`
	Number       int64      `db:"-"` // the merged ticket's number
	IntoNumber   int64      `db:"-"`
	Messages     int        `db:"-"` // rows moved
	Participants int        `db:"-"`
}

// UndoUntil is when the merge stops being undoable.
func (m *Merge) UndoUntil() time.Time { return m.CreatedAt.Add(MergeWindow) }

// MergeTickets merges the tickets numbered from into the one numbered into,
// in one transaction: every message (with its attachments) moves to the
// survivor, the merged tickets' participants join it, and each merged
// ticket is closed with merged_into set, so its reply address, Message-IDs
// and [#N] route to the survivor (see Survivor). The tickets are locked
// lowest id first, so two merges of the same tickets in opposite
// directions cannot deadlock: one wins and the other is refused.
func (db *DB) MergeTickets(ctx context.Context, from []int64, into, actorID int64) ([]Merge, error) {
	var out []Merge
	err := db.inTxRetry(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.mergeTickets(ctx, from, into, actorID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (tx *Tx) mergeTickets(ctx context.Context, from []int64, into, actorID int64) ([]Merge, error) {
	if len(from) == 0 {
		return nil, refuse("no ticket to merge")
	}
	numbers := append([]int64{into}, from...)
	locked, err := tx.lockTickets(ctx, numbers)
	if err != nil {
		return nil, err
	}
	survivor := locked[into]
	if survivor.MergedInto != nil {
		return nil, refuse("#%d is itself merged into another ticket; merge into that one", into)
	}
	seen := map[int64]bool{}
	told := map[int64]bool{} // customers get at most one notice per merge
	var out []Merge
	for _, n := range from {
		if n == into {
			return nil, refuse("#%d cannot be merged into itself", n)
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		t := locked[n]
		if t.MergedInto != nil {
			return nil, refuse("#%d is already merged into another ticket", n)
		}
		if (t.Category == PrivacyCategory) != (survivor.Category == PrivacyCategory) {
			return nil, refuse("#%d and #%d: a privacy request merges only with another privacy request", n, into)
		}
		m, err := tx.mergeOne(ctx, t, survivor, actorID)
		if err != nil {
			return nil, err
		}
		if !told[t.CustomerID] {
			told[t.CustomerID] = true
			if err := tx.queueMergeNotice(ctx, m, t, survivor); err != nil {
				return nil, err
			}
		}
		out = append(out, m)
	}
	if err := tx.refreshRow(ctx, survivor.ID); err != nil {
		return nil, err
	}
	// The survivor's first reply may have come with the merge; the
	// merged tickets' clocks stop with their closing.
	for _, m := range out {
		if err := tx.syncSLA(ctx, m.TicketID); err != nil {
			return nil, err
		}
	}
	if err := tx.syncSLA(ctx, survivor.ID); err != nil {
		return nil, err
	}
	return out, nil
}

// lockTickets reads the tickets with these numbers, locking them (on
// PostgreSQL) one by one, lowest id first; a number not found is ErrNotFound.
func (tx *Tx) lockTickets(ctx context.Context, numbers []int64) (map[int64]*Ticket, error) {
	var ids []int64
	for _, n := range numbers {
		var id int64
		if err := tx.GetContext(ctx, &id, tx.q(`SELECT id FROM tickets WHERE number = ?`), n); err != nil {
			return nil, notFound(err, fmt.Sprintf("merge: ticket #%d", n))
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	lock := ""
	if tx.db.Dialect == Postgres {
		lock = " FOR UPDATE" // SQLite: the IMMEDIATE transaction holds the write lock already
	}
	out := map[int64]*Ticket{}
	for _, id := range ids {
		var t Ticket
		if err := tx.GetContext(ctx, &t, tx.q(`SELECT * FROM tickets WHERE id = ?`+lock), id); err != nil {
			return nil, notFound(err, "merge: lock ticket")
		}
		out[t.Number] = &t
	}
	return out, nil
}

func (tx *Tx) mergeOne(ctx context.Context, t, into *Ticket, actorID int64) (Merge, error) {
	now := tx.db.Now()
	m := Merge{TicketID: t.ID, IntoID: into.ID, ActorID: nullID(actorID), PrevStatus: t.Status, CreatedAt: now,
		Number: t.Number, IntoNumber: into.Number}
	err := tx.QueryRowxContext(ctx, tx.q(`INSERT INTO merges (ticket_id, into_id, actor_id, prev_status, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`),
		t.ID, into.ID, m.ActorID, t.Status, now).Scan(&m.ID)
	if err != nil {
		return m, fmt.Errorf("store: merge: %w", err)
	}
	steps := []struct {
		query string
		args  []any
	}{
		{`INSERT INTO merge_moves (merge_id, kind, row_id) SELECT ?, 'message', id FROM messages WHERE ticket_id = ?`, []any{m.ID, t.ID}},
		{`UPDATE messages SET ticket_id = ? WHERE ticket_id = ?`, []any{into.ID, t.ID}},
		{`INSERT INTO merge_moves (merge_id, kind, row_id) SELECT ?, 'participant', p.user_id FROM participants p
			WHERE p.ticket_id = ? AND NOT EXISTS (SELECT 1 FROM participants q WHERE q.ticket_id = ? AND q.user_id = p.user_id)`, []any{m.ID, t.ID, into.ID}},
		{`INSERT INTO participants (ticket_id, user_id, role, created_at)
			SELECT ?, row_id, CASE WHEN row_id = ? THEN 'customer' ELSE 'cc' END, ? FROM merge_moves WHERE merge_id = ? AND kind = 'participant'`,
			[]any{into.ID, into.CustomerID, now, m.ID}},
		{`UPDATE tickets SET status = 'closed', status_at = ?, merged_into = ?, merged_at = ?, merged_by = ?, updated_at = ?,
			snoozed_until = NULL, snoozed_by = NULL WHERE id = ?`,
			[]any{now, into.ID, now, m.ActorID, now, t.ID}},
		{`UPDATE tickets SET updated_at = ?, last_activity_at = CASE WHEN last_activity_at < ? THEN ? ELSE last_activity_at END WHERE id = ?`,
			[]any{now, t.LastActivityAt, t.LastActivityAt, into.ID}},
	}
	for _, s := range steps {
		if _, err := tx.ExecContext(ctx, tx.q(s.query), s.args...); err != nil {
			return m, fmt.Errorf("store: merge #%d into #%d: %w", t.Number, into.Number, err)
		}
	}
	if err := tx.countMoves(ctx, &m); err != nil {
		return m, err
	}
	if t.Status != StatusClosed { // the history tells of the closing, so SLA clocks and reports see it
		if err := tx.recordActivity(ctx, t.ID, actorID, "status", t.Status, StatusClosed, now); err != nil {
			return m, err
		}
	}
	if err := tx.refreshRow(ctx, t.ID); err != nil {
		return m, err
	}
	err = tx.Audit(ctx, Audit{ActorID: actorID, Action: AuditTicketMerge, TicketID: t.ID,
		Detail: map[string]any{"into": into.ID, "into_number": into.Number, "merge": m.ID, "messages": m.Messages, "participants": m.Participants}})
	return m, err
}

func (tx *Tx) countMoves(ctx context.Context, m *Merge) error {
	err := tx.QueryRowxContext(ctx, tx.q(`SELECT
		(SELECT COUNT(*) FROM merge_moves WHERE merge_id = ? AND kind = 'message'),
		(SELECT COUNT(*) FROM merge_moves WHERE merge_id = ? AND kind = 'participant')`), m.ID, m.ID).Scan(&m.Messages, &m.Participants)
	if err != nil {
		return fmt.Errorf("store: merge: count moves: %w", err)
	}
	return nil
}

// UndoMerges takes merges back within MergeWindow, all or none: exactly the
// rows each moved go back, the participants it added leave the survivor,
// and the merged ticket gets its status back. Mail that reached the
// survivor since stays there.
func (db *DB) UndoMerges(ctx context.Context, mergeIDs []int64, actorID int64) ([]Merge, error) {
	var out []Merge
	err := db.inTxRetry(ctx, func(tx *Tx) error {
		out = nil
		for _, id := range mergeIDs {
			m, err := tx.undoMerge(ctx, id, actorID)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (tx *Tx) undoMerge(ctx context.Context, id, actorID int64) (Merge, error) {
	var m Merge
	if err := tx.GetContext(ctx, &m, tx.q(`SELECT * FROM merges WHERE id = ?`), id); err != nil {
		return m, notFound(err, "undo merge")
	}
	var numbers []int64
	if err := tx.SelectContext(ctx, &numbers, tx.q(`SELECT number FROM tickets WHERE id IN (?, ?)`), m.TicketID, m.IntoID); err != nil {
		return m, fmt.Errorf("store: undo merge: %w", err)
	}
	locked, err := tx.lockTickets(ctx, numbers)
	if err != nil {
		return m, err
	}
	var t, into *Ticket
	for _, x := range locked {
		if x.ID == m.TicketID {
			t = x
		} else {
			into = x
		}
	}
	m.Number, m.IntoNumber = t.Number, into.Number
	now := tx.db.Now()
	switch {
	case m.UndoneAt != nil:
		return m, refuse("the merge of #%d into #%d was undone already", t.Number, into.Number)
	case !now.Before(m.UndoUntil().Add(-UndoMargin)):
		return m, refuse("the merge of #%d into #%d can no longer be undone (%s have passed)", t.Number, into.Number, MergeWindow)
	case into.MergedInto != nil:
		return m, refuse("#%d has since been merged into another ticket; undo that merge first", into.Number)
	}
	if err := tx.countMoves(ctx, &m); err != nil {
		return m, err
	}
	steps := []struct {
		query string
		args  []any
	}{
		{`UPDATE messages SET ticket_id = ? WHERE ticket_id = ? AND id IN (SELECT row_id FROM merge_moves WHERE merge_id = ? AND kind = 'message')`,
			[]any{t.ID, into.ID, m.ID}},
		{`DELETE FROM participants WHERE ticket_id = ? AND user_id IN (SELECT row_id FROM merge_moves WHERE merge_id = ? AND kind = 'participant')`,
			[]any{into.ID, m.ID}},
		{`UPDATE tickets SET status = ?, status_at = ?, merged_into = NULL, merged_at = NULL, merged_by = NULL, updated_at = ? WHERE id = ?`,
			[]any{m.PrevStatus, now, now, t.ID}},
		{`UPDATE merges SET undone_at = ? WHERE id = ?`, []any{now, m.ID}},
	}
	for _, s := range steps {
		if _, err := tx.ExecContext(ctx, tx.q(s.query), s.args...); err != nil {
			return m, fmt.Errorf("store: undo merge #%d into #%d: %w", t.Number, into.Number, err)
		}
	}
	if err := tx.cancelMergeNotices(ctx, m); err != nil {
		return m, err
	}
	if err := tx.refreshRow(ctx, t.ID); err != nil {
		return m, err
	}
	if err := tx.refreshRow(ctx, into.ID); err != nil {
		return m, err
	}
	if m.PrevStatus != StatusClosed {
		if err := tx.recordActivity(ctx, t.ID, actorID, "status", StatusClosed, m.PrevStatus, now); err != nil {
			return m, err
		}
	}
	for _, id := range []int64{t.ID, into.ID} {
		if err := tx.syncSLA(ctx, id); err != nil {
			return m, err
		}
	}
	m.UndoneAt = &now
	err = tx.Audit(ctx, Audit{ActorID: actorID, Action: AuditMergeUndo, TicketID: t.ID, Detail: map[string]any{"into": into.ID, "into_number": into.Number, "merge": m.ID}})
	return m, err
}

// maxMergeChain bounds Survivor's walk; merges refuse a merged target, so a
// chain only grows by merging its end, and a loop cannot form.
const maxMergeChain = 64

// Survivor returns the ticket t lives on: t itself, or the end of its chain
// of merges (A merged into B merged into C is C). Every inbound route path
// passes the ticket it found through here.
func (db *DB) Survivor(ctx context.Context, t *Ticket) (*Ticket, error) {
	for range maxMergeChain {
		if t.MergedInto == nil {
			return t, nil
		}
		next, err := db.Ticket(ctx, *t.MergedInto)
		if err != nil {
			return nil, fmt.Errorf("store: survivor: %w", err)
		}
		t = next
	}
	return nil, fmt.Errorf("store: survivor of ticket %d: chain longer than %d", t.ID, maxMergeChain)
}

// LastMerge returns the newest merge of ticket ticketID that is not undone.
func (db *DB) LastMerge(ctx context.Context, ticketID int64) (*Merge, error) {
	var m Merge
	err := db.X.GetContext(ctx, &m, db.q(`SELECT * FROM merges WHERE ticket_id = ? AND undone_at IS NULL ORDER BY id DESC LIMIT 1`), ticketID)
	if err != nil {
		return nil, notFound(err, "last merge")
	}
	return &m, nil
}

// queueMergeNotice queues the one short mail that tells the merged
// ticket's customer where their request went. It names the survivor (so it
// threads there and carries the survivor's reply address) and waits in the
// outbox until the undo window has passed; an undo deletes it.
func (tx *Tx) queueMergeNotice(ctx context.Context, m Merge, t, into *Ticket) error {
	var to string
	if err := tx.GetContext(ctx, &to, tx.q(`SELECT email FROM users WHERE id = ?`), t.CustomerID); err != nil {
		return notFound(err, "merge notice: customer")
	}
	id, _, err := tx.queueEmail(ctx, QueuedEmail{UserID: &t.CustomerID, To: to, Kind: EmailMerged, TicketID: &into.ID,
		Subject: fmt.Sprintf("#%d (%s)", t.Number, t.Subject), Auto: true, NotBefore: m.UndoUntil()})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, tx.q(`UPDATE emails SET merge_id = ? WHERE id = ?`), m.ID, id); err != nil {
		return fmt.Errorf("store: merge notice: %w", err)
	}
	return nil
}

// cancelMergeNotices deletes the notice an undone merge queued. The undo
// window ends UndoMargin before the notice is due, so the relay cannot
// have taken it; if it did anyway, the undo fails rather than leave a
// notice of a merge that no longer is.
func (tx *Tx) cancelMergeNotices(ctx context.Context, m Merge) error {
	if _, err := tx.ExecContext(ctx, tx.q(`DELETE FROM emails WHERE merge_id = ? AND status NOT IN ('sent', 'failed')
		AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.email_id = emails.id AND o.relayed_at IS NOT NULL)`), m.ID); err != nil {
		return fmt.Errorf("store: undo merge: notice: %w", err)
	}
	var left int
	if err := tx.GetContext(ctx, &left, tx.q(`SELECT COUNT(*) FROM emails WHERE merge_id = ?`), m.ID); err != nil {
		return fmt.Errorf("store: undo merge: notice: %w", err)
	}
	if left > 0 {
		return refuse("the notice of the merge of #%d into #%d is on its way; it can no longer be undone", m.Number, m.IntoNumber)
	}
	return nil
}

// Merges returns the merges with these ids, with both tickets' numbers and
// what each moved, oldest first.
func (db *DB) Merges(ctx context.Context, ids []int64) ([]Merge, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	query, args, err := sqlx.In(`SELECT m.*, t.number AS number, i.number AS into_number,
		(SELECT COUNT(*) FROM merge_moves v WHERE v.merge_id = m.id AND v.kind = 'message') AS messages,
		(SELECT COUNT(*) FROM merge_moves v WHERE v.merge_id = m.id AND v.kind = 'participant') AS participants
		FROM merges m JOIN tickets t ON t.id = m.ticket_id JOIN tickets i ON i.id = m.into_id WHERE m.id IN (?) ORDER BY m.id`, ids)
	if err != nil {
		return nil, fmt.Errorf("store: merges: %w", err)
	}
	var rows []struct {
		Merge
		Number       int64 `db:"number"`
		IntoNumber   int64 `db:"into_number"`
		Messages     int   `db:"messages"`
		Participants int   `db:"participants"`
	}
	if err := db.X.SelectContext(ctx, &rows, db.q(query), args...); err != nil {
		return nil, fmt.Errorf("store: merges: %w", err)
	}
	out := make([]Merge, len(rows))
	for i, r := range rows {
		out[i] = r.Merge
		out[i].Number, out[i].IntoNumber, out[i].Messages, out[i].Participants = r.Number, r.IntoNumber, r.Messages, r.Participants
	}
	return out, nil
}

// liveTicket reads the ticket a delivery appends to. On PostgreSQL it is
// locked, so a merge cannot move the ticket's messages between this read
// and the insert (the message would stay behind on a merged ticket); a
// ticket merged meanwhile, or before, resolves to its survivor.
func (tx *Tx) liveTicket(ctx context.Context, id int64) (Ticket, error) {
	lock := ""
	if tx.db.Dialect == Postgres {
		lock = " FOR NO KEY UPDATE"
	}
	var t Ticket
	for range maxMergeChain {
		t = Ticket{}
		if err := tx.GetContext(ctx, &t, tx.q(`SELECT * FROM tickets WHERE id = ?`+lock), id); err != nil {
			return t, notFound(err, "deliver")
		}
		if t.MergedInto == nil {
			return t, nil
		}
		id = *t.MergedInto
	}
	return t, fmt.Errorf("store: deliver: ticket %d: merge chain longer than %d", t.ID, maxMergeChain)
}

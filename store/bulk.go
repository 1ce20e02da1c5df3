package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// MaxBulk is the most tickets one bulk action takes.
const MaxBulk = 500

// Bulk action kinds. Each is the single action of the same name applied to
// every selected ticket through the same code (ChangeTicket, AddTags,
// RemoveTags), so audit, activity and mail are what that many single
// actions give.
const (
	BulkAssign     = "assign"
	BulkStatus     = "status"
	BulkPriority   = "priority"
	BulkCategory   = "category"
	BulkAddTags    = "add_tags"
	BulkRemoveTags = "remove_tags"
	// BulkSavedReply applies a saved reply's actions (not its text), as
	// ApplySavedReplyActions does on one ticket.
	BulkSavedReply = "saved_reply"
)

// BulkKinds are the bulk action kinds, in the order the form offers them.
var BulkKinds = []string{BulkAssign, BulkStatus, BulkPriority, BulkCategory, BulkAddTags, BulkRemoveTags, BulkSavedReply}

// ErrBulkTooMany is a bulk selection of more than MaxBulk tickets.
var ErrBulkTooMany = fmt.Errorf("store: bulk: more than %d tickets", MaxBulk)

// BulkAction is one action for many tickets; only the fields of its Kind
// count.
type BulkAction struct {
	Kind    string
	ActorID int64
	// Status, Priority, Category: the value to set.
	Status, Priority, Category string
	// Assignee assigns to a staff member; Unassign clears the assignee.
	Assignee *int64
	Unassign bool
	// Tags to add or remove (normalised by the store).
	Tags []string
	// SavedReply is the saved reply whose actions BulkSavedReply applies;
	// it must be one the actor may use.
	SavedReply int64
	// Hold keeps status mails in the outbox this long, as a single change
	// does (DARGO_UNDO_SECONDS).
	Hold time.Duration
}

// Why a bulk action leaves a ticket out.
const (
	BulkSkipMissing = "no such ticket"
	BulkSkipMerged  = "merged into another ticket"
	BulkSkipErased  = "its customer was erased"
)

// BulkTicket is one selected ticket in a plan or a result.
type BulkTicket struct {
	Number  int64
	Subject string
	Reason  string // why it was skipped or failed; "" otherwise
}

// BulkPlan is what a bulk action would do, decided on the tickets as they
// are now, for the confirmation page.
type BulkPlan struct {
	Change  []BulkTicket // would change
	Same    []BulkTicket // already so: nothing to do
	Skipped []BulkTicket // merged, erased or missing
	// StatusMails counts the tickets whose people would get the status
	// mail (moving to resolved or closed), as a single change sends it.
	StatusMails int
	// Notices counts the tickets whose new assignee (not the actor) would
	// be told, as their notification settings allow.
	Notices int
}

// BulkResult is what a bulk action did.
type BulkResult struct {
	Done    []int64      // changed, one audit entry each
	Same    []int64      // already so: untouched
	Skipped []BulkTicket // merged, erased or missing: untouched
	Failed  []BulkTicket // an error; untouched (each ticket is its own transaction)
	// Undo are the undoable actions whose status mails wait (Undo takes
	// each back); none when nothing is held.
	Undo []int64
}

// bulkRow is a selected ticket with what the plan needs beside it.
type bulkRow struct {
	Ticket
	Erased bool `db:"erased"`
}

// Check reports an action that cannot be applied to any ticket.
func (a BulkAction) Check() error {
	switch a.Kind {
	case BulkAssign:
		if a.Assignee == nil && !a.Unassign {
			return fmt.Errorf("%w: assign to nobody", ErrInvalidChange)
		}
	case BulkStatus:
		if !slices.Contains(Statuses, a.Status) {
			return fmt.Errorf("%w: status %q", ErrInvalidChange, a.Status)
		}
	case BulkPriority:
		if !slices.Contains(Priorities, a.Priority) {
			return fmt.Errorf("%w: priority %q", ErrInvalidChange, a.Priority)
		}
	case BulkCategory:
		if a.Category == "" || len(a.Category) > 64 {
			return fmt.Errorf("%w: category %q", ErrInvalidChange, a.Category)
		}
	case BulkAddTags, BulkRemoveTags:
		names, err := normalizeTags(a.Tags)
		if err != nil {
			return err
		}
		if len(names) == 0 {
			return fmt.Errorf("%w: no tags", ErrInvalidTag)
		}
	case BulkSavedReply:
		if a.SavedReply <= 0 {
			return fmt.Errorf("%w: no saved reply", ErrInvalidChange)
		}
	default:
		return fmt.Errorf("%w: bulk action %q", ErrInvalidChange, a.Kind)
	}
	return nil
}

// change is the single change a status, priority, category or assign
// action makes on ticket id.
func (a BulkAction) change(id int64) Change {
	c := Change{TicketID: id, ActorID: a.ActorID, Hold: a.Hold}
	switch a.Kind {
	case BulkStatus:
		c.Status = a.Status
	case BulkPriority:
		c.Priority = a.Priority
	case BulkCategory:
		c.Category = a.Category
	case BulkAssign:
		c.Assignee, c.Unassign = a.Assignee, a.Unassign
	}
	return c
}

// bulkTickets reads the tickets numbered numbers (each once, at most
// MaxBulk) in one query, keyed by number.
func (db *DB) bulkTickets(ctx context.Context, numbers []int64) (map[int64]*bulkRow, error) {
	out := map[int64]*bulkRow{}
	if len(numbers) == 0 {
		return out, nil
	}
	if len(numbers) > MaxBulk {
		return nil, ErrBulkTooMany
	}
	query, args, err := sqlx.In(`SELECT t.*, u.erased_at IS NOT NULL AS erased FROM tickets t
		JOIN users u ON u.id = t.customer_id WHERE t.number IN (?)`, numbers)
	if err != nil {
		return nil, fmt.Errorf("store: bulk tickets: %w", err)
	}
	var rows []bulkRow
	if err := db.X.SelectContext(ctx, &rows, db.q(query), args...); err != nil {
		return nil, fmt.Errorf("store: bulk tickets: %w", err)
	}
	for i := range rows {
		out[rows[i].Number] = &rows[i]
	}
	return out, nil
}

// skipReason says why a bulk action leaves t out; "" when it does not.
func skipReason(t *bulkRow) string {
	switch {
	case t == nil:
		return BulkSkipMissing
	case t.MergedInto != nil:
		return BulkSkipMerged
	case t.Erased:
		return BulkSkipErased
	}
	return ""
}

// uniqueNumbers is numbers without repeats, in their order, or
// ErrBulkTooMany.
func uniqueNumbers(numbers []int64) ([]int64, error) {
	seen := make(map[int64]bool, len(numbers))
	out := make([]int64, 0, len(numbers))
	for _, n := range numbers {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if len(out) > MaxBulk {
		return nil, ErrBulkTooMany
	}
	return out, nil
}

// PlanBulk says what ApplyBulk would do to the tickets numbered numbers,
// changing nothing, in two queries whatever their number.
func (db *DB) PlanBulk(ctx context.Context, numbers []int64, a BulkAction) (*BulkPlan, error) {
	if err := a.Check(); err != nil {
		return nil, err
	}
	numbers, err := uniqueNumbers(numbers)
	if err != nil {
		return nil, err
	}
	rows, err := db.bulkTickets(ctx, numbers)
	if err != nil {
		return nil, err
	}
	if a.Kind == BulkSavedReply {
		return db.planSavedBulk(ctx, numbers, rows, a)
	}
	var tags map[int64][]string
	if a.Kind == BulkAddTags || a.Kind == BulkRemoveTags {
		ids := make([]int64, 0, len(rows))
		for _, t := range rows {
			ids = append(ids, t.ID)
		}
		if tags, err = db.ticketsTags(ctx, ids); err != nil {
			return nil, fmt.Errorf("store: plan bulk: %w", err)
		}
	}
	names, _ := normalizeTags(a.Tags) // checked
	plan := &BulkPlan{}
	for _, n := range numbers {
		t := rows[n]
		if why := skipReason(t); why != "" {
			bt := BulkTicket{Number: n, Reason: why}
			if t != nil {
				bt.Subject = t.Subject
			}
			plan.Skipped = append(plan.Skipped, bt)
			continue
		}
		bt := BulkTicket{Number: n, Subject: t.Subject}
		if !a.changes(&t.Ticket, tags[t.ID], names) {
			plan.Same = append(plan.Same, bt)
			continue
		}
		plan.Change = append(plan.Change, bt)
		if a.Kind == BulkStatus && notifyStatuses[a.Status] {
			plan.StatusMails++
		}
		if a.Kind == BulkAssign && !a.Unassign && *a.Assignee != a.ActorID {
			plan.Notices++
		}
	}
	return plan, nil
}

// changes reports whether the action would change ticket t, which carries
// tags has; names are the action's normalised tags.
func (a BulkAction) changes(t *Ticket, has, names []string) bool {
	switch a.Kind {
	case BulkStatus:
		return t.Status != a.Status
	case BulkPriority:
		return t.Priority != a.Priority
	case BulkCategory:
		return t.Category != a.Category
	case BulkAssign:
		if a.Unassign {
			return t.AssigneeID != nil
		}
		return t.AssigneeID == nil || *t.AssigneeID != *a.Assignee
	case BulkAddTags:
		return slices.ContainsFunc(names, func(n string) bool { return !slices.Contains(has, n) })
	case BulkRemoveTags:
		return slices.ContainsFunc(names, func(n string) bool { return slices.Contains(has, n) })
	}
	return false
}

// bulkSkip is a ticket a bulk action's guard refused inside its
// transaction.
type bulkSkip struct{ reason string }

func (e *bulkSkip) Error() string { return "store: bulk: skipped: " + e.reason }

// bulkGuard refuses, inside the ticket's own transaction, a ticket merged
// or erased since the plan was made.
func bulkGuard(ctx context.Context, ticketID int64) func(*Tx) error {
	return func(tx *Tx) error {
		var t bulkRow
		err := tx.GetContext(ctx, &t, tx.q(`SELECT t.*, u.erased_at IS NOT NULL AS erased FROM tickets t
			JOIN users u ON u.id = t.customer_id WHERE t.id = ?`), ticketID)
		if errors.Is(err, sqlErrNoRows) {
			return &bulkSkip{reason: BulkSkipMissing}
		}
		if err != nil {
			return fmt.Errorf("store: bulk guard: %w", err)
		}
		if why := skipReason(&t); why != "" {
			return &bulkSkip{reason: why}
		}
		return nil
	}
}

// ApplyBulk applies the action to each of the tickets numbered numbers, each
// in its own transaction through the single action's code: one audit entry
// and the activity per changed ticket, and the mail a single action would
// send (the status mail held a.Hold for Undo; the assignment notice). A
// ticket already so is left alone; one merged, erased or missing is
// skipped; one whose transaction fails is reported and the others go on
// (so is every ticket not tried when ctx ends). An error is returned only
// for an action that is not valid at all, or a selection too large.
func (db *DB) ApplyBulk(ctx context.Context, numbers []int64, a BulkAction) (*BulkResult, error) {
	if err := a.Check(); err != nil {
		return nil, err
	}
	numbers, err := uniqueNumbers(numbers)
	if err != nil {
		return nil, err
	}
	if a.Kind == BulkSavedReply {
		if _, err := db.savedForBulk(ctx, a); err != nil {
			return nil, err
		}
	}
	rows, err := db.bulkTickets(ctx, numbers)
	if err != nil {
		return nil, err
	}
	outcomes := db.applyBulkAll(ctx, numbers, rows, a)
	res := &BulkResult{}
	for i, n := range numbers {
		o := outcomes[i]
		switch {
		case o.skip != "":
			res.Skipped = append(res.Skipped, BulkTicket{Number: n, Subject: o.subject, Reason: o.skip})
		case o.err != nil:
			res.Failed = append(res.Failed, BulkTicket{Number: n, Subject: o.subject, Reason: o.err.Error()})
		case o.changed:
			res.Done = append(res.Done, n)
			if o.undo != 0 {
				res.Undo = append(res.Undo, o.undo)
			}
		default:
			res.Same = append(res.Same, n)
		}
	}
	return res, nil
}

// bulkWorkers is how many tickets a bulk action changes at once on
// PostgreSQL, each in its own transaction: their commits overlap. SQLite
// has one writer, so there they go one after another.
const bulkWorkers = 4

// bulkOutcome is what a bulk action did to one ticket.
type bulkOutcome struct {
	subject string
	changed bool
	undo    int64 // the undoable action of its status mail
	skip    string
	err     error
}

// applyBulkAll applies the action to each ticket, in order on SQLite and
// bulkWorkers at a time on PostgreSQL; every goroutine is waited for, and
// stops taking tickets when ctx ends.
func (db *DB) applyBulkAll(ctx context.Context, numbers []int64, rows map[int64]*bulkRow, a BulkAction) []bulkOutcome {
	out := make([]bulkOutcome, len(numbers))
	for i := range out {
		out[i].err = errors.New("store: bulk: not tried: the request ended first") // until a worker takes it
	}
	workers := 1
	if db.Dialect == Postgres {
		workers = bulkWorkers
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(numbers)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = db.bulkOutcomeOf(ctx, rows[numbers[i]], a)
			}
		}()
	}
feed:
	for i := range numbers {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return out
}

// bulkOutcomeOf applies the action to ticket t (nil: missing), retrying
// a transaction PostgreSQL chose as a deadlock's victim; a panic is the
// ticket's failure, not the process's.
func (db *DB) bulkOutcomeOf(ctx context.Context, t *bulkRow, a BulkAction) (o bulkOutcome) {
	if t == nil {
		return bulkOutcome{skip: BulkSkipMissing}
	}
	o.subject = t.Subject
	defer func() {
		if p := recover(); p != nil {
			o.err = fmt.Errorf("store: bulk: panic: %v", p)
		}
	}()
	var err error
	for attempt := range 3 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt*attempt) * 20 * time.Millisecond)
		}
		if o.changed, o.undo, err = db.applyBulkOne(ctx, t.ID, a); !retryable(err) {
			break
		}
	}
	var skip *bulkSkip
	if errors.As(err, &skip) {
		o.skip = skip.reason
	} else {
		o.err = err
	}
	return o
}

// applyBulkOne applies the action to one ticket, in one transaction, and
// reports whether it changed and the undoable action its status mail waits
// on. A new kind (a saved reply's actions) is one more case here.
func (db *DB) applyBulkOne(ctx context.Context, ticketID int64, a BulkAction) (bool, int64, error) {
	guard := bulkGuard(ctx, ticketID)
	switch a.Kind {
	case BulkAddTags:
		added, err := db.addTicketTags(ctx, ticketID, a.ActorID, a.Tags, guard)
		return len(added) > 0, 0, err
	case BulkRemoveTags:
		removed, err := db.removeTicketTags(ctx, ticketID, a.ActorID, a.Tags, guard)
		return len(removed) > 0, 0, err
	case BulkSavedReply:
		return db.applySavedBulk(ctx, ticketID, a, guard)
	default:
		return db.changeTicket(ctx, a.change(ticketID), guard)
	}
}

// UndoBulk takes back the actor's undoable actions ids (a bulk action's
// BulkResult.Undo), each as Undo does, in its own transaction: undone
// counts those taken back, late those whose mail was on its way (or
// undone already), others those that are not the actor's.
func (db *DB) UndoBulk(ctx context.Context, ids []int64, actorID int64) (undone, late, others int, err error) {
	if len(ids) > MaxBulk {
		return 0, 0, 0, ErrBulkTooMany
	}
	for _, id := range ids {
		_, err := db.Undo(ctx, id, actorID)
		switch {
		case err == nil:
			undone++
		case errors.Is(err, ErrTooLate) || errors.Is(err, ErrAlreadyUndone):
			late++
		case errors.Is(err, ErrNotFound):
			others++
		default:
			return undone, late, others, err
		}
	}
	return undone, late, others, nil
}

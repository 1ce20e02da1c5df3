package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// CustomersPerPage is how many customers a page of the list shows.
const CustomersPerPage = 50

// CustomerRow is one customer in the staff's list.
type CustomerRow struct {
	ID    int64  `db:"id"`
	Name  string `db:"name"`
	Email string `db:"email"` // the primary address
	// Addresses are the other addresses: those of records merged into
	// this one.
	Addresses   []string
	OpenTickets int // open or pending
	Tickets     int
	// LastContact is the newest activity on their tickets (an inbound
	// message moves it too), or when the record was made if they have none.
	LastContact time.Time
}

// CustomerPage is one page of the list.
type CustomerPage struct {
	Rows []CustomerRow
	Page int  // from 1
	More bool // a next page exists
}

// Customers lists the customers (not staff, not erased, not merged into
// another), newest contact first, CustomersPerPage a page (page from 1).
// A query keeps those whose name or any address contains it,
// case-insensitively.
func (db *DB) Customers(ctx context.Context, query string, page int) (*CustomerPage, error) {
	page = max(page, 1)
	where, args := `u.role = 'customer' AND u.erased_at IS NULL AND u.merged_into IS NULL`, []any{}
	if q := strings.ToLower(strings.TrimSpace(query)); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
		where += ` AND (lower(u.name) LIKE ? ESCAPE '\' OR u.email LIKE ? ESCAPE '\'
			OR EXISTS (SELECT 1 FROM users a WHERE a.merged_into = u.id AND a.email LIKE ? ESCAPE '\'))`
		args = append(args, like, like, like)
	}
	var rows []struct {
		ID        int64      `db:"id"`
		Name      string     `db:"name"`
		Email     string     `db:"email"`
		CreatedAt time.Time  `db:"created_at"`
		Activity  *time.Time `db:"last_activity_at"`
	}
	// The newest ticket of each customer is found by key in
	// tickets_customer_activity; its time is read as a column, since
	// SQLite returns an aggregate of a timestamp as text.
	err := db.X.SelectContext(ctx, &rows, db.q(`SELECT u.id, u.name, u.email, u.created_at, lt.last_activity_at
		FROM users u LEFT JOIN tickets lt ON lt.id = (SELECT t.id FROM tickets t WHERE t.customer_id = u.id
			ORDER BY t.last_activity_at DESC, t.id DESC LIMIT 1)
		WHERE `+where+`
		ORDER BY COALESCE(lt.last_activity_at, u.created_at) DESC, u.id DESC LIMIT ? OFFSET ?`),
		append(args, CustomersPerPage+1, (page-1)*CustomersPerPage)...)
	if err != nil {
		return nil, fmt.Errorf("store: customers: %w", err)
	}
	out := &CustomerPage{Page: page, Rows: []CustomerRow{}}
	if len(rows) > CustomersPerPage {
		out.More, rows = true, rows[:CustomersPerPage]
	}
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]int64, len(rows))
	at := make(map[int64]int, len(rows))
	for i, r := range rows {
		ids[i], at[r.ID] = r.ID, i
		c := CustomerRow{ID: r.ID, Name: r.Name, Email: r.Email, LastContact: r.CreatedAt}
		if r.Activity != nil {
			c.LastContact = *r.Activity
		}
		out.Rows = append(out.Rows, c)
	}
	if err := db.customerCounts(ctx, ids, func(id int64, open, total int) {
		out.Rows[at[id]].OpenTickets, out.Rows[at[id]].Tickets = open, total
	}); err != nil {
		return nil, err
	}
	extra, err := db.mergedAddresses(ctx, db.X, ids)
	if err != nil {
		return nil, err
	}
	for id, addrs := range extra {
		out.Rows[at[id]].Addresses = addrs
	}
	return out, nil
}

func (db *DB) customerCounts(ctx context.Context, ids []int64, set func(id int64, open, total int)) error {
	query, args, err := sqlx.In(`SELECT customer_id, COUNT(*) AS total,
		COUNT(CASE WHEN status IN ('open', 'pending') THEN 1 END) AS open
		FROM tickets WHERE customer_id IN (?) GROUP BY customer_id`, ids)
	if err != nil {
		return fmt.Errorf("store: customer counts: %w", err)
	}
	var counts []struct {
		ID    int64 `db:"customer_id"`
		Total int   `db:"total"`
		Open  int   `db:"open"`
	}
	if err := db.X.SelectContext(ctx, &counts, db.q(query), args...); err != nil {
		return fmt.Errorf("store: customer counts: %w", err)
	}
	for _, c := range counts {
		set(c.ID, c.Open, c.Total)
	}
	return nil
}

// mergedAddresses returns, per person, the addresses of the records merged
// into them, in the order they were made.
func (db *DB) mergedAddresses(ctx context.Context, q sqlx.QueryerContext, ids []int64) (map[int64][]string, error) {
	query, args, err := sqlx.In(`SELECT merged_into, email FROM users WHERE merged_into IN (?) ORDER BY id`, ids)
	if err != nil {
		return nil, fmt.Errorf("store: merged addresses: %w", err)
	}
	var rows []struct {
		Into  int64  `db:"merged_into"`
		Email string `db:"email"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, db.q(query), args...); err != nil {
		return nil, fmt.Errorf("store: merged addresses: %w", err)
	}
	out := map[int64][]string{}
	for _, r := range rows {
		out[r.Into] = append(out[r.Into], r.Email)
	}
	return out, nil
}

// OtherAddresses returns the addresses of the records merged into the
// person, besides their primary address.
func (db *DB) OtherAddresses(ctx context.Context, userID int64) ([]string, error) {
	m, err := db.mergedAddresses(ctx, db.X, []int64{userID})
	if err != nil {
		return nil, err
	}
	return m[userID], nil
}

package bench

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/dargo-support/dargo/store"
)

// inboxPages seeds tickets and messages as `dargo seed` does, signs a staff
// member in and asks the production web handler, over loopback HTTP with
// concurrent clients, for the inbox list, a search and the ticket with the
// longest thread.
func inboxPages(ctx context.Context, r *run) ([]Row, error) {
	s := r.sizes
	seed := store.SeedOpts{Tickets: s.Tickets, Messages: s.Messages, Customers: s.Tickets/5 + 1, BigThread: min(200, s.Messages-s.Tickets+1)}
	start := time.Now()
	if err := r.db.Seed(ctx, seed); err != nil {
		return nil, err
	}
	seeded := time.Since(start)
	cookie, err := staffSession(ctx, r.db, "bench-staff@bench.example")
	if err != nil {
		return nil, err
	}
	var big int64
	if err := r.db.X.GetContext(ctx, &big, `SELECT t.number FROM tickets t WHERE t.id =
		(SELECT ticket_id FROM messages GROUP BY ticket_id ORDER BY COUNT(*) DESC LIMIT 1)`); err != nil {
		return nil, fmt.Errorf("longest thread: %w", err)
	}
	srv, err := startWeb(r)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	pages := []struct{ name, path, want, what string }{
		{"inbox_list", "/inbox?queue=all", "row-line", "GET /inbox?queue=all"},
		{"inbox_search", "/inbox?queue=all&q=printer", "<mark>printer</mark>", "GET /inbox?queue=all&q=printer"},
		{"inbox_ticket", fmt.Sprintf("/inbox/tickets/%d", big), "Seeded ", fmt.Sprintf("GET a ticket of %d messages", seed.BigThread)},
	}
	var rows []Row
	for _, p := range pages {
		get := func(int) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodGet, srv.base+p.path, nil)
			if err != nil {
				return nil, err
			}
			req.Header.Set("Cookie", "dargo_session="+cookie)
			return req, nil
		}
		// One untimed request first: the page works, and its first-use costs are paid.
		if _, _, err := srv.load(ctx, 1, 1, http.StatusOK, get, contains(p.want)); err != nil {
			return nil, err
		}
		lat, elapsed, err := srv.load(ctx, s.Clients, s.Requests, http.StatusOK, get, nil)
		if err != nil {
			return nil, err
		}
		row := lat.row(p.name, len(lat), elapsed, "req/s")
		row.Note = fmt.Sprintf("%s, %d clients, on %d seeded tickets and %d messages (seeded in %.1fs)",
			p.what, s.Clients, seed.Tickets, seed.Messages, seeded.Seconds())
		rows = append(rows, row)
	}
	return rows, nil
}

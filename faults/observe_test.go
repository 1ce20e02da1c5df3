//go:build faults

package faults

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver for PostgreSQL
)

// tokenRE finds a load token in a subject or an address.
var tokenRE = regexp.MustCompile(`m\d{5}[0-9a-f]{6}`)

// observer polls the database for tickets and moto for sent mail, and
// records what it sees on the load's mails. It sees what a customer would:
// a ticket, a confirmation in their mailbox.
type observer struct {
	db      *sql.DB
	motoURL string
	load    *load
	sesSeen int // moto's sent mails seen

	// unknownTickets and unknownMails have no token of the load.
	unknownTickets, unknownMails int
}

// poll looks once; a database or moto that does not answer is tried again
// next time (PostgreSQL is down during one of the faults).
func (o *observer) poll(ctx context.Context) {
	o.pollTickets(ctx)
	o.pollSES(ctx)
}

// pollTickets counts every ticket again each time: ids are taken before
// commit, so a ticket with a lower id can appear after a higher one.
func (o *observer) pollTickets(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	rows, err := o.db.QueryContext(ctx, `SELECT subject, created_at FROM tickets`)
	if err != nil {
		return
	}
	defer rows.Close()
	type seen struct {
		n     int
		first time.Time
	}
	tickets := map[string]*seen{}
	for rows.Next() {
		var subject string
		var at time.Time
		if rows.Scan(&subject, &at) != nil {
			return
		}
		tok := tokenRE.FindString(subject)
		if tickets[tok] == nil {
			tickets[tok] = &seen{first: at}
		}
		s := tickets[tok]
		s.n++
		if at.Before(s.first) {
			s.first = at
		}
	}
	if rows.Err() != nil {
		return
	}
	o.load.mu.Lock()
	defer o.load.mu.Unlock()
	o.unknownTickets = 0
	for tok, s := range tickets {
		m := o.load.byTok[tok]
		if m == nil {
			o.unknownTickets += s.n
			continue
		}
		m.tickets, m.ticketAt = s.n, s.first
	}
}

// motoSent is the part of moto's /moto-api/data.json the suite reads.
type motoSent struct {
	SES struct {
		RawMessage []struct {
			Destinations []string `json:"destinations"`
			RawData      string   `json:"raw_data"`
		} `json:"RawMessage"`
	} `json:"ses"`
}

func (o *observer) pollSES(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, o.motoURL+"/moto-api/data.json", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return
	}
	defer res.Body.Close()
	var data motoSent
	if json.NewDecoder(res.Body).Decode(&data) != nil {
		return
	}
	now := time.Now()
	o.load.mu.Lock()
	defer o.load.mu.Unlock()
	for _, msg := range data.SES.RawMessage[min(o.sesSeen, len(data.SES.RawMessage)):] {
		o.sesSeen++
		to := strings.Join(msg.Destinations, ",")
		if to == "" {
			to = headerTo(msg.RawData)
		}
		m := o.load.byTok[tokenRE.FindString(to)]
		if m == nil {
			o.unknownMails++
			continue
		}
		if m.confirms == 0 {
			m.confirmedAt = now
		}
		m.confirms++
	}
}

// headerTo is the To: header of a raw mail.
func headerTo(raw string) string {
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		if strings.HasPrefix(strings.ToLower(line), "to:") {
			return line
		}
	}
	return ""
}

// readInterrupted records each confirmation's emails.interrupted (issue
// 15's column). It says false when the schema has no such column.
func (o *observer) readInterrupted(ctx context.Context) (bool, error) {
	var has bool
	err := o.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_name = 'emails' AND column_name = 'interrupted')`).Scan(&has)
	if err != nil || !has {
		return false, err
	}
	rows, err := o.db.QueryContext(ctx, `SELECT to_email, interrupted FROM emails WHERE kind = 'confirmation'`)
	if err != nil {
		return true, fmt.Errorf("faults: read emails: %w", err)
	}
	defer rows.Close()
	o.load.mu.Lock()
	defer o.load.mu.Unlock()
	for rows.Next() {
		var to string
		var n int
		if err := rows.Scan(&to, &n); err != nil {
			return true, err
		}
		if m := o.load.byTok[tokenRE.FindString(to)]; m != nil {
			m.interrupted = max(m.interrupted, n)
		}
	}
	return true, rows.Err()
}

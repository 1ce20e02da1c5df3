//go:build faults

package faults

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// report logs the table, per fault and for the whole run, and writes it to
// DARGO_FAULTS_REPORT when set.
func report(t *testing.T, ld *load, sup *supervisor, faults []*fault, waited time.Duration) []row {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	exits := sup.unplanned()
	var rows []row
	for i, f := range faults {
		r := summarize(f.name, ld.mails, f.start.Add(-window), f.end.Add(window), f.end)
		until := time.Now()
		if i+1 < len(faults) {
			until = faults[i+1].start
		}
		for _, e := range exits {
			if !e.at.Before(f.start) && e.at.Before(until) {
				r.exits++
			}
		}
		rows = append(rows, r)
	}
	all := summarize("whole run", ld.mails, time.Time{}, time.Now(), faults[len(faults)-1].end)
	all.exits = len(exits)
	rows = append(rows, all)
	table := markdown(rows, waited)
	t.Logf("fault suite, %d mails (%d SendMessage errors):\n%s", len(ld.mails), ld.failed, table)
	for _, e := range exits {
		t.Logf("unplanned exit: %s %s: %s", e.at.Format("15:04:05.0"), e.role, e.status)
	}
	if path := os.Getenv("DARGO_FAULTS_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(table), 0o600); err != nil {
			t.Error(err)
		}
	}
	return rows
}

// check asserts the promises: every mail one ticket, every customer one
// confirmation (or two, flagged), all of it done by the deadline.
func check(t *testing.T, ld *load, hasColumn bool, deadline time.Time) {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	if ld.failed > 0 {
		t.Errorf("the load could not send %d mails to SQS", ld.failed)
	}
	var lost, doubled, unconfirmed, twice, late []string
	for _, m := range ld.mails {
		switch {
		case m.tickets == 0:
			lost = append(lost, m.token)
		case m.tickets > 1:
			doubled = append(doubled, fmt.Sprintf("%s (%d tickets)", m.token, m.tickets))
		}
		switch {
		case m.tickets > 0 && m.confirms == 0:
			unconfirmed = append(unconfirmed, m.token)
		case m.confirms > 1 && m.interrupted <= 0:
			twice = append(twice, fmt.Sprintf("%s (%d mails)", m.token, m.confirms))
		}
		if m.done() && m.doneAt().After(deadline) {
			late = append(late, fmt.Sprintf("%s (%s late)", m.token, m.doneAt().Sub(deadline).Round(time.Second)))
		}
	}
	fail(t, lost, "mails have no ticket")
	fail(t, doubled, "mails became more than one ticket")
	fail(t, unconfirmed, "tickets have no confirmation at SES")
	if hasColumn {
		fail(t, twice, "customers got their confirmation more than once, and emails.interrupted does not say so")
	} else {
		fail(t, twice, "customers got their confirmation more than once (the schema has no emails.interrupted to flag it)")
	}
	fail(t, late, fmt.Sprintf("mails were done only after the %s the last fault's end allows", recoverBy))
}

func fail(t *testing.T, tokens []string, what string) {
	t.Helper()
	if len(tokens) > 0 {
		t.Errorf("%d %s: %s", len(tokens), what, strings.Join(tokens[:min(len(tokens), 10)], ", "))
	}
}

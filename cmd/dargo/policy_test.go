package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/store"
)

// TestPolicyPublishCommand: dargo policy publish and list, and a
// significant publish killed (SIGKILL) while queueing its mails and run
// again: each person mailed once, each open ticket noticed once.
func TestPolicyPublishCommand(t *testing.T) {
	databases(t, func(t *testing.T, url string) {
		ctx := context.Background()
		env := append(baseEnv(url), "DARGO_BASE_URL=https://help.example.com/")
		db := bcOpen(t, env, url)
		today := time.Now().UTC().Format(time.DateOnly)

		out, errOut, code := dargo(t, env, nil, "policy", "list")
		if code != 0 || !strings.Contains(out, "current (built-in default)") {
			t.Fatalf("list: exit %d\n%s%s", code, out, errOut)
		}
		out, errOut, code = dargo(t, env, []byte("Our first policy.\n"), "policy", "publish", "--kind", "privacy", "-")
		if want := "published privacy policy version 1, effective " + today + ": https://help.example.com/privacy/versions/1\n"; code != 0 || out != want {
			t.Fatalf("publish: exit %d\n%q, want %q\n%s", code, out, want, errOut)
		}
		for _, c := range []struct {
			stdin string
			args  []string
			err   string
		}{
			{"Our first policy.", []string{"--kind", "privacy", "-"}, "version 1 of the privacy policy has this text already"},
			{"x", []string{"-"}, "--kind: privacy or terms"},
			{"x", []string{"--kind", "cookies", "-"}, "--kind: privacy or terms"},
			{"x", []string{"--kind", "terms"}, "usage: dargo policy publish"},
			{"x", []string{"--kind", "terms", "-", "--significant"}, "needs a summary"},
			{"x", []string{"--kind", "terms", "-", "--effective", "2020-01-01"}, "in the past"},
			{"x", []string{"--kind", "terms", "-", "--effective", "tomorrow"}, "--effective: want YYYY-MM-DD"},
			{"x", []string{"--kind", "terms", "no-such-file"}, "no such file"},
		} {
			if _, errOut, code := dargo(t, env, []byte(c.stdin), append([]string{"policy", "publish"}, c.args...)...); code == 0 || !strings.Contains(errOut, c.err) {
				t.Errorf("%v: exit %d, %q, want %q", c.args, code, errOut, c.err)
			}
		}

		// The audience: people who signed in, and tickets open, pending and closed.
		const people = 3000
		series := fmt.Sprintf(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d) `, people)
		now := db.Now()
		for _, q := range []string{
			series + `INSERT INTO users (email, name, role, created_at, updated_at) SELECT 'u' || i || '@example.com', '', 'customer', ?, ? FROM s`,
			`INSERT INTO logins (user_id, created_at) SELECT id, ? FROM users`,
		} {
			args := []any{now, now}
			if strings.HasPrefix(q, "INSERT INTO logins") {
				args = args[:1]
			}
			if _, err := db.X.ExecContext(ctx, db.X.Rebind(q), args...); err != nil {
				t.Fatal(err)
			}
		}
		var tickets []int64
		for i, status := range []string{"open", "open", "pending", "closed", "resolved"} {
			d, err := db.RecordInbound(ctx, &store.Incoming{From: store.Person{Email: fmt.Sprintf("u%d@example.com", i+1)}, Subject: "Help " + status,
				Message: store.NewMessage{Kind: "inbound", Source: "email", Subject: "Help", Text: "Help", VisibleText: "Help"}})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.SetStatus(ctx, d.TicketID, status); err != nil {
				t.Fatal(err)
			}
			tickets = append(tickets, d.TicketID)
		}
		time.Sleep(10 * time.Millisecond) // the version is younger than every account

		file := filepath.Join(t.TempDir(), "privacy.md")
		if err := os.WriteFile(file, []byte("# Privacy\n\nWe keep less.\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"policy", "publish", "--kind", "privacy", file, "--significant", "--summary", "We keep sign-in records for 30 days."}
		stdout := killWhenQueued(t, db, env, people/3, append(args, "--batch", "50", "--pause", "5ms")...)
		b, err := db.Broadcast(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("killed at %d of %d", b.QueuedCount, b.Total)
		if b.Queued() || b.Kind != store.EmailPolicyNotice {
			t.Fatalf("not killed while queueing: %+v", b)
		}
		if !strings.Contains(stdout, "published privacy policy version 2, effective "+today+", significant") ||
			!strings.Contains(stdout, "ticket notices: 3 open or pending tickets got one now") {
			t.Errorf("first run's stdout:\n%s", stdout)
		}

		// The same command again continues, and tells nobody twice.
		out, errOut, code = dargo(t, env, nil, args...)
		if code != 0 || !strings.Contains(out, "privacy policy version 2 has this text and an unfinished announcement: continuing it") ||
			!strings.Contains(out, "ticket notices: 0 open or pending") || !strings.Contains(out, fmt.Sprintf("broadcast 1 queued: %d mails", people)) {
			t.Fatalf("resume: exit %d\n%s\n%s", code, out, errOut)
		}
		for _, c := range []struct {
			what  string
			query string
			want  int
		}{
			{"broadcasts", `SELECT COUNT(*) FROM broadcasts`, 1},
			{"policy mails", `SELECT COUNT(*) FROM emails WHERE kind = 'policy_notice'`, people},
			{"people with other than one", `SELECT COUNT(*) FROM (SELECT user_id FROM emails WHERE kind = 'policy_notice' GROUP BY user_id HAVING COUNT(*) <> 1) x`, 0},
			{"outbox rows", `SELECT COUNT(*) FROM outbox o JOIN emails e ON e.id = o.email_id WHERE e.kind = 'policy_notice'`, people},
			{"ticket notices", `SELECT COUNT(*) FROM ticket_policy_notices`, 3},
			{"closed tickets noticed", fmt.Sprintf(`SELECT COUNT(*) FROM ticket_policy_notices WHERE ticket_id IN (%d, %d)`, tickets[3], tickets[4]), 0},
			{"publishes audited", `SELECT COUNT(*) FROM audit_log WHERE action = 'policy_publish' AND actor_id IS NULL`, 2},
		} {
			if n := bcCount(t, db, c.query); n != c.want {
				t.Errorf("%s: %d, want %d", c.what, n, c.want)
			}
		}
		// Done: a third run refuses, and the list says so.
		if _, errOut, code := dargo(t, env, nil, args...); code == 0 || !strings.Contains(errOut, "version 2 of the privacy policy has this text already") {
			t.Errorf("third run: exit %d, %s", code, errOut)
		}
		out, _, code = dargo(t, env, nil, "policy", "list")
		if code != 0 || !strings.Contains(out, "We keep sign-in records for 30 days.") || strings.Contains(out, "unfinished") ||
			strings.Count(out, "current") != 2 || !strings.Contains(out, "terms    0") {
			t.Errorf("list: exit %d\n%s", code, out)
		}
	})
}

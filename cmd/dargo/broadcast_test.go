package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/store"
)

// Recipients of the broadcast tests: mailable users who signed in, and
// the ones a broadcast must not mail.
const (
	bcMailable   = 10000
	bcSuppressed = 30 // active, on the suppression list: a suppressed row, no mail
	bcInactive   = 50 // never signed in, no ticket
	bcErased     = 20 // signed in, then erased
)

// bcPeople fills the database with the broadcast's audience, in SQL.
func bcPeople(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	now := db.Now()
	series := func(n int) string {
		return fmt.Sprintf(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d) `, n)
	}
	for _, q := range []struct {
		query string
		args  []any
	}{
		{series(bcMailable) + `INSERT INTO users (email, name, role, created_at, updated_at) SELECT 'u' || i || '@example.com', 'User ' || i, 'customer', ?, ? FROM s`, []any{now, now}},
		{series(bcSuppressed) + `INSERT INTO users (email, name, role, created_at, updated_at) SELECT 'suppressed' || i || '@example.com', '', 'customer', ?, ? FROM s`, []any{now, now}},
		{series(bcSuppressed) + `INSERT INTO suppressions (email, reason, source, created_at) SELECT 'suppressed' || i || '@example.com', 'bounce', 'ses', ? FROM s`, []any{now}},
		{series(bcErased) + `INSERT INTO users (email, name, role, created_at, updated_at, erased_at) SELECT 'erased' || i || '@example.invalid', '', 'customer', ?, ?, ? FROM s`, []any{now, now, now}},
		{`INSERT INTO logins (user_id, created_at) SELECT id, ? FROM users`, []any{now}},
		{series(bcInactive) + `INSERT INTO users (email, name, role, created_at, updated_at) SELECT 'idle' || i || '@example.com', '', 'customer', ?, ? FROM s`, []any{now, now}},
	} {
		if _, err := db.X.ExecContext(ctx, db.X.Rebind(q.query), q.args...); err != nil {
			t.Fatalf("%s: %v", q.query, err)
		}
	}
}

func bcCount(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.X.Get(&n, db.X.Rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// bcOpen migrates the database with `dargo migrate` and opens it.
func bcOpen(t *testing.T, env []string, url string) *store.DB {
	t.Helper()
	if _, errOut, code := dargo(t, env, nil, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestBroadcastKilledAndResumed: a broadcast to 10,000 users, killed
// (SIGKILL) half way and resumed, mails each user exactly once.
func TestBroadcastKilledAndResumed(t *testing.T) {
	databases(t, func(t *testing.T, url string) {
		start := time.Now()
		r := testredis.Open(t, redisDB)
		env := append(baseEnv(url), fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB), "DARGO_MAILER=outbox", "DARGO_RELAY_INTERVAL=50ms")
		db := bcOpen(t, env, url)
		bcPeople(t, db)
		bodyFile := filepath.Join(t.TempDir(), "policy.txt")
		if err := os.WriteFile(bodyFile, []byte("We changed our privacy policy.\n\nRead it at https://help.example.com/privacy\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"broadcast", "--subject", "Our privacy policy changed", "--body-file", bodyFile}
		recipients := bcMailable + bcSuppressed

		// Small batches with a pause, so that half way is a moment to catch.
		stdout := killWhenQueued(t, db, env, recipients/2, append(args, "--batch", "100", "--pause", "5ms")...)
		b, err := db.Broadcast(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("killed at %d of %d queued (%s)", b.QueuedCount, b.Total, time.Since(start).Round(time.Millisecond))
		if b.Queued() || b.QueuedCount >= recipients || b.Total != recipients {
			t.Fatalf("not killed half way: %+v", b)
		}
		if !strings.Contains(stdout, fmt.Sprintf("broadcast 1 started: %d recipients", recipients)) {
			t.Errorf("stdout: %q", stdout)
		}
		// In one statement: on PostgreSQL a COMMIT the killed process had
		// already sent still completes after it died, so two reads could
		// straddle its last batch.
		if n := bcCount(t, db, `SELECT (SELECT COUNT(*) FROM emails WHERE broadcast_id = 1) - queued_count FROM broadcasts WHERE id = 1`); n != 0 {
			t.Errorf("the emails rows and the broadcast's count differ by %d", n)
		}

		// Running it again from the top is refused: it says how to resume.
		_, errOut, code := dargo(t, env, nil, args...)
		if code == 0 || !strings.Contains(errOut, "dargo broadcast --resume 1") {
			t.Fatalf("a second start: exit %d, %s", code, errOut)
		}
		out, errOut, code := dargo(t, env, nil, "broadcast", "--resume", "1")
		if code != 0 || !strings.Contains(out, fmt.Sprintf("broadcast 1 queued: %d mails", recipients)) ||
			!strings.Contains(errOut, fmt.Sprintf("queued %d/%d\n", recipients, recipients)) {
			t.Fatalf("resume: exit %d\n%s\n%s", code, out, errOut)
		}
		t.Logf("queued (%s)", time.Since(start).Round(time.Millisecond))

		for _, c := range []struct {
			what  string
			query string
			want  int
		}{
			{"emails rows", `SELECT COUNT(*) FROM emails WHERE broadcast_id = 1`, recipients},
			{"users with other than one row", `SELECT COUNT(*) FROM (SELECT user_id FROM emails WHERE broadcast_id = 1 GROUP BY user_id HAVING COUNT(*) <> 1) x`, 0},
			{"queued mails", `SELECT COUNT(*) FROM emails WHERE broadcast_id = 1 AND status = 'queued' AND to_email LIKE 'u%'`, bcMailable},
			{"suppressed rows", `SELECT COUNT(*) FROM emails WHERE broadcast_id = 1 AND status = 'suppressed' AND to_email LIKE 'suppressed%'`, bcSuppressed},
			{"outbox rows", `SELECT COUNT(*) FROM outbox o JOIN emails e ON e.id = o.email_id WHERE e.broadcast_id = 1`, bcMailable},
			{"mails with other than one outbox row", `SELECT COUNT(*) FROM (SELECT email_id FROM outbox GROUP BY email_id HAVING COUNT(*) <> 1) x`, 0},
			{"mails to the erased or inactive", `SELECT COUNT(*) FROM emails WHERE to_email LIKE 'erased%' OR to_email LIKE 'idle%'`, 0},
		} {
			if n := bcCount(t, db, c.query); n != c.want {
				t.Errorf("%s: %d, want %d", c.what, n, c.want)
			}
		}

		// The real worker relays and sends them all, into the dev outbox.
		worker := startProcess(t, env, "worker", "--concurrency", "16")
		deadline := time.Now().Add(3 * time.Minute)
		for bcCount(t, db, `SELECT COUNT(*) FROM emails WHERE broadcast_id = 1 AND status = 'queued'`) > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("worker still sending: %d sent", bcCount(t, db, `SELECT COUNT(*) FROM emails WHERE status = 'sent'`))
			}
			time.Sleep(100 * time.Millisecond)
		}
		worker.Process.Signal(os.Interrupt)
		if err := worker.Wait(); err != nil {
			t.Errorf("worker did not stop cleanly: %v", err)
		}
		t.Logf("sent (%s)", time.Since(start).Round(time.Millisecond))
		for _, c := range []struct {
			what  string
			query string
			want  int
		}{
			{"sent", `SELECT COUNT(*) FROM emails WHERE broadcast_id = 1 AND status = 'sent'`, bcMailable},
			{"mails in the dev outbox", `SELECT COUNT(*) FROM dev_mail`, bcMailable},
			{"recipients with other than one mail", `SELECT COUNT(*) FROM (SELECT recipients FROM dev_mail GROUP BY recipients HAVING COUNT(*) <> 1) x`, 0},
			{"mails to a mailable user", `SELECT COUNT(*) FROM dev_mail d JOIN users u ON u.email = d.recipients WHERE u.email LIKE 'u%' AND d.subject = 'Our privacy policy changed'`, bcMailable},
		} {
			if n := bcCount(t, db, c.query); n != c.want {
				t.Errorf("%s: %d, want %d", c.what, n, c.want)
			}
		}

		out, _, code = dargo(t, env, nil, "broadcast", "--list")
		lines := strings.Split(out, "\n")
		want := fmt.Sprintf("1 queued %d/%d %d 0 %d 0", recipients, recipients, bcMailable, bcSuppressed)
		if code != 0 || len(lines) < 2 || !strings.HasPrefix(strings.Join(strings.Fields(lines[1]), " "), want) || !strings.HasSuffix(lines[1], "Our privacy policy changed") {
			t.Errorf("list: exit %d, want a line starting %q\n%s", code, want, out)
		}
		out, _, code = dargo(t, env, nil, "broadcast", "--resume", "1")
		if code != 0 || !strings.Contains(out, "was queued already") {
			t.Errorf("resume of a queued broadcast: exit %d, %s", code, out)
		}
	})
}

// TestBroadcastStopsBetweenBatches: SIGINT and SIGTERM stop queueing after
// the batch in flight, with the way to resume.
func TestBroadcastStopsBetweenBatches(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			url := "sqlite:" + filepath.Join(dir, "d.db")
			env := baseEnv(url)
			db := bcOpen(t, env, url)
			bcPeople(t, db)
			body := filepath.Join(dir, "body.txt")
			os.WriteFile(body, []byte("Policy"), 0o600)
			cmd := exec.Command(binary, "broadcast", "--subject", "Policy", "--body-file", body, "--batch", "10", "--pause", "20ms")
			cmd.Env = append(os.Environ(), env...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			for bcCount(t, db, `SELECT COUNT(*) FROM broadcasts WHERE queued_count >= 50`) == 0 {
				time.Sleep(5 * time.Millisecond)
			}
			cmd.Process.Signal(sig)
			err := cmd.Wait()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(stderr.String(), "continue with dargo broadcast --resume 1") {
				t.Fatalf("exit %v, stderr:\n%s", err, stderr.String())
			}
			b, err := db.Broadcast(context.Background(), 1)
			if err != nil || b.Queued() || b.QueuedCount%10 != 0 || bcCount(t, db, `SELECT COUNT(*) FROM emails WHERE broadcast_id = 1`) != b.QueuedCount {
				t.Errorf("after the stop: %+v, %v", b, err)
			}
		})
	}
}

func TestBroadcastArguments(t *testing.T) {
	env := baseEnv("sqlite:" + filepath.Join(t.TempDir(), "d.db"))
	for _, args := range [][]string{
		{"broadcast"},
		{"broadcast", "--subject", "S"},
		{"broadcast", "--subject", "S", "--body-file", "x", "--resume", "1"},
		{"broadcast", "--list", "--resume", "1"},
		{"broadcast", "--resume", "1", "--batch", "0"},
		{"broadcast", "--subject", "S", "--body-file", "/nonexistent/body.txt"},
		{"broadcast", "--list", "extra"},
	} {
		if _, errOut, code := dargo(t, env, nil, args...); code == 0 || errOut == "" {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
	}
	if _, errOut, code := dargo(t, env, []byte("  \n"), "broadcast", "--subject", "S", "--body-file", "-"); code == 0 || !strings.Contains(errOut, "the text is empty") {
		t.Errorf("empty text: exit %d, %s", code, errOut)
	}
}

func TestProgress(t *testing.T) {
	var b bytes.Buffer
	p := &progress{w: &b, tty: true}
	p.show(0, 10000, false)
	p.show(5000, 10000, false)
	p.show(10030, 10000, true)
	p.end()
	want := "\r[..............................] 0/10000" +
		"\r[###############...............] 5000/10000" +
		"\r[##############################] 10030/10030\n"
	if b.String() != want {
		t.Errorf("terminal:\n%q\nwant\n%q", b.String(), want)
	}

	b.Reset()
	p = &progress{w: &b, every: time.Hour}
	p.show(0, 300, false)
	p.show(100, 300, false) // within the hour: not shown
	p.show(300, 300, true)
	p.end()
	if b.String() != "queued 0/300\nqueued 300/300\n" {
		t.Errorf("plain: %q", b.String())
	}
}

// killWhenQueued runs the dargo binary with args and env and kills it
// (SIGKILL) as soon as the broadcasts table says at least n mails of its
// only broadcast are queued: a crash in the middle of queueing. It returns
// what the process printed before it died.
func killWhenQueued(t *testing.T, db *store.DB, env []string, n int, args ...string) (stdout string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var queued []int
		if err := db.X.Select(&queued, `SELECT queued_count FROM broadcasts`); err != nil {
			t.Fatal(err)
		}
		if len(queued) == 1 && queued[0] >= n {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("never %d queued; stdout %s stderr %s", n, out.String(), stderr.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	return out.String()
}

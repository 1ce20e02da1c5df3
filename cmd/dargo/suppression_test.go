package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/store"
)

func TestSuppressionListAndRemove(t *testing.T) {
	databases(t, func(t *testing.T, url string) {
		ctx := context.Background()
		env := baseEnv(url)
		if _, errOut, code := dargo(t, env, nil, "migrate"); code != 0 {
			t.Fatalf("migrate exit %d: %s", code, errOut)
		}

		out, _, code := dargo(t, env, nil, "suppression", "--help")
		if code != 0 || !strings.HasPrefix(out, "usage: dargo suppression list | remove ADDR") {
			t.Errorf("--help: exit %d\n%s", code, out)
		}
		if _, errOut, code := dargo(t, env, nil, "suppression"); code == 0 || !strings.Contains(errOut, "usage: dargo suppression") {
			t.Errorf("no subcommand: exit %d\n%s", code, errOut)
		}
		if out, _, _ := dargo(t, env, nil, "help"); !strings.Contains(out, "dargo suppression list | remove ADDR") {
			t.Errorf("dargo help does not list the command")
		}
		if out, errOut, code := dargo(t, env, nil, "suppression", "list"); code != 0 || out != "" {
			t.Errorf("empty list: exit %d %q %s", code, out, errOut)
		}

		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		if _, err := db.SetRole(ctx, "ada@example.com", "customer"); err != nil {
			t.Fatal(err)
		}
		if err := db.Suppress(ctx, "ada@example.com", "bounce 5.1.1 smtp; 550 5.1.1\tuser unknown", "dsn"); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		if err := db.Suppress(ctx, "gone@example.org", "complaint: abuse", "ses-complaint"); err != nil {
			t.Fatal(err)
		}

		out, errOut, code := dargo(t, env, nil, "suppression", "list")
		want := "gone@example.org\tcomplaint: abuse\tses-complaint\t2026-12-01T10:00:00Z\n" +
			"ada@example.com\tbounce 5.1.1 smtp; 550 5.1.1 user unknown\tdsn\t2026-12-01T09:00:00Z\n"
		if code != 0 || out != want {
			t.Fatalf("list: exit %d %s\n%q\nwant\n%q", code, errOut, out, want)
		}

		out, errOut, code = dargo(t, env, nil, "suppression", "remove", "Ada@Example.com")
		if code != 0 || !strings.HasPrefix(out, "ada@example.com removed from the suppression list (was: bounce 5.1.1") {
			t.Fatalf("remove: exit %d %s\n%s", code, out, errOut)
		}
		if ok, _ := db.IsSuppressed(ctx, "ada@example.com"); ok {
			t.Errorf("ada still suppressed")
		}
		entries, err := db.AuditLog(ctx, store.AuditQuery{Action: store.AuditUnsuppress})
		if err != nil || len(entries) != 1 || entries[0].ActorID != nil || entries[0].UserID == nil ||
			entries[0].Detail != `{"removed":1,"source":"dsn","via":"cli"}` {
			t.Errorf("audit: %+v, %v", entries, err)
		}

		// Not suppressed (any more): says so, exits non-zero, audits nothing.
		out, errOut, code = dargo(t, env, nil, "suppression", "remove", "ada@example.com")
		if code != 1 || out != "" || !strings.Contains(errOut, "ada@example.com is not on the suppression list; nothing removed") {
			t.Errorf("remove again: exit %d %q %s", code, out, errOut)
		}
		if entries, _ := db.AuditLog(ctx, store.AuditQuery{Action: store.AuditUnsuppress}); len(entries) != 1 {
			t.Errorf("%d audit entries after a refused remove", len(entries))
		}
		if out, _, _ := dargo(t, env, nil, "suppression", "list"); out != "gone@example.org\tcomplaint: abuse\tses-complaint\t2026-12-01T10:00:00Z\n" {
			t.Errorf("list after remove: %q", out)
		}
	})
}

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

var binary string

// stamped: the binary carries the commit it was built from (see stampable).
var stamped bool

// stampable reports whether go build can stamp the commit into the binary:
// the checkout is a git clone (Go reads no worktree's .git file) and git
// answers. This machine's GOFLAGS=-buildvcs=false is overridden either way.
func stampable() bool {
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return false
	}
	fi, err := os.Stat(filepath.Join(strings.TrimSpace(string(top)), ".git"))
	return err == nil && fi.IsDir()
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dargo-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "dargo")
	stamped = stampable()
	build := exec.Command("go", "build", "-buildvcs="+strconv.FormatBool(stamped), "-o", binary, ".")
	if out, err := build.CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// dargo runs the built binary with the environment and returns stdout, stderr and the exit code.
func dargo(t *testing.T, env []string, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run dargo: %v", err)
	}
	return stdout.String(), stderr.String(), code
}

// databases gives a fresh database URL per dialect.
func databases(t *testing.T, fn func(t *testing.T, url string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite:"+filepath.Join(t.TempDir(), "d.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, testdb.PostgresURL(t)) })
}

// testSecret is a DARGO_SECRET the production commands accept (the base64
// of 32 random bytes, made once by `dargo secret`).
const testSecret = "m7CbG/NmfrTwgxu+DWyDvQNtGjzw8BOLVk4bvNWaZHE="

// baseEnv is the environment of a test's dargo commands on the database
// at url. Each process's ops listener takes a free port, so processes of
// tests running side by side never meet on the default ports.
func baseEnv(url string) []string {
	return []string{"DARGO_DATABASE_URL=" + url, "DARGO_MAIL_DOMAIN=help.example.com", "DARGO_SECRET=" + testSecret, "DARGO_LOG_LEVEL=warn",
		"DARGO_OPS_ADDR=127.0.0.1:0"}
}

type result struct {
	Action  string `json:"action"`
	Ticket  *int64 `json:"ticket"`
	Message *int64 `json:"message"`
	Reason  string `json:"reason"`
}

func decodeLines(t *testing.T, out string) []result {
	t.Helper()
	var rs []result
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("ingest printed %q: %v", line, err)
		}
		rs = append(rs, r)
	}
	return rs
}

func TestIngestAndExport(t *testing.T) {
	databases(t, func(t *testing.T, url string) {
		env := baseEnv(url)
		out, errOut, code := dargo(t, env, nil, "ingest", "testdata/new.eml", "testdata/reply.eml", "testdata/new.eml")
		if code != 0 {
			t.Fatalf("ingest exit %d: %s", code, errOut)
		}
		rs := decodeLines(t, out)
		if len(rs) != 3 {
			t.Fatalf("want 3 result lines, got %d: %s", len(rs), out)
		}
		if rs[0].Action != "created" || rs[0].Ticket == nil || *rs[0].Ticket != 1 || rs[0].Message == nil {
			t.Errorf("first mail: %+v", rs[0])
		}
		if rs[1].Action != "appended" || *rs[1].Ticket != 1 {
			t.Errorf("reply: %+v", rs[1])
		}
		if rs[2].Action != "duplicate" || *rs[2].Ticket != 1 {
			t.Errorf("same mail again: %+v", rs[2])
		}

		// stdin, with an envelope recipient
		out, _, code = dargo(t, env, []byte("From: x@example.org\nSubject: hi\n\nhello\n"), "ingest", "--recipient", "support@help.example.com")
		if code != 0 || decodeLines(t, out)[0].Action != "created" {
			t.Fatalf("stdin ingest: exit %d, %s", code, out)
		}

		out, errOut, code = dargo(t, env, nil, "export", "--email", "JUERGEN.MUELLER@example.de")
		if code != 0 {
			t.Fatalf("export exit %d: %s", code, errOut)
		}
		var doc store.Export
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("export is not JSON: %v\n%s", err, out)
		}
		if doc.User.Email != "juergen.mueller@example.de" || doc.User.Name != "Jürgen Müller" || doc.User.Role != "customer" {
			t.Errorf("user: %+v", doc.User)
		}
		if len(doc.Tickets) != 1 {
			t.Fatalf("want 1 ticket, got %+v", doc.Tickets)
		}
		tk := doc.Tickets[0]
		if tk.Number != 1 || tk.Subject != "Invoice für Oktober is wrong" || tk.Status != "open" || tk.Category != "general" {
			t.Errorf("ticket: %+v", tk)
		}
		if !regexp.MustCompile(`^support\+1-[0-9a-f]{12}@help\.example\.com$`).MatchString(tk.ReplyTo) {
			t.Errorf("reply_to %q", tk.ReplyTo)
		}
		if len(tk.Messages) != 2 || tk.Messages[0].ID != *rs[0].Message || tk.Messages[1].ID != *rs[1].Message {
			t.Fatalf("messages do not carry the ids ingest printed: %+v", tk.Messages)
		}
		if got := tk.Messages[1].Text; got != "Any news?" {
			t.Errorf("reply's visible text = %q, want the quote removed", got)
		}
		atts := tk.Messages[0].Attachments
		if len(atts) != 1 || atts[0].Filename != "Rechnung.pdf" || atts[0].ContentType != "application/pdf" || atts[0].Size != 78 {
			t.Errorf("attachments: %+v", atts)
		}
		if len(doc.Emails) != 1 || doc.Emails[0].Kind != "confirmation" || doc.Emails[0].Status != "queued" || *doc.Emails[0].Ticket != 1 {
			t.Errorf("emails: %+v", doc.Emails)
		}
		for _, key := range []string{`"sessions": []`, `"logins": []`} {
			if !strings.Contains(out, key) {
				t.Errorf("export lacks %s", key)
			}
		}
	})
}

func TestIngestErrors(t *testing.T) {
	_, errOut, code := dargo(t, []string{"DARGO_DATABASE_URL=postgres://nobody@127.0.0.1:1/none?connect_timeout=2", "DARGO_SECRET=" + testSecret}, nil, "ingest", "testdata/new.eml")
	if code == 0 || !strings.Contains(errOut, "connect") {
		t.Errorf("no database: exit %d, stderr %q; want non-zero with the reason", code, errOut)
	}
	env := baseEnv("sqlite:" + filepath.Join(t.TempDir(), "d.db"))
	out, errOut, code := dargo(t, env, nil, "ingest", "testdata/missing.eml", "testdata/new.eml")
	if code == 0 || !strings.Contains(errOut, "missing.eml") {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut)
	}
	if rs := decodeLines(t, out); len(rs) != 1 || rs[0].Action != "created" {
		t.Errorf("the readable file must still be ingested: %s", out)
	}
	_, errOut, code = dargo(t, env, nil, "export", "--email", "nobody@example.com")
	if code == 0 || !strings.Contains(errOut, "nobody@example.com") {
		t.Errorf("export of unknown person: exit %d, %q", code, errOut)
	}
	_, errOut, code = dargo(t, append(env, "DARGO_MAX_MAIL_BYTES=lots"), nil, "ingest")
	if code == 0 || !strings.Contains(errOut, "DARGO_MAX_MAIL_BYTES") {
		t.Errorf("bad config: exit %d, %q", code, errOut)
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	out, _, code := dargo(t, nil, nil, "help")
	if code != 0 {
		t.Fatalf("help exit %d", code)
	}
	for _, s := range settings {
		if !strings.Contains(out, s.name) {
			t.Errorf("help lacks %s", s.name)
		}
	}
	for _, c := range commands {
		if !strings.Contains(out, c.usage) {
			t.Errorf("help lacks command %s", c.name)
		}
	}
}

func TestDevAcceptsMailOverSMTP(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "d.db")
	dev := startDev(t, append(baseEnv(url), "DARGO_REDIS_URL=", "DARGO_RELAY_INTERVAL=100ms")...)
	addr, outbox := dev.smtp, dev.outbox
	raw, _ := os.ReadFile("testdata/new.eml")
	if err := smtp.SendMail(addr, nil, "juergen.mueller@example.de", []string{"support@help.example.com"}, raw); err != nil {
		t.Fatalf("send: %v", err)
	}
	out, errOut, code := dargo(t, baseEnv(url), nil, "export", "--email", "juergen.mueller@example.de")
	if code != 0 {
		t.Fatalf("export after SMTP: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"subject": "Invoice für Oktober is wrong"`) {
		t.Errorf("the mail sent over SMTP did not become a ticket:\n%s", out)
	}
	// The in-process worker sends the confirmation into the dev outbox.
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(outbox)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.Contains(string(body), "We received your request [#1]") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no confirmation in the dev outbox:\n%s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	doc := waitExport(t, baseEnv(url), "juergen.mueller@example.de", func(d *store.Export) bool {
		return len(d.Emails) == 1 && d.Emails[0].Status == "sent"
	})
	if doc.Emails[0].Kind != "confirmation" {
		t.Errorf("emails: %+v", doc.Emails)
	}
}

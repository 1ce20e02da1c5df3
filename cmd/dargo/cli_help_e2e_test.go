package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dargo-support/dargo/store"
)

// tripwire holds a loopback port where a command would connect or
// listen: a command that listens there fails (the port is taken), one
// that connects is counted.
type tripwire struct {
	net.Listener
	hits atomic.Int32
}

func newTripwire(t *testing.T) *tripwire {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tw := &tripwire{Listener: l}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			tw.hits.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
	})
	return tw
}

// tables lists the tables of the database's schema (PostgreSQL) or
// file (SQLite).
func tables(t *testing.T, url string) []string {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var names []string
	q := `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`
	if err := db.X.SelectContext(context.Background(), &names, q); err != nil {
		t.Fatal(err)
	}
	return names
}

// TestHelpTouchesNothing runs every command and subcommand's --help, -h
// and dargo help CMD with a configuration pointing at a real database and
// at ports held by the test: each prints its usage, exits 0, and neither
// creates a table (PostgreSQL) nor the database file (SQLite), nor
// listens on or connects to anything.
func TestHelpTouchesNothing(t *testing.T) {
	databases(t, func(t *testing.T, url string) {
		dir := t.TempDir()
		if strings.HasPrefix(url, "sqlite:") {
			url = "sqlite:" + filepath.Join(dir, "db", "d.db")
		}
		var before []string
		if strings.HasPrefix(url, "postgres") {
			before = tables(t, url)
		}
		httpT, opsT, smtpT, other := newTripwire(t), newTripwire(t), newTripwire(t), newTripwire(t)
		env := append(baseEnv(url),
			"DARGO_HTTP_ADDR="+httpT.Addr().String(),
			"DARGO_OPS_ADDR="+opsT.Addr().String(),
			"DARGO_SMTP_ADDR="+smtpT.Addr().String(),
			"DARGO_REDIS_URL=redis://"+other.Addr().String()+"/0",
			"DARGO_SQS_QUEUE_URL=http://"+other.Addr().String()+"/000000000000/inbound",
			"AWS_ENDPOINT_URL=http://"+other.Addr().String(),
			"AWS_REGION=eu-west-1", "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x")
		runs := 0
		for _, p := range everyCommand() {
			for _, args := range helpForms(p.names) {
				out, errOut, code := dargo(t, env, nil, args...)
				if code != 0 || errOut != "" || !strings.HasPrefix(out, "usage: "+p.cmd.usage+"\n") {
					t.Errorf("%q: exit %d, stderr %q, stdout:\n%s", args, code, errOut, out)
				}
				runs++
			}
		}
		for _, args := range [][]string{nil, {"help"}, {"-h"}, {"version"}, {"--version"}} {
			if _, errOut, code := dargo(t, env, nil, args...); code != 0 || errOut != "" {
				t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
			}
		}
		for name, tw := range map[string]*tripwire{"DARGO_HTTP_ADDR": httpT, "DARGO_OPS_ADDR": opsT, "DARGO_SMTP_ADDR": smtpT, "Redis, SQS or AWS": other} {
			if n := tw.hits.Load(); n > 0 {
				t.Errorf("%d connections to %s", n, name)
			}
		}
		if strings.HasPrefix(url, "postgres") {
			if after := tables(t, url); !slices.Equal(after, before) {
				t.Errorf("tables before the help commands %q, after %q", before, after)
			}
		} else if entries, err := os.ReadDir(dir); err != nil || len(entries) > 0 {
			t.Errorf("the help commands left %v in the database's folder (%v)", entries, err)
		}
		t.Logf("%d help commands", runs)
	})
}

// TestHelpWithGarbageConfiguration: help and version work, from the built
// binary, whatever the environment says; a command that reads the
// configuration says what is wrong with it and exits 2.
func TestHelpWithGarbageConfiguration(t *testing.T) {
	var env []string
	for k, v := range garbageEnv {
		env = append(env, k+"="+v)
	}
	for _, args := range [][]string{nil, {"help"}, {"help", "worker"}, {"worker", "--help"}, {"staff", "add", "-h"}, {"version"}, {"--version"}, {"secret"}} {
		if out, errOut, code := dargo(t, env, nil, args...); code != 0 || errOut != "" || out == "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	out, errOut, code := dargo(t, env, nil, "doctor")
	if code != 2 || out != "" || !strings.HasPrefix(errOut, "dargo: configuration: DARGO_LOG_LEVEL: want debug, info, warn or error, got \"loud\"\n") {
		t.Errorf("doctor: exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
	for _, name := range []string{"DARGO_QUEUES", "DARGO_WORKER_CONCURRENCY", "DARGO_SQS_VISIBILITY", "DARGO_MAILER", "DARGO_FROM"} {
		if !strings.Contains(errOut, name) {
			t.Errorf("the configuration error does not name %s:\n%s", name, errOut)
		}
	}
}

// TestVersionNamesTheCommit: the binary built from a git clone names its
// commit and the commit's time (CI's case); built elsewhere (a git
// worktree, a tarball) it says it does not know.
func TestVersionNamesTheCommit(t *testing.T) {
	out, errOut, code := dargo(t, []string{"DARGO_LOG_LEVEL=loud"}, nil, "version")
	if code != 0 || errOut != "" {
		t.Fatalf("dargo version: exit %d, %s", code, errOut)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(line, " ")
		got[k] = strings.TrimSpace(v)
	}
	want := map[string]string{"commit": "unknown", "time": "unknown"}
	if stamped {
		head, err := exec.Command("git", "log", "-1", "--format=%H %ct").Output()
		if err != nil {
			t.Fatal(err)
		}
		commit, unix, _ := strings.Cut(strings.TrimSpace(string(head)), " ")
		sec, err := strconv.ParseInt(unix, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		want = map[string]string{"commit": commit, "time": time.Unix(sec, 0).UTC().Format(time.RFC3339)}
	}
	t.Logf("stamped %v:\n%s", stamped, out)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("dargo version: %s %q, want %q", k, got[k], v)
		}
	}
	if got["modified"] != "true" && got["modified"] != "false" {
		t.Errorf("dargo version: modified %q", got["modified"])
	}
	if _, ok := got["version"]; !ok || !strings.HasPrefix(got["go"], "go1.") {
		t.Errorf("dargo version lacks the version or the Go version:\n%s", out)
	}
}

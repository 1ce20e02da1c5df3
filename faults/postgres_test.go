//go:build faults

package faults

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// postgres is a PostgreSQL cluster of the suite's own, in a temporary
// directory on a free port. PostgreSQL refuses to run as root, so as root
// its commands run as the postgres user (runuser), who owns the directory.
type postgres struct {
	bin, dir string
	port     int
	owner    *user.User // nil: the current user runs PostgreSQL
}

func startPostgres(t *testing.T) *postgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	sort.Strings(bins)
	p := &postgres{port: freePort(t)}
	if len(bins) > 0 {
		p.bin = filepath.Dir(bins[len(bins)-1])
	} else if pgctl, err := exec.LookPath("pg_ctl"); err == nil {
		p.bin = filepath.Dir(pgctl)
	} else {
		t.Fatal("faults: no pg_ctl in /usr/lib/postgresql/*/bin or on PATH")
	}
	dir, err := os.MkdirTemp("", "dargo-faults-pg-")
	if err != nil {
		t.Fatal(err)
	}
	p.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		if p.owner, err = user.Lookup("postgres"); err != nil {
			t.Fatalf("faults: running as root, and there is no postgres user to run PostgreSQL as: %v", err)
		}
		uid, _ := strconv.Atoi(p.owner.Uid)
		gid, _ := strconv.Atoi(p.owner.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := p.command("initdb", "-D", p.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("faults: initdb: %v\n%s", err, out)
	}
	if err := p.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.stop() })
	return p
}

func (p *postgres) data() string { return filepath.Join(p.dir, "data") }

// URL is what the dargo processes get as DARGO_DATABASE_URL.
func (p *postgres) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

func (p *postgres) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(p.bin, name)
	if p.owner == nil {
		return exec.Command(path, args...)
	}
	return exec.Command("runuser", append([]string{"-u", p.owner.Username, "--", path}, args...)...)
}

// start starts the cluster and waits until it accepts connections.
func (p *postgres) start() error {
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off -c max_connections=200", p.port, p.dir)
	out, err := p.command("pg_ctl", "-D", p.data(), "-l", filepath.Join(p.dir, "log"), "-o", opts, "-w", "-t", "60", "start").CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "log"))
		return fmt.Errorf("faults: pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	return nil
}

// stop shuts the cluster down (fast: open connections are cut).
func (p *postgres) stop() error {
	out, err := p.command("pg_ctl", "-D", p.data(), "-m", "fast", "-w", "stop").CombinedOutput()
	if err != nil {
		return fmt.Errorf("faults: pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/bench"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/store"
)

// benchTestRedisDB is the Redis database of the dargo bench tests.
const benchTestRedisDB = 14

// TestBenchQuick runs `dargo bench --quick` on each database with a real
// Redis: every figure has its rows with a positive count and rate, the JSON
// report names the machine and the build, and afterwards the bench's own
// SQLite file or PostgreSQL schema is gone, the configured database was
// never created, and the Redis database is empty again.
func TestBenchQuick(t *testing.T) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			dir := t.TempDir()
			dbURL := "sqlite:" + filepath.Join(dir, "desk.db")
			if dialect == store.Postgres {
				dbURL = testdb.PostgresURL(t)
			}
			r := testredis.Open(t, benchTestRedisDB)
			report := filepath.Join(dir, "bench.json")
			env := append(baseEnv(dbURL), fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB))
			stdout, stderr, code := dargo(t, env, nil, "bench", "--quick", "--json", report)
			if code != 0 {
				t.Fatalf("dargo bench: exit %d\n%s\n%s", code, stdout, stderr)
			}
			rep := readReport(t, report)
			checkRows(t, rep, stdout, []string{"ingest_direct", "ingest_ordered", "sqs_drain", "sqs_paced", "send_pipeline",
				"inbox_list", "inbox_search", "inbox_ticket", "signin_request", "signin_confirm"})
			if rep.Dialect != dialect || rep.N != bench.QuickN {
				t.Errorf("report: dialect %q, N %d; want %q, %d", rep.Dialect, rep.N, dialect, bench.QuickN)
			}
			if !strings.Contains(rep.Redis, fmt.Sprintf("database %d", r.DB)) {
				t.Errorf("report names Redis %q, want database %d", rep.Redis, r.DB)
			}
			if n := r.Client(t).DBSize(context.Background()).Val(); n != 0 {
				t.Errorf("Redis database %d holds %d keys after the bench, want 0", r.DB, n)
			}
			if dialect == store.SQLite {
				entries, _ := os.ReadDir(dir)
				for _, e := range entries {
					if e.Name() != "bench.json" {
						t.Errorf("left in the configured database's directory: %s", e.Name())
					}
				}
				return
			}
			schema := strings.Fields(strings.TrimPrefix(rep.Database, "schema "))[0]
			if !strings.HasPrefix(schema, bench.SchemaPrefix) {
				t.Fatalf("report names database %q, want a %s schema", rep.Database, bench.SchemaPrefix)
			}
			admin, err := store.Open(context.Background(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer admin.Close()
			var left int
			if err := admin.X.Get(&left, `SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1`, schema); err != nil || left != 0 {
				t.Errorf("schema %s after the bench: %d (%v), want dropped", schema, left, err)
			}
			var tables int
			if err := admin.X.Get(&tables, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()`); err != nil || tables != 0 {
				t.Errorf("configured schema: %d tables (%v), want untouched (never migrated)", tables, err)
			}
		})
	}
}

// TestBenchInProcessRedis: without DARGO_REDIS_URL the bench runs on an
// in-process Redis, as dargo dev does, and says so.
func TestBenchInProcessRedis(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "bench.json")
	stdout, stderr, code := dargo(t, baseEnv("sqlite:"+filepath.Join(dir, "desk.db")), nil,
		"bench", "--quick", "--only", "send,signin", "--json", report)
	if code != 0 {
		t.Fatalf("dargo bench: exit %d\n%s\n%s", code, stdout, stderr)
	}
	rep := readReport(t, report)
	checkRows(t, rep, stdout, []string{"send_pipeline", "signin_request", "signin_confirm"})
	if !strings.Contains(rep.Redis, "in-process") || !strings.Contains(stdout, "in-process") {
		t.Errorf("report and table should say the Redis is in-process: %q\n%s", rep.Redis, stdout)
	}
}

// TestBenchRefusesBusyRedis: a Redis database with keys in it may be a
// desk's; the bench leaves it alone and says how to choose another.
func TestBenchRefusesBusyRedis(t *testing.T) {
	dir := t.TempDir()
	r := testredis.Open(t, benchTestRedisDB)
	c := r.Client(t)
	if err := c.Set(context.Background(), "someone-else", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	env := append(baseEnv("sqlite:"+filepath.Join(dir, "desk.db")), fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB))
	_, stderr, code := dargo(t, env, nil, "bench", "--quick", "--only", "ingest", "--json", filepath.Join(dir, "bench.json"))
	if code == 0 || !strings.Contains(stderr, "holds 1 keys") || !strings.Contains(stderr, "--redis-db") {
		t.Errorf("exit %d, stderr %q; want a refusal naming --redis-db", code, stderr)
	}
	if v := c.Get(context.Background(), "someone-else").Val(); v != "1" {
		t.Errorf("the other key is %q after the refusal, want untouched", v)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("files left after the refusal: %v", entries)
	}
}

func readReport(t *testing.T, path string) *bench.Report {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep bench.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, raw)
	}
	m := rep.Machine
	if m.CPUs < 1 || m.GOMAXPROCS < 1 || m.MemoryMiB < 1 || !strings.HasPrefix(m.GoVersion, "go") || rep.Dargo.Version == "" {
		t.Errorf("report's machine and build: %+v %+v", m, rep.Dargo)
	}
	return &rep
}

// checkRows: the report has exactly the named rows, each with a positive
// count and rate, and the printed table shows each.
func checkRows(t *testing.T, rep *bench.Report, table string, names []string) {
	t.Helper()
	if len(rep.Rows) != len(names) {
		t.Errorf("%d rows, want %d: %+v", len(rep.Rows), len(names), rep.Rows)
	}
	for i, name := range names {
		if i >= len(rep.Rows) {
			break
		}
		row := rep.Rows[i]
		if row.Name != name || row.N <= 0 || row.PerSecond <= 0 || row.Unit == "" {
			t.Errorf("row %d = %+v, want %s with a positive N and rate", i, row, name)
		}
		if !strings.Contains(table, "\n"+name+" ") {
			t.Errorf("table lacks a %s row:\n%s", name, table)
		}
	}
}

// TestBenchRefusesIgnoredSearchPath: behind a pooler that drops the URL's
// search_path, the bench's connections would land in the desk's own schema
// (public here); the bench sees it, refuses before writing anything, and
// still drops the schema it made.
func TestBenchRefusesIgnoredSearchPath(t *testing.T) {
	u, err := url.Parse(testdb.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Host = ignoringPooler(t, u.Host)
	ctx := context.Background()
	desk, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer desk.Close()
	publicTables := func() []string {
		var names []string
		if err := desk.X.Select(&names, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`); err != nil {
			t.Fatal(err)
		}
		return names
	}
	var schema string
	if err := desk.X.Get(&schema, `SELECT current_schema()`); err != nil || schema != "public" {
		t.Fatalf("through the pooler the current schema is %q (%v); want public, as a pooler ignoring search_path gives", schema, err)
	}
	before := publicTables()

	dir := t.TempDir()
	_, stderr, code := dargo(t, baseEnv(u.String()), nil, "bench", "--quick", "--only", "ingest", "--json", filepath.Join(dir, "bench.json"))
	m := regexp.MustCompile(`current schema is "public", not the bench's "(` + bench.SchemaPrefix + `[0-9a-f]+)"`).FindStringSubmatch(stderr)
	if code == 0 || m == nil {
		t.Fatalf("exit %d, stderr %q; want a refusal naming public and the bench's schema", code, stderr)
	}
	if after := publicTables(); !slices.Equal(after, before) {
		t.Errorf("public's tables went from %v to %v; want untouched", before, after)
	}
	var left int
	if err := desk.X.Get(&left, `SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1`, m[1]); err != nil || left != 0 {
		t.Errorf("schema %s after the refusal: %d (%v); want dropped", m[1], left, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bench.json")); err == nil {
		t.Error("a report was written after the refusal")
	}
}

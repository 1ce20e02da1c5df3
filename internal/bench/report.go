package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/store"
)

// Report is one run: where it ran, on what, and its rows.
type Report struct {
	Machine         Machine   `json:"machine"`
	Dargo           Dargo     `json:"dargo"`
	Dialect         string    `json:"dialect"`
	DatabaseVersion string    `json:"database_version"`
	Database        string    `json:"database"` // where the bench's data lived (a temp file or schema)
	Redis           string    `json:"redis"`
	N               int       `json:"n"`
	Sizes           Sizes     `json:"sizes"`
	Started         time.Time `json:"started"`
	Seconds         float64   `json:"seconds"`
	Rows            []Row     `json:"rows"`
}

// Row is one figure: N operations, their rate and, where each operation is
// timed on its own, the latency percentiles.
type Row struct {
	Name      string  `json:"name"`
	N         int     `json:"n"`
	PerSecond float64 `json:"per_second"`
	Unit      string  `json:"unit"` // what PerSecond counts: "mails/s", "req/s"
	P50Ms     float64 `json:"p50_ms,omitempty"`
	P95Ms     float64 `json:"p95_ms,omitempty"`
	P99Ms     float64 `json:"p99_ms,omitempty"`
	// AllocBytes is the heap allocated per operation, the whole process
	// counted (Go's TotalAlloc), where the figure runs one at a time.
	AllocBytes uint64 `json:"alloc_bytes_per_op,omitempty"`
	Note       string `json:"note,omitempty"`
}

// Machine is what the figures ran on.
type Machine struct {
	CPUs       int    `json:"cpus"`       // runtime.NumCPU
	GOMAXPROCS int    `json:"gomaxprocs"` // runtime.GOMAXPROCS
	MemoryMiB  int64  `json:"memory_mib"` // /proc/meminfo MemTotal; 0 when unknown
	GoVersion  string `json:"go_version"`
	// LoadAverage is /proc/loadavg's 1, 5 and 15 minute averages when the
	// run started: on a shared machine, what else was running.
	LoadAverage string `json:"load_average,omitempty"`
	OS          string `json:"os"`
	Arch        string `json:"arch"`
}

// Dargo is the build that ran.
type Dargo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit"`
	Modified bool   `json:"modified"`
}

func readMachine() Machine {
	return Machine{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), MemoryMiB: memTotal(),
		GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, LoadAverage: loadAverage()}
}

// loadAverage reads /proc/loadavg's first three fields; "" where there is none.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func readDargo() Dargo {
	b := metrics.ReadBuild()
	return Dargo{Version: b.Version, Commit: b.Commit, Modified: b.Modified}
}

// memTotal reads MemTotal from /proc/meminfo, in MiB; 0 where there is none.
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb >> 10
		}
	}
	return 0
}

func databaseVersion(ctx context.Context, db *store.DB) string {
	q := `SELECT sqlite_version()`
	if db.Dialect == store.Postgres {
		q = `SHOW server_version`
	}
	var v string
	if err := db.X.GetContext(ctx, &v, q); err != nil {
		return "unknown"
	}
	return v
}

// WriteTable prints the report as a header and an aligned table.
func (rep *Report) WriteTable(w io.Writer) error {
	m := rep.Machine
	fmt.Fprintf(w, "dargo %s (%s) on %d CPUs (GOMAXPROCS %d), %d MiB, %s %s/%s\n",
		rep.Dargo.Version, short(rep.Dargo.Commit), m.CPUs, m.GOMAXPROCS, m.MemoryMiB, m.GoVersion, m.OS, m.Arch)
	fmt.Fprintf(w, "database: %s %s, %s\nredis:    %s\n", rep.Dialect, rep.DatabaseVersion, rep.Database, rep.Redis)
	fmt.Fprintf(w, "N=%d, %.1fs, load average %s at the start\n\n", rep.N, rep.Seconds, m.LoadAverage)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tN\trate\tunit\tp50 ms\tp95 ms\tp99 ms\talloc/op\t")
	for _, r := range rep.Rows {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%s\t%s\t%s\t\n", r.Name, r.N, r.PerSecond, r.Unit,
			latency(r.P50Ms), latency(r.P95Ms), latency(r.P99Ms), kib(r.AllocBytes))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, r := range rep.Rows {
		if r.Note != "" {
			fmt.Fprintf(w, "%s: %s\n", r.Name, r.Note)
		}
	}
	return nil
}

func latency(ms float64) string {
	if ms == 0 {
		return "-"
	}
	return strconv.FormatFloat(ms, 'f', 2, 64)
}

func kib(b uint64) string {
	if b == 0 {
		return "-"
	}
	return strconv.FormatUint(b>>10, 10) + " KiB"
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

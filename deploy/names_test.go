package deploy

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"github.com/dargo-support/dargo/internal/metrics"
)

// family is a metric family the binary exports: its labels (nil for the
// Go runtime and process families, whose labels are not checked).
type family struct {
	labels []string
}

// knownFamilies maps every series name a query may use to its family:
// dargo_* from metrics.Defs, go_* and process_* from a registry built as
// every process builds its own, with _bucket, _sum and _count for
// histograms and summaries.
func knownFamilies(t *testing.T) map[string]family {
	t.Helper()
	known := map[string]family{}
	add := func(name string, f family, histogram bool) {
		known[name] = f
		if histogram {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				known[name+s] = f
			}
		}
	}
	for _, d := range metrics.Defs {
		add(d.Name, family{labels: d.Labels}, d.Type == "histogram")
	}
	mfs, err := metrics.NewRegistry(nil).Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, mf := range mfs {
		name := mf.GetName()
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") {
			add(name, family{}, mf.GetType() == dto.MetricType_HISTOGRAM || mf.GetType() == dto.MetricType_SUMMARY)
		}
	}
	return known
}

var (
	quoted    = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")
	matchers  = regexp.MustCompile(`\{[^{}]*\}`)
	grouping  = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)`)
	seriesRe  = regexp.MustCompile(`\b(?:dargo|go|process)_\w+`)
	selectors = regexp.MustCompile(`\b(dargo_\w+)\s*\{([^{}]*)\}`)
	matcherRe = regexp.MustCompile(`(\w+)\s*(?:=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*")`)
)

// seriesNames returns the metric names a PromQL expression reads: the
// identifiers named dargo_*, go_* or process_* once strings, label
// matchers and grouping clauses (whose label names, such as go_version,
// look like metrics) are taken out.
func seriesNames(expr string) []string {
	e := quoted.ReplaceAllString(expr, `""`)
	e = matchers.ReplaceAllString(e, "")
	e = grouping.ReplaceAllString(e, "")
	names := seriesRe.FindAllString(e, -1)
	slices.Sort(names)
	return slices.Compact(names)
}

// checkExpr fails when expr reads a series no family exports, or selects a
// dargo_* family by a label it does not have.
func checkExpr(t *testing.T, known map[string]family, where, expr string) {
	t.Helper()
	names := seriesNames(expr)
	if len(names) == 0 && !strings.Contains(expr, "up{") {
		t.Errorf("%s: reads no Dargo family: %s", where, expr)
	}
	for _, n := range names {
		if _, ok := known[n]; !ok {
			t.Errorf("%s: %s is no family Dargo exports (internal/metrics)", where, n)
		}
	}
	for _, m := range selectors.FindAllStringSubmatch(expr, -1) {
		f, ok := known[m[1]]
		if !ok {
			continue
		}
		for _, lm := range matcherRe.FindAllStringSubmatch(m[2], -1) {
			label := lm[1]
			if !slices.Contains(f.labels, label) && !slices.Contains(targetLabels, label) && label != "le" {
				t.Errorf("%s: %s has no label %q (it has %v)", where, m[1], label, f.labels)
			}
		}
	}
}

// targetLabels are the labels Prometheus adds to every series it scrapes
// (prometheus.yml and kubernetes/prometheus-scrape.yml).
var targetLabels = []string{"job", "instance", "namespace", "pod"}

// deskWide are the families every worker replica reads from the database
// and Redis (and every inbound replica from SQS): the same number from
// each, so summing them over replicas is wrong.
var deskWide = regexp.MustCompile(`^dargo_(outbox_|emails_queued|email_queued|sweep_|queue_|store_scrape_error|sqs_dlq_messages)`)

var summed = regexp.MustCompile(`\bsum\s*(?:(?:by|without)\s*\([^()]*\)\s*)?\(\s*(?:(?:rate|increase|delta|irate)\s*\(\s*)?(dargo_\w+)`)

// checkNotSummed fails when expr sums a desk-wide family over replicas.
func checkNotSummed(t *testing.T, where, expr string) {
	t.Helper()
	for _, m := range summed.FindAllStringSubmatch(expr, -1) {
		if deskWide.MatchString(m[1]) {
			t.Errorf("%s: sums %s, which every replica reports alike: take max()", where, m[1])
		}
	}
}

func TestSeriesNames(t *testing.T) {
	for expr, want := range map[string]string{
		`max by (job, go_version) (dargo_build_info)`:                                                                "dargo_build_info",
		`sum(rate(dargo_ses_errors_total{class="permanent"}[5m])) / sum(rate(go_goroutines[5m]))`:                    "dargo_ses_errors_total go_goroutines",
		`histogram_quantile(0.95, sum by (le) (rate(dargo_inbound_sqs_to_commit_seconds_bucket[$__rate_interval])))`: "dargo_inbound_sqs_to_commit_seconds_bucket",
		`up{job="dargo-worker", x="dargo_fake"} == 0`:                                                                "",
	} {
		if got := strings.Join(seriesNames(expr), " "); got != want {
			t.Errorf("seriesNames(%s) = %q, want %q", expr, got, want)
		}
	}
}

// dargoCommands reads the subcommand names from cmd/dargo/main.go: the
// name field of each element of the []command literal.
func dargoCommands(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../cmd/dargo/main.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		arr, ok := lit.Type.(*ast.ArrayType)
		if !ok {
			return true
		}
		if id, ok := arr.Elt.(*ast.Ident); !ok || id.Name != "command" {
			return true
		}
		for _, el := range lit.Elts {
			c, ok := el.(*ast.CompositeLit)
			if !ok || len(c.Elts) == 0 {
				continue
			}
			for _, f := range c.Elts {
				kv, ok := f.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "name" {
					if s, ok := stringLit(kv.Value); ok {
						names = append(names, s)
					}
				}
			}
		}
		return false
	})
	if !slices.Contains(names, "worker") {
		t.Fatalf("found no commands in cmd/dargo/main.go (got %v)", names)
	}
	return names
}

// opsDefaults reads the default ops addresses per process from
// cmd/dargo/ops.go (var opsDefaults = map[string]string{...}).
func opsDefaults(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../cmd/dargo/ops.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	addrs := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "opsDefaults" || len(vs.Values) != 1 {
			return true
		}
		lit, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			return false
		}
		for _, el := range lit.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			k, ok1 := stringLit(kv.Key)
			v, ok2 := stringLit(kv.Value)
			if ok1 && ok2 {
				addrs[k] = v
			}
		}
		return false
	})
	if addrs["worker"] == "" {
		t.Fatalf("found no opsDefaults in cmd/dargo/ops.go (got %v)", addrs)
	}
	return addrs
}

// opsPort is the port of process's default ops address.
func opsPort(t *testing.T, defaults map[string]string, process string) string {
	t.Helper()
	addr, ok := defaults[process]
	if !ok {
		t.Fatalf("cmd/dargo/ops.go has no ops address for %s", process)
	}
	return addr[strings.LastIndex(addr, ":")+1:]
}

func stringLit(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil
}

// procfile returns the Procfile's processes: name and the dargo
// subcommand it runs (release: migrate).
func procfile(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("../Procfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	procs := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, cmd, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(cmd)
		if len(fields) != 2 || fields[0] != "dargo" {
			t.Fatalf("Procfile: %q is not `NAME: dargo COMMAND`", sc.Text())
		}
		procs[strings.TrimSpace(name)] = fields[1]
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return procs
}

// tool returns the path of a command the test runs, skipping without it,
// or failing when DARGO_TEST_REQUIRE_SERVICES=1 (CI installs it).
func tool(t *testing.T, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("DARGO_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatalf("%s is not installed (%s); DARGO_TEST_REQUIRE_SERVICES=1 forbids skipping", name, install)
	}
	t.Skipf("%s is not installed (%s)", name, install)
	return ""
}

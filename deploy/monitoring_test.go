package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// ruleFile is the part of a Prometheus rule file the test reads.
type ruleFile struct {
	Groups []struct {
		Name  string
		Rules []struct {
			Alert       string
			Expr        string
			For         string
			Labels      map[string]string
			Annotations map[string]string
		}
	}
}

var promDuration = regexp.MustCompile(`^([0-9]+(ms|s|m|h|d|w|y))+$`)

// TestAlertRules checks every rule of prometheus/alerts.yml: it has a
// name, an expression on families Dargo exports (with labels they have),
// a duration, a severity, a summary and a description; desk-wide families
// are not summed over replicas; the jobs it names are Procfile processes;
// and the alerts the README promises exist.
func TestAlertRules(t *testing.T) {
	var f ruleFile
	readYAML(t, "prometheus/alerts.yml", &f)
	known := knownFamilies(t)
	procs := procfile(t)
	seen := map[string]bool{}
	var exprs []string
	for _, g := range f.Groups {
		if g.Name == "" || len(g.Rules) == 0 {
			t.Errorf("group %q: no name or no rules", g.Name)
		}
		for _, r := range g.Rules {
			where := fmt.Sprintf("alert %s", r.Alert)
			switch {
			case r.Alert == "":
				t.Errorf("group %s: a rule without alert (recording rules are not expected here): %s", g.Name, r.Expr)
			case seen[r.Alert]:
				t.Errorf("%s: defined twice", where)
			}
			seen[r.Alert] = true
			if strings.TrimSpace(r.Expr) == "" {
				t.Errorf("%s: no expr", where)
			}
			if !promDuration.MatchString(r.For) {
				t.Errorf("%s: for %q is not a duration", where, r.For)
			}
			if s := r.Labels["severity"]; s != "warning" && s != "critical" {
				t.Errorf("%s: severity %q, want warning or critical", where, s)
			}
			if r.Annotations["summary"] == "" || len(r.Annotations["description"]) < 40 {
				t.Errorf("%s: needs a summary and a description that says what to do", where)
			}
			checkExpr(t, known, where, r.Expr)
			checkNotSummed(t, where, r.Expr)
			for _, m := range regexp.MustCompile(`job="dargo-(\w+)"`).FindAllStringSubmatch(r.Expr, -1) {
				if _, ok := procs[m[1]]; !ok || m[1] == "release" {
					t.Errorf("%s: job dargo-%s is no long-running Procfile process", where, m[1])
				}
			}
			exprs = append(exprs, r.Expr)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for name := range seen {
		if !strings.Contains(string(readme), "| `"+name+"` |") {
			t.Errorf("the README's alert table has no row for %s", name)
		}
	}
	all := strings.Join(exprs, "\n")
	for _, want := range []string{
		`dargo_queue_latency_seconds{queue="critical"}`,
		`dargo_emails_queued_over_2m`,
		`dargo_email_queued_oldest_seconds`,
		`dargo_outbox_oldest_seconds`,
		`dargo_ses_errors_total{class="permanent"}`,
		`dargo_ses_errors_total{class="throttled"}`,
		`dargo_sqs_dlq_messages`,
		`dargo_sqs_errors_total{op="dlq"}`,
		`dargo_queue_tasks{state="archived"}`,
		`dargo_ses_feedback_total{type="bounce"}`,
		`dargo_ses_feedback_total{type="complaint"}`,
		`dargo_outbound_mails_total{status="sent"}`,
		`dargo_sweep_failures_total`,
		`dargo_sweep_last_run_timestamp_seconds`,
		`dargo_store_scrape_error`,
		`dargo_queue_scrape_error`,
		`up{job="dargo-worker"}`,
		`up{job="dargo-inbound"}`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no alert reads %s", want)
		}
	}
}

// dashboard is the part of a Grafana dashboard the test reads.
type dashboard struct {
	Title         string
	UID           string
	SchemaVersion int
	Templating    struct {
		List []struct {
			Name  string
			Type  string
			Query any
		}
	}
	Panels []panel
}

type panel struct {
	ID         int
	Type       string
	Title      string
	Datasource *struct{ Type, UID string }
	GridPos    struct{ H, W, X, Y int }
	Targets    []struct {
		Expr  string
		RefID string
	}
	FieldConfig struct {
		Defaults  struct{ Unit string }
		Overrides []struct {
			Matcher    struct{ ID, Options string }
			Properties []struct {
				ID    string
				Value any
			}
		}
	}
	Panels []panel // a collapsed row's panels
}

// TestDashboard checks grafana/dargo.json: a Prometheus datasource
// variable, every panel queries through it with expressions on families
// Dargo exports, panels fit the 24-column grid, and the rows the README
// promises are there.
func TestDashboard(t *testing.T) {
	b, err := os.ReadFile("grafana/dargo.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("grafana/dargo.json: %v", err)
	}
	if d.Title == "" || d.UID == "" || d.SchemaVersion < 36 {
		t.Errorf("title %q, uid %q, schemaVersion %d: want all set, schema 36 or later", d.Title, d.UID, d.SchemaVersion)
	}
	hasDS := slices.ContainsFunc(d.Templating.List, func(v struct {
		Name  string
		Type  string
		Query any
	}) bool {
		return v.Name == "datasource" && v.Type == "datasource" && v.Query == "prometheus"
	})
	if !hasDS {
		t.Error("no template variable datasource of type datasource, query prometheus")
	}
	known := knownFamilies(t)
	ids := map[int]bool{}
	var rows []string
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			where := fmt.Sprintf("panel %d %q", p.ID, p.Title)
			if ids[p.ID] {
				t.Errorf("%s: id used twice", where)
			}
			ids[p.ID] = true
			if p.GridPos.W < 1 || p.GridPos.X+p.GridPos.W > 24 || p.GridPos.H < 1 {
				t.Errorf("%s: gridPos %+v outside the 24-column grid", where, p.GridPos)
			}
			if p.Type == "row" {
				rows = append(rows, p.Title)
				walk(p.Panels)
				continue
			}
			if p.Title == "" {
				t.Errorf("%s: no title", where)
			}
			if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
				t.Errorf("%s: datasource is not ${datasource}", where)
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: no targets", where)
			}
			for _, tg := range p.Targets {
				if strings.TrimSpace(tg.Expr) == "" || tg.RefID == "" {
					t.Errorf("%s: a target without expr or refId", where)
					continue
				}
				checkExpr(t, known, where, tg.Expr)
				checkNotSummed(t, where, tg.Expr)
				if unit := p.unit(tg.RefID); inSeconds(tg.Expr) != (unit == "s") {
					t.Errorf("%s: %s is shown in unit %q: want \"s\" for a duration and only for one (a panel or an override of its own)",
						where, tg.Expr, unit)
				}
			}
		}
	}
	walk(d.Panels)
	for _, want := range []string{"Web", "Inbound mail", "Outbound mail", "Queues and lag", "Reputation", "Sweeps", "Processes"} {
		if !slices.Contains(rows, want) {
			t.Errorf("no row %q (rows: %v)", want, rows)
		}
	}
}

// unit is the unit the panel shows target refID in: an override by that
// refID, else the panel's default.
func (p panel) unit(refID string) string {
	unit := p.FieldConfig.Defaults.Unit
	for _, o := range p.FieldConfig.Overrides {
		if o.Matcher.ID != "byFrameRefID" || o.Matcher.Options != refID {
			continue
		}
		for _, prop := range o.Properties {
			if s, ok := prop.Value.(string); ok && prop.ID == "unit" {
				unit = s
			}
		}
	}
	return unit
}

// inSeconds reports whether expr reads durations: every family it reads is
// named *_seconds (or a histogram's series of one).
func inSeconds(expr string) bool {
	names := seriesNames(expr)
	for _, n := range names {
		n = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_sum"), "_count")
		if !strings.HasSuffix(n, "_seconds") {
			return false
		}
	}
	return len(names) > 0
}

// TestPromtool runs promtool on the rules and on prometheus.yml (which
// loads them). promtool comes with Debian's prometheus package.
func TestPromtool(t *testing.T) {
	promtool := tool(t, "promtool", "apt-get install prometheus")
	run := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command(promtool, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("prometheus", "check", "rules", "alerts.yml")

	// check config wants the token file to exist: a copy names one.
	dir := t.TempDir()
	token := filepath.Join(dir, "token")
	if err := os.WriteFile(token, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"prometheus.yml", "alerts.yml"} {
		b, err := os.ReadFile(filepath.Join("prometheus", name))
		if err != nil {
			t.Fatal(err)
		}
		b = []byte(strings.ReplaceAll(string(b), "/etc/prometheus/dargo-metrics-token", token))
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run(dir, "check", "config", "prometheus.yml")
}

// readYAML decodes one YAML document, refusing fields the target lacks.
func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

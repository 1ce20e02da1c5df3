package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

// deadLetterRuleTests are promtool unit tests of the SQS alerts. Four
// inbound replicas that cannot read their dead-letter queues (one failure
// a minute each) fire DargoSQSDeadLetterUnread per replica after 20
// minutes, and not DargoSQSErrors, whose rate they would pass; one failed
// read fires nothing; receive errors still fire DargoSQSErrors.
const deadLetterRuleTests = `
rule_files: [alerts.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - {series: 'dargo_sqs_errors_total{job="dargo-inbound",instance="a",op="dlq"}', values: '0+1x40'}
      - {series: 'dargo_sqs_errors_total{job="dargo-inbound",instance="b",op="dlq"}', values: '0+1x40'}
      - {series: 'dargo_sqs_errors_total{job="dargo-inbound",instance="c",op="dlq"}', values: '0+1x40'}
      - {series: 'dargo_sqs_errors_total{job="dargo-inbound",instance="d",op="dlq"}', values: '0+1x40'}
    alert_rule_test:
      - eval_time: 15m
        alertname: DargoSQSDeadLetterUnread
      - eval_time: 30m
        alertname: DargoSQSDeadLetterUnread
        exp_alerts:
          - exp_labels: {severity: warning, instance: a}
          - exp_labels: {severity: warning, instance: b}
          - exp_labels: {severity: warning, instance: c}
          - exp_labels: {severity: warning, instance: d}
      - eval_time: 30m
        alertname: DargoSQSErrors
  - interval: 1m
    input_series:
      - {series: 'dargo_sqs_errors_total{job="dargo-inbound",instance="a",op="dlq"}', values: '0 0 0 1x40'}
    alert_rule_test:
      - eval_time: 10m
        alertname: DargoSQSDeadLetterUnread
      - eval_time: 25m
        alertname: DargoSQSDeadLetterUnread
  - interval: 1m
    input_series:
      - {series: 'dargo_sqs_errors_total{job="dargo-inbound",instance="a",op="receive"}', values: '0+10x40'}
    alert_rule_test:
      - eval_time: 30m
        alertname: DargoSQSErrors
        exp_alerts:
          - exp_labels: {severity: warning, op: receive}
      - eval_time: 30m
        alertname: DargoSQSDeadLetterUnread
`

// TestSQSAlertRules runs deadLetterRuleTests with promtool test rules on
// alerts.yml without its annotations (promtool compares them whole; the
// test is about when the alerts fire).
func TestSQSAlertRules(t *testing.T) {
	promtool := tool(t, "promtool", "apt-get install prometheus")
	b, err := os.ReadFile("prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Name  string           `yaml:"name"`
			Rules []map[string]any `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatal(err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			delete(r, "annotations")
		}
	}
	b, err = yaml.Marshal(rules)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "alerts.yml"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tests.yml"), []byte(deadLetterRuleTests), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(promtool, "test", "rules", "tests.yml")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool test rules: %v\n%s", err, out)
	}
}

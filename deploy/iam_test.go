package deploy

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// iamPolicy is the part of an IAM policy the test reads.
type iamPolicy struct {
	Statement []struct {
		Sid      string
		Effect   string
		Action   any
		Resource any
	}
}

// policyStrings returns a policy field that is a string or a list of them
// as a list.
func policyStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, s := range v {
			if s, ok := s.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// checkDeadLetterRights fails unless p lets the inbound consumer do on
// each dead-letter queue exactly what inbound/transport/sqs_dlq.go does there
// (GetQueueUrl, then GetQueueAttributes), and nothing more.
func checkDeadLetterRights(t *testing.T, where string, p iamPolicy, dlqs []string) {
	t.Helper()
	want := []string{"sqs:GetQueueAttributes", "sqs:GetQueueUrl"}
	for _, dlq := range dlqs {
		var got []string
		for _, s := range p.Statement {
			if s.Effect == "Allow" && slices.Contains(policyStrings(s.Resource), dlq) {
				got = append(got, policyStrings(s.Action)...)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: actions on %s are %v, want exactly %v", where, dlq, got, want)
		}
	}
}

// TestInboundPolicyScript renders the IAM section of ses-setup.sh (the
// part after its AWS calls, which moto cannot all answer) and checks the
// inbound policy it writes.
func TestInboundPolicyScript(t *testing.T) {
	b, err := os.ReadFile("ses-setup.sh")
	if err != nil {
		t.Fatal(err)
	}
	script := string(b)
	if !strings.Contains(script, `ensure_queue "$name-dlq"`) {
		t.Fatal(`ses-setup.sh no longer names each dead-letter queue "$name-dlq"; the policy test assumes it`)
	}
	_, section, ok := strings.Cut(script, "# ---------------------------------------------------------------------- IAM\n")
	section, _, ok2 := strings.Cut(section, "# ensure_policy ")
	if !ok || !ok2 {
		t.Fatal("ses-setup.sh: no IAM section ending at ensure_policy")
	}
	dir := t.TempDir()
	cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+section)
	cmd.Env = append(os.Environ(), "tmp="+dir, "PARTITION=aws", "REGION=eu-west-1", "ACCOUNT=123456789012",
		"DOMAIN=help.example.com", "CONFIG_SET=dargo", "RECEIPT_BUCKET=r", "RECEIPT_PREFIX=inbound/",
		"BLOB_BUCKET=b", "BLOB_KMS_KEY=",
		"INBOUND_QUEUE_ARN=arn:aws:sqs:eu-west-1:123456789012:dargo-inbound",
		"FEEDBACK_QUEUE_ARN=arn:aws:sqs:eu-west-1:123456789012:dargo-feedback")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the IAM section of ses-setup.sh: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "iam-inbound.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p iamPolicy
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("iam-inbound.json is not JSON: %v\n%s", err, raw)
	}
	checkDeadLetterRights(t, "ses-setup.sh", p, []string{
		"arn:aws:sqs:eu-west-1:123456789012:dargo-inbound-dlq",
		"arn:aws:sqs:eu-west-1:123456789012:dargo-feedback-dlq",
	})
}

// TestInboundPolicyREADME checks the dargo-inbound policy deploy/README.md
// shows.
func TestInboundPolicyREADME(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)\\*\\*dargo-inbound\\*\\*.*?```json\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("deploy/README.md shows no dargo-inbound policy")
	}
	var p iamPolicy
	if err := json.Unmarshal(m[1], &p); err != nil {
		t.Fatalf("the dargo-inbound policy is not JSON: %v\n%s", err, m[1])
	}
	checkDeadLetterRights(t, "deploy/README.md", p, []string{
		"arn:aws:sqs:REGION:ACCOUNT:dargo-inbound-dlq",
		"arn:aws:sqs:REGION:ACCOUNT:dargo-feedback-dlq",
	})
}

package deploy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/dargo-support/dargo/internal/s3blob"
	"github.com/dargo-support/dargo/internal/testaws"
)

func TestScriptsParse(t *testing.T) {
	for _, script := range []string{"ses-setup.sh", "s3-bucket.sh"} {
		if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
			t.Errorf("bash -n %s: %v\n%s", script, err, out)
		}
	}
}

// policy is the part of an S3 bucket policy the test reads.
type policy struct {
	Version   string
	Statement []struct {
		Sid       string
		Effect    string
		Principal any
		Action    any
		Resource  any
		Condition map[string]map[string]any
	}
}

// TestS3BucketScript runs s3-bucket.sh against moto, as ses-setup.sh runs
// it for the blob bucket (with a KMS key) and the receipt bucket (SES
// allowed to write), and reads back what AWS would enforce: default
// encryption, blocked public access, and a bucket policy (valid JSON) that
// denies requests without TLS and writes without encryption. Moto stores a
// bucket policy but does not evaluate it, so the test checks the policy's
// statements, not AWS's enforcement of them.
func TestS3BucketScript(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("DARGO_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("the aws CLI is not on PATH, but DARGO_TEST_REQUIRE_SERVICES=1")
		}
		t.Skip("the aws CLI is not installed")
	}
	endpoint := testaws.Moto(t)
	testaws.Env(t, endpoint)
	ctx := context.Background()
	client, err := s3blob.LoadClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const kmsKey = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
	const ruleARN = "arn:aws:ses:us-east-1:123456789012:receipt-rule-set/dargo:receipt-rule/dargo-help-example-com"
	for _, tc := range []struct {
		name      string
		env       []string
		algorithm string
		allowed   []string // the encryption a write may name
		sids      []string
	}{
		{"blob bucket, SSE-KMS", []string{"KMS_KEY=" + kmsKey}, "aws:kms", []string{"aws:kms"},
			[]string{"DenyWithoutTLS", "DenyOtherEncryption", "DenyUnencryptedPuts"}},
		{"receipt bucket, SSE-S3", []string{"SES_RULE_ARN=" + ruleARN, "ACCOUNT=123456789012"}, "AES256", []string{"AES256", "aws:kms"},
			[]string{"DenyWithoutTLS", "DenyOtherEncryption", "AllowSESPuts"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each run of the aws CLI takes a second or more
			bucket := "dargo-deploy-" + randomHex(6)
			run := func() {
				cmd := exec.Command("./s3-bucket.sh", bucket)
				cmd.Env = append(cliEnviron(), append(tc.env, "REGION=us-east-1", "ENDPOINT_URL="+endpoint)...)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("s3-bucket.sh: %v\n%s", err, out)
				}
			}
			run()
			if tc.algorithm == "aws:kms" {
				run() // a second run changes nothing and does not fail
			}

			enc, err := client.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
			if err != nil {
				t.Fatal(err)
			}
			rules := enc.ServerSideEncryptionConfiguration.Rules
			if len(rules) != 1 || string(rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm) != tc.algorithm {
				t.Fatalf("default encryption %+v, want %s", rules, tc.algorithm)
			}
			if got := aws.ToString(rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID); tc.algorithm == "aws:kms" && got != kmsKey {
				t.Errorf("default KMS key %q, want %q", got, kmsKey)
			}

			pab, err := client.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
			if err != nil {
				t.Fatal(err)
			}
			if c := pab.PublicAccessBlockConfiguration; !aws.ToBool(c.BlockPublicAcls) || !aws.ToBool(c.IgnorePublicAcls) ||
				!aws.ToBool(c.BlockPublicPolicy) || !aws.ToBool(c.RestrictPublicBuckets) {
				t.Errorf("public access not blocked: %+v", c)
			}

			out, err := client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
			if err != nil {
				t.Fatal(err)
			}
			var p policy
			if err := json.Unmarshal([]byte(aws.ToString(out.Policy)), &p); err != nil {
				t.Fatalf("the bucket policy is not JSON: %v\n%s", err, aws.ToString(out.Policy))
			}
			var sids []string
			objects := "arn:aws:s3:::" + bucket + "/*"
			for _, s := range p.Statement {
				sids = append(sids, s.Sid)
				switch s.Sid {
				case "DenyWithoutTLS":
					want := `{"Bool":{"aws:SecureTransport":"false"}}`
					if s.Effect != "Deny" || s.Principal != "*" || s.Action != "s3:*" || jsonOf(s.Condition) != want ||
						jsonOf(s.Resource) != jsonOf([]string{"arn:aws:s3:::" + bucket, objects}) {
						t.Errorf("DenyWithoutTLS must deny every action on the bucket and its objects without TLS: %+v", s)
					}
				case "DenyUnencryptedPuts":
					want := `{"Null":{"s3:x-amz-server-side-encryption":"true"}}`
					if s.Effect != "Deny" || s.Principal != "*" || s.Action != "s3:PutObject" || s.Resource != objects || jsonOf(s.Condition) != want {
						t.Errorf("DenyUnencryptedPuts must deny writes without the header: %+v", s)
					}
				case "DenyOtherEncryption":
					allowed := s.Condition["StringNotEquals"]["s3:x-amz-server-side-encryption"]
					if len(tc.allowed) == 1 && allowed == tc.allowed[0] {
						allowed = []any{allowed}
					}
					if s.Effect != "Deny" || s.Action != "s3:PutObject" || s.Resource != objects || jsonOf(allowed) != jsonOf(tc.allowed) ||
						jsonOf(s.Condition["Null"]) != `{"s3:x-amz-server-side-encryption":"false"}` {
						t.Errorf("DenyOtherEncryption must deny writes naming encryption other than %v: %+v", tc.allowed, s)
					}
				case "AllowSESPuts":
					if s.Effect != "Allow" || jsonOf(s.Principal) != `{"Service":"ses.amazonaws.com"}` ||
						s.Condition["StringEquals"]["aws:SourceArn"] != ruleARN || s.Condition["StringEquals"]["aws:SourceAccount"] != "123456789012" {
						t.Errorf("AllowSESPuts must let SES write for this rule only: %+v", s)
					}
				}
			}
			slices.Sort(sids)
			slices.Sort(tc.sids)
			if !slices.Equal(sids, tc.sids) {
				t.Errorf("statements %v, want %v", sids, tc.sids)
			}
		})
	}
}

// TestS3BucketScriptRefusesAKeyAlias: the KMS key must be an ARN, which IAM
// policies and SES need.
func TestS3BucketScriptRefusesAKeyAlias(t *testing.T) {
	cmd := exec.Command("./s3-bucket.sh", "some-bucket")
	cmd.Env = append(os.Environ(), "REGION=us-east-1", "KMS_KEY=alias/dargo")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "KMS_KEY: want a key ARN") {
		t.Errorf("s3-bucket.sh with an alias: %v\n%s", err, out)
	}
}

// cliEnviron is the test's environment for the aws CLI, which refuses the
// empty AWS_PROFILE (and session token) that testaws.Env sets for the SDK.
func cliEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		if kv != "AWS_PROFILE=" && kv != "AWS_SESSION_TOKEN=" {
			env = append(env, kv)
		}
	}
	return env
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

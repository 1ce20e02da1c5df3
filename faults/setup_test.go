//go:build faults

package faults

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/dargo-support/dargo/internal/testaws"
)

// dargoBinary builds cmd/dargo, or returns DARGO_FAULTS_BIN.
func dargoBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("DARGO_FAULTS_BIN"); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			t.Fatal(err)
		}
		return abs
	}
	bin := filepath.Join(t.TempDir(), "dargo")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/dargo").CombinedOutput(); err != nil {
		t.Fatalf("faults: go build: %v\n%s", err, out)
	}
	return bin
}

// aws is the suite's moto: a queue for inbound mail and a verified sender.
type awsSetup struct {
	endpoint, queueURL string
	ses                *sesProxy // SES v2 for the processes: moto behind slowSES
	sqs                *sqs.Client
}

func startAWS(t *testing.T) *awsSetup {
	t.Helper()
	t.Setenv("DARGO_TEST_MOTO_URL", "") // a moto of the suite's own, never a shared one
	endpoint := testaws.Moto(t)
	testaws.Env(t, endpoint)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := &awsSetup{endpoint: endpoint, ses: slowSES(t, endpoint), sqs: sqs.NewFromConfig(cfg)}
	q, err := a.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("dargo-faults-inbound")})
	if err != nil {
		t.Fatalf("faults: create queue: %v", err)
	}
	a.queueURL = *q.QueueUrl
	_, err = sesv2.NewFromConfig(cfg).CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("help.example.com")})
	if err != nil {
		t.Fatalf("faults: verify the sender in SES: %v", err)
	}
	return a
}

// processEnv is the production configuration of every dargo process.
func processEnv(t *testing.T, pg *postgres, r *redisServer, a *awsSetup) []string {
	secret := make([]byte, 32)
	rand.Read(secret)
	return []string{
		"DARGO_DATABASE_URL=" + pg.URL(),
		"DARGO_REDIS_URL=" + r.URL(),
		"DARGO_SQS_QUEUE_URL=" + a.queueURL,
		"DARGO_SECRET=" + hex.EncodeToString(secret),
		"DARGO_FROM=Help Desk <" + supportAddress + ">",
		"DARGO_MAIL_DOMAIN=help.example.com",
		"DARGO_MAILER=ses",
		"DARGO_SES_MAX_RATE=50",
		"DARGO_OPS_ADDR=off",
		"DARGO_LOG_LEVEL=info",
		fmt.Sprintf("DARGO_HTTP_ADDR=127.0.0.1:%d", freePort(t)),
		"AWS_ENDPOINT_URL=" + a.endpoint,
		"AWS_ENDPOINT_URL_SESV2=" + a.ses.url,
	}
}

// logDir is where the processes' logs go: DARGO_TEST_ARTIFACTS/faults
// when set (CI keeps them), else a temporary directory.
func logDir(t *testing.T) string {
	dir := t.TempDir()
	if a := os.Getenv("DARGO_TEST_ARTIFACTS"); a != "" {
		dir = filepath.Join(a, "faults")
		if err := os.MkdirAll(dir, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// migrate runs `dargo migrate` once, as a release step does.
func migrate(t *testing.T, bin string, env []string) {
	cmd := exec.Command(bin, "migrate")
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("faults: dargo migrate: %v\n%s", err, strings.TrimSpace(string(out)))
	}
}

// Package testaws gives tests an AWS emulator endpoint and the environment
// that points the real AWS SDK clients at it.
//
// Moto returns DARGO_TEST_MOTO_URL when set (as CI does, with one shared
// moto_server); otherwise it starts a moto_server of its own on a free
// loopback port for the test, or skips the test when moto_server is not
// installed. With DARGO_TEST_REQUIRE_SERVICES=1 a missing emulator fails the
// test instead, so CI cannot pass by skipping.
package testaws

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startTimeout is how long a fresh moto_server gets to answer.
const startTimeout = 30 * time.Second

// Moto returns the base URL of a moto server for the test.
func Moto(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("DARGO_TEST_MOTO_URL"); u != "" {
		return strings.TrimRight(u, "/")
	}
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		if os.Getenv("DARGO_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("moto_server is not on PATH and DARGO_TEST_MOTO_URL is not set, but DARGO_TEST_REQUIRE_SERVICES=1")
		}
		t.Skip("moto not available (install moto_server or set DARGO_TEST_MOTO_URL)")
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("testaws: free port: %v", err)
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port)) // #nosec G204 -- tests start moto_server from PATH
	// Not the test's AWS settings (Env): moto's own botocore reads them,
	// and an empty AWS_PROFILE makes its KMS answer 500.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("testaws: start moto_server: %v", err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	if err := waitReady(endpoint, exited); err != nil {
		if errors.Is(err, errExited) {
			<-exited
			err = fmt.Errorf("%w: %v", err, waitErr)
		}
		t.Fatalf("testaws: moto_server on %s: %v", endpoint, err)
	}
	return endpoint
}

// Env points the AWS SDK at endpoint for the test: region, dummy
// credentials and the SES v2, SQS and S3 endpoints.
func Env(t testing.TB, endpoint string) {
	t.Helper()
	for k, v := range map[string]string{
		"AWS_REGION":                  "us-east-1",
		"AWS_ACCESS_KEY_ID":           "testing",
		"AWS_SECRET_ACCESS_KEY":       "testing",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_ENDPOINT_URL_SESV2":      endpoint,
		"AWS_ENDPOINT_URL_SQS":        endpoint,
		"AWS_ENDPOINT_URL_S3":         endpoint,
	} {
		t.Setenv(k, v)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls endpoint until moto answers, the process exits or the
// timeout passes.
func waitReady(endpoint string, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/moto-api/data.json", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return errExited
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

var errExited = errors.New("exited before answering")

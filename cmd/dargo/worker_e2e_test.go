package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/dargo-support/dargo/internal/testaws"
	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/store"
)

// redisDB is this package's Redis database in tests (packages run in parallel).
const redisDB = 13

// TestWorkerSendsThroughSESAndRepliesThread walks the production path: a
// mail is ingested, `dargo worker` relays the confirmation through Redis and
// sends it with SES v2 (moto), and the customer's answer to the Message-ID
// SES gave that mail threads back into the ticket.
func TestWorkerSendsThroughSESAndRepliesThread(t *testing.T) {
	endpoint := testaws.Moto(t)
	testaws.Env(t, endpoint)
	verifyIdentity(t, "help.example.com")
	databases(t, func(t *testing.T, url string) {
		r := testredis.Open(t, redisDB)
		env := append(baseEnv(url),
			"DARGO_FROM=Help Desk <support@help.example.com>",
			fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB),
			"DARGO_MAILER=ses", "DARGO_SES_MAX_RATE=50", "DARGO_RELAY_INTERVAL=100ms",
			"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
			"AWS_ENDPOINT_URL_SESV2="+endpoint)
		out, errOut, code := dargo(t, env, nil, "ingest", "testdata/new.eml")
		if code != 0 || !strings.Contains(out, `"created"`) {
			t.Fatalf("ingest: %d %s %s", code, out, errOut)
		}

		worker := startProcess(t, env, "worker", "--concurrency", "2")
		doc := waitExport(t, env, "juergen.mueller@example.de", func(d *store.Export) bool {
			return len(d.Emails) == 1 && d.Emails[0].Status == "sent"
		})
		if doc.Emails[0].Kind != "confirmation" {
			t.Errorf("emails: %+v", doc.Emails)
		}

		raw, sesID := sentByMoto(t, endpoint, "[#1]")
		for _, want := range []string{
			"From: \"Help Desk\" <support@help.example.com>",
			"To: ",
			"In-Reply-To: <CAF1xyz0001@mail.gmail.com>",
			"Auto-Submitted: auto-generated",
		} {
			if !strings.Contains(raw, want) {
				t.Errorf("sent mail lacks %q:\n%s", want, raw)
			}
		}
		if !regexp.MustCompile(`Reply-To: <?support\+1-[0-9a-f]{12}@help\.example\.com`).MatchString(raw) {
			t.Errorf("sent mail has no reply-token Reply-To:\n%s", raw)
		}

		// The customer answers the mail SES delivered: its Message-ID is
		// SES's, on the us-east-1 host; no tag, no reply address.
		reply := "From: juergen.mueller@example.de\r\nTo: support@help.example.com\r\nSubject: Re: thanks\r\n" +
			"Message-ID: <answer-1@example.de>\r\nIn-Reply-To: <" + sesID + "@email.amazonses.com>\r\n\r\nStill double.\r\n"
		out, _, _ = dargo(t, env, []byte(reply), "ingest")
		if !strings.Contains(out, `"action":"appended","ticket":1`) {
			t.Errorf("a reply to SES's Message-ID did not thread: %s", out)
		}

		worker.Process.Signal(os.Interrupt)
		if err := worker.Wait(); err != nil {
			t.Errorf("worker did not stop cleanly: %v", err)
		}
	})
}

// startProcess runs `dargo args...` in the background, stopped at cleanup.
func startProcess(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd
}

// waitExport polls `dargo export` until ok holds (the worker is another process).
func waitExport(t *testing.T, env []string, email string, ok func(*store.Export) bool) *store.Export {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, errOut, code := dargo(t, env, nil, "export", "--email", email)
		if code != 0 && !strings.Contains(errOut, "no person") {
			t.Fatalf("export: %s", errOut)
		}
		var d store.Export
		if code == 0 {
			if err := json.Unmarshal([]byte(out), &d); err != nil {
				t.Fatal(err)
			}
			if ok(&d) {
				return &d
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting; last export:\n%s%s", out, errOut)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// verifyIdentity creates the SES sending identity in moto.
func verifyIdentity(t *testing.T, identity string) {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = sesv2.NewFromConfig(cfg).CreateEmailIdentity(context.Background(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(identity)})
	if err != nil && !strings.Contains(err.Error(), "AlreadyExists") {
		t.Fatalf("create identity: %v", err)
	}
}

// sentByMoto returns the raw MIME and SES id of the newest mail moto kept whose source contains marker.
func sentByMoto(t *testing.T, endpoint, marker string) (string, string) {
	t.Helper()
	res, err := http.Get(endpoint + "/moto-api/data.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var data struct {
		SES struct {
			RawMessage []struct {
				ID      string `json:"id"`
				RawData string `json:"raw_data"`
			} `json:"RawMessage"`
		} `json:"ses"`
	}
	if err := json.NewDecoder(res.Body).Decode(&data); err != nil {
		t.Fatal(err)
	}
	msgs := data.SES.RawMessage
	for i := len(msgs) - 1; i >= 0; i-- {
		if strings.Contains(msgs[i].RawData, marker) {
			return msgs[i].RawData, msgs[i].ID
		}
	}
	t.Fatalf("moto holds no mail with %q (%d mails)", marker, len(msgs))
	return "", ""
}

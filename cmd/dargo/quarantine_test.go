package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/dargo-support/dargo/internal/s3blob"
	"github.com/dargo-support/dargo/internal/testaws"
)

func TestQuarantineListAndRelease(t *testing.T) {
	databases(t, func(t *testing.T, url string) {
		env := baseEnv(url)
		small := append(env, "DARGO_MAX_MAIL_BYTES=600") // new.eml is 1315 bytes, reply.eml 531

		out, errOut, code := dargo(t, small, nil, "ingest", "testdata/new.eml")
		if code != 0 {
			t.Fatalf("ingest exit %d: %s", code, errOut)
		}
		if rs := decodeLines(t, out); rs[0].Action != "quarantined" || rs[0].Ticket != nil ||
			!strings.Contains(rs[0].Reason, "DARGO_MAX_MAIL_BYTES") {
			t.Fatalf("oversize mail: %+v, want quarantined for its size", rs[0])
		}

		out, errOut, code = dargo(t, env, nil, "quarantine", "list")
		if code != 0 {
			t.Fatalf("list exit %d: %s", code, errOut)
		}
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if len(lines) != 1 {
			t.Fatalf("list printed %d lines, want 1:\n%s", len(lines), out)
		}
		f := strings.Split(lines[0], "\t")
		if len(f) != 5 {
			t.Fatalf("list line %q: want id, received_at, sender, size, reason", lines[0])
		}
		id := f[0]
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			t.Errorf("id %q", id)
		}
		if at, err := time.Parse(time.RFC3339, f[1]); err != nil || time.Since(at) > time.Hour {
			t.Errorf("received_at %q: %v", f[1], err)
		}
		if f[2] != "-" || f[3] != "1315" || f[4] != "mail of 1315 bytes exceeds DARGO_MAX_MAIL_BYTES (600)" {
			t.Errorf("list line %q", lines[0])
		}

		out, errOut, code = dargo(t, env, nil, "quarantine", "list", "--json")
		if code != 0 {
			t.Fatalf("list --json exit %d: %s", code, errOut)
		}
		var q struct {
			ID         int64           `json:"id"`
			ReceivedAt time.Time       `json:"received_at"`
			Sender     string          `json:"sender"`
			Recipients []string        `json:"recipients"`
			Size       int64           `json:"size"`
			Verdicts   json.RawMessage `json:"verdicts"`
			Reason     string          `json:"reason"`
		}
		if err := json.Unmarshal([]byte(out), &q); err != nil {
			t.Fatalf("list --json printed %q: %v", out, err)
		}
		if strconv.FormatInt(q.ID, 10) != id || q.Size != 1315 || q.ReceivedAt.IsZero() ||
			q.Reason != f[4] || q.Recipients == nil || !json.Valid(q.Verdicts) {
			t.Errorf("list --json: %s", out)
		}

		// Released under the same small limit: release ignores it.
		out, errOut, code = dargo(t, small, nil, "quarantine", "release", id)
		if code != 0 {
			t.Fatalf("release exit %d: %s", code, errOut)
		}
		rs := decodeLines(t, out)
		if len(rs) != 1 || rs[0].Action != "created" || rs[0].Ticket == nil || *rs[0].Ticket != 1 || rs[0].Message == nil {
			t.Fatalf("release: %s, want created ticket 1", out)
		}
		out, _, _ = dargo(t, env, nil, "export", "--email", "juergen.mueller@example.de")
		if !strings.Contains(out, `"subject": "Invoice für Oktober is wrong"`) || !strings.Contains(out, `"filename": "Rechnung.pdf"`) {
			t.Errorf("the released mail is not a ticket with its attachment:\n%s", out)
		}
		if out, _, code := dargo(t, env, nil, "quarantine", "list"); code != 0 || out != "" {
			t.Errorf("list after release: exit %d, %q; want empty", code, out)
		}

		out, errOut, code = dargo(t, env, nil, "quarantine", "release", id)
		if code == 0 || out != "" || !regexp.MustCompile(`inbound mail \d+ is not quarantined: already processed \(created, ticket 1\)`).MatchString(errOut) {
			t.Errorf("second release: exit %d, stdout %q, stderr %q; want a clear error", code, out, errOut)
		}
		out, errOut, code = dargo(t, env, nil, "quarantine", "release", "9999")
		if code == 0 || out != "" || !strings.Contains(errOut, "no inbound mail with id 9999") {
			t.Errorf("unknown id: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
	})
}

func TestQuarantineReleaseSeveral(t *testing.T) {
	env := baseEnv(quarantineDBURL(t))
	small := append(env, "DARGO_MAX_MAIL_BYTES=100")
	out, errOut, code := dargo(t, small, nil, "ingest", "testdata/new.eml", "testdata/reply.eml")
	if code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errOut)
	}
	for _, r := range decodeLines(t, out) {
		if r.Action != "quarantined" {
			t.Fatalf("ingest: %s", out)
		}
	}
	out, _, _ = dargo(t, env, nil, "quarantine", "list", "--limit", "1")
	if n := strings.Count(out, "\n"); n != 1 {
		t.Errorf("--limit 1 printed %d lines", n)
	}
	// In order: the reply finds the ticket the first mail opens. An unknown
	// id among them fails the command but not the others.
	out, errOut, code = dargo(t, env, nil, "quarantine", "release", "1", "77", "2")
	rs := decodeLines(t, out)
	if code == 0 || !strings.Contains(errOut, "no inbound mail with id 77") || len(rs) != 2 ||
		rs[0].Action != "created" || rs[1].Action != "appended" || *rs[1].Ticket != *rs[0].Ticket {
		t.Errorf("release 1 77 2: exit %d, stderr %q, results %s", code, errOut, out)
	}
}

// With DARGO_BLOB_BUCKET the held raw mail lives in S3, and release reads it from there.
func TestQuarantineReleaseFromS3(t *testing.T) {
	testaws.Env(t, testaws.Moto(t)) // the binary inherits the environment
	ctx := context.Background()
	client, err := s3blob.LoadClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bucket := "dargo-quarantine-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	env := append(baseEnv(quarantineDBURL(t)), "DARGO_BLOB_BUCKET="+bucket+"/held")
	out, errOut, code := dargo(t, append(env, "DARGO_MAX_MAIL_BYTES=600"), nil, "ingest", "testdata/new.eml")
	if code != 0 || decodeLines(t, out)[0].Action != "quarantined" {
		t.Fatalf("ingest: exit %d, %s %s", code, out, errOut)
	}
	list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("held/raw/")})
	if err != nil || len(list.Contents) != 1 {
		t.Fatalf("raw mail in S3: %v, %v", list, err)
	}
	out, errOut, code = dargo(t, env, nil, "quarantine", "release", "1")
	if rs := decodeLines(t, out); code != 0 || rs[0].Action != "created" {
		t.Fatalf("release: exit %d, %s %s", code, out, errOut)
	}
	list, err = client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("held/att/")})
	if err != nil || len(list.Contents) != 1 {
		t.Errorf("the released mail's attachment is not in S3: %v, %v", list, err)
	}
}

func TestQuarantineUsageErrors(t *testing.T) {
	env := baseEnv(quarantineDBURL(t))
	for _, args := range [][]string{
		{"quarantine"},
		{"quarantine", "purge"},
		{"quarantine", "release"},
		{"quarantine", "release", "abc"},
		{"quarantine", "list", "--limit", "0"},
	} {
		out, errOut, code := dargo(t, env, nil, args...)
		if code == 0 || out != "" || errOut == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want a usage error", args, code, out, errOut)
		}
	}
	if out, errOut, code := dargo(t, env, nil, "quarantine", "list"); code != 0 || out != "" {
		t.Errorf("empty quarantine: exit %d, %q, %q", code, out, errOut)
	}
}

// quarantineDBURL is a fresh SQLite database for one test.
func quarantineDBURL(t *testing.T) string {
	return "sqlite:" + t.TempDir() + "/d.db"
}

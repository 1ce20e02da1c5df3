package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The repro through `dargo ingest`: a 9.5 MB mail of 200,000 empty
// parts is quarantined with the reason.
func TestIngestTooManyParts(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("From: eve@evil.test\r\nTo: support@help.example.com\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
	for range 200_000 {
		b.WriteString("--b\r\nContent-Type: application/octet-stream\r\n\r\n")
	}
	b.WriteString("--b--\r\n")
	file := filepath.Join(t.TempDir(), "parts.eml")
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	databases(t, func(t *testing.T, url string) {
		out, errOut, code := dargo(t, baseEnv(url), nil, "ingest", file)
		if code != 0 {
			t.Fatalf("ingest exit %d: %s", code, errOut)
		}
		if r := decodeLines(t, out)[0]; r.Action != "quarantined" || r.Reason != "mail has more than 500 MIME parts" || r.Ticket != nil {
			t.Fatalf("ingest printed %+v, want quarantined for its parts", r)
		}
	})
}

package outbound

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestDevOutbox(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		raw, err := Compose(testMail())
		if err != nil {
			t.Fatal(err)
		}
		id, err := NewDevOutbox(db).Send(ctx, "support@acme.test", []string{"zoe@example.org", "cc@example.org"}, raw)
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.ParseInt(strings.TrimPrefix(id, "dev-"), 10, 64)
		if err != nil || !strings.HasPrefix(id, "dev-") {
			t.Fatalf("id = %q", id)
		}
		got, err := db.DevMailByID(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Raw, raw) {
			t.Errorf("stored raw differs")
		}
		if got.Subject != "[#42] Drucker kaputt – schon wieder" {
			t.Errorf("Subject = %q", got.Subject)
		}
		if got.Sender != "support@acme.test" || got.Recipients != "zoe@example.org, cc@example.org" {
			t.Errorf("sender %q recipients %q", got.Sender, got.Recipients)
		}
		list, err := db.DevMails(ctx, 10)
		if err != nil || len(list) != 1 || list[0].ID != n {
			t.Errorf("DevMails = %+v, %v", list, err)
		}
	})
}

func TestRawSubject(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"Subject: plain\r\n\r\nbody", "plain"},
		{"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\n", "Grüße"},
		{"Subject: folded\r\n line\r\n\r\n", "folded line"},
		{"From: a@b\r\n\r\n", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := rawSubject([]byte(tt.raw)); got != tt.want {
			t.Errorf("rawSubject(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

// sender is what the worker needs of a sender.
type sender interface {
	Send(ctx context.Context, from string, to []string, raw []byte) (string, error)
}

var (
	_ sender       = (*SES)(nil)
	_ sender       = (*DevOutbox)(nil)
	_ DevMailStore = (*store.DB)(nil)
)

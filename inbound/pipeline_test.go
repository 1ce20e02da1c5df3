package inbound_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/mailtag"
	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// The test desk: every pipeline test runs with these options.
const (
	pipelineDomain   = "help.example.com"
	pipelineSecret   = "test-secret"
	pipelineMaxBytes = 1 << 20
)

func pipelineOpts() inbound.Opts {
	return inbound.Opts{
		MailDomain:   pipelineDomain,
		Secret:       pipelineSecret,
		Categories:   map[string]string{"billing@help.example.com": "billing"},
		MaxMailBytes: pipelineMaxBytes,
		AutoCap:      5,
		AutoWindow:   time.Hour,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

var pipelinePlaceholder = regexp.MustCompile(`\{\{(reply|forged) (\d+)\}\}`)

// pipelineTag is {{tag E ADDR}}: the X-Dargo-Mail tag of emails row E to ADDR.
var pipelineTag = regexp.MustCompile(`\{\{tag (\d+) ([^}]+)\}\}`)

// pipelineEML reads testdata/pipeline/name and fills in its placeholders:
// {{reply N}} is ticket N's reply address, {{forged N}} the same address
// with a wrong mac, and {{step}} the step's position (for mails that must
// differ only in their Message-ID).
func pipelineEML(t *testing.T, name string, pipelineStep int) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "pipeline", name))
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.ReplaceAll(raw, []byte("{{step}}"), []byte(strconv.Itoa(pipelineStep)))
	raw = pipelineTag.ReplaceAllFunc(raw, func(b []byte) []byte {
		m := pipelineTag.FindSubmatch(b)
		id, _ := strconv.ParseInt(string(m[1]), 10, 64)
		return []byte(mailtag.Tag(pipelineSecret, id, string(m[2])))
	})
	return pipelinePlaceholder.ReplaceAllFunc(raw, func(b []byte) []byte {
		m := pipelinePlaceholder.FindSubmatch(b)
		n, _ := strconv.ParseInt(string(m[2]), 10, 64)
		addr := replyaddr.Addr(pipelineSecret, "support", pipelineDomain, n)
		if string(m[1]) == "forged" {
			addr = pipelineForge(addr)
		}
		return []byte(addr)
	})
}

// pipelineForge keeps the shape of a reply address but changes the mac's last digit.
func pipelineForge(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	last := addr[at-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return addr[:at-1] + string(repl) + addr[at:]
}

// Generated mails are made in code rather than committed.
var pipelineGenerated = map[string]func() []byte{
	// oversize is a plausible Thunderbird mail with a 1.5 MB attachment.
	"oversize": func() []byte {
		var b bytes.Buffer
		b.WriteString("Return-Path: <dave@example.com>\r\n" +
			"Message-ID: <5f1c2a9e-big@example.com>\r\n" +
			"Date: Fri, 27 Nov 2026 09:12:44 +0100\r\n" +
			"MIME-Version: 1.0\r\n" +
			"User-Agent: Mozilla Thunderbird\r\n" +
			"From: Dave Lee <dave@example.com>\r\n" +
			"To: support@help.example.com\r\n" +
			"Subject: Full server log\r\n" +
			"Content-Type: multipart/mixed; boundary=\"------------big0123\"\r\n\r\n" +
			"--------------big0123\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nLog attached.\r\n\r\n" +
			"--------------big0123\r\nContent-Type: application/octet-stream; name=\"server.log\"\r\n" +
			"Content-Disposition: attachment; filename=\"server.log\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
		line := strings.Repeat("QUJD", 19) + "\r\n" // 76 base64 characters
		for b.Len() < 3*pipelineMaxBytes/2 {
			b.WriteString(line)
		}
		b.WriteString("--------------big0123--\r\n")
		return b.Bytes()
	},
}

func pipelineMailKey(raw []byte) string {
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// pipelineScalar runs a query written with '?' placeholders and returns its single
// value as text ("null" for NULL), the same on both dialects.
func pipelineScalar(t *testing.T, db *store.DB, query string, args ...any) string {
	t.Helper()
	if db.Dialect == store.Postgres {
		query = pipelineRebind(query)
	}
	var v sql.NullString
	if err := db.X.QueryRowContext(context.Background(), query, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if !v.Valid {
		return "null"
	}
	switch v.String { // PostgreSQL booleans read back as text
	case "true":
		return "1"
	case "false":
		return "0"
	}
	return v.String
}

func pipelineCount(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	n, err := strconv.Atoi(pipelineScalar(t, db, query, args...))
	if err != nil {
		t.Fatalf("%s: not a count: %v", query, err)
	}
	return n
}

func pipelineExec(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	if db.Dialect == store.Postgres {
		query = pipelineRebind(query)
	}
	if _, err := db.X.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func pipelineRebind(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pipelineStore checks the pipeline's order of work: the raw mail must be
// saved and readable before any other store call, and Deliver can be made
// to fail.
type pipelineStore struct {
	*store.DB
	t           *testing.T
	raw         []byte
	calls       []string
	failDeliver bool
	// hold, when set, stops the first Deliver call until it is closed;
	// reached is closed when that call arrives.
	hold, reached chan struct{}
	delivers      int
}

func (s *pipelineStore) note(call string) {
	s.t.Helper()
	s.calls = append(s.calls, call)
	if call == "SaveInboundMail" {
		return
	}
	if len(s.calls) == 1 {
		s.t.Errorf("%s called before SaveInboundMail", call)
		return
	}
	m, err := s.DB.InboundMail(context.Background(), 1)
	if err != nil {
		s.t.Errorf("%s called but no inbound_mail row yet: %v", call, err)
		return
	}
	got, err := s.DB.InboundRaw(context.Background(), m)
	if err != nil || !bytes.Equal(got, s.raw) {
		s.t.Errorf("%s called before the raw mail was readable (err %v)", call, err)
	}
}

func (s *pipelineStore) SaveInboundMail(ctx context.Context, m *store.InboundMail, raw []byte) (*store.InboundMail, bool, error) {
	s.note("SaveInboundMail")
	return s.DB.SaveInboundMail(ctx, m, raw)
}

func (s *pipelineStore) ThreadIDExists(ctx context.Context, id string) (bool, error) {
	s.note("ThreadIDExists")
	return s.DB.ThreadIDExists(ctx, id)
}

func (s *pipelineStore) TicketByThreadIDs(ctx context.Context, ids []string) (*store.Ticket, error) {
	s.note("TicketByThreadIDs")
	return s.DB.TicketByThreadIDs(ctx, ids)
}

func (s *pipelineStore) RecordInbound(ctx context.Context, d *store.Incoming) (*store.Recorded, error) {
	s.note("RecordInbound")
	s.delivers++
	if s.hold != nil && s.delivers == 1 {
		close(s.reached)
		<-s.hold
	}
	if s.failDeliver {
		return nil, errors.New("database went away")
	}
	return s.DB.RecordInbound(ctx, d)
}

var _ inbound.Store = (*pipelineStore)(nil)

func TestPipelineStoresRawBeforeParsing(t *testing.T) {
	cases := []struct {
		name   string
		raw    []byte
		action string
		reason string
	}{
		{"no header at all", []byte("this is not a mail, just a line of text\nand another\n"), store.ActionQuarantined, "unreadable mail"},
		{"binary junk", []byte{0xff, 0xfe, 0x00, 0x01, 'x', '\n', 0x80, 0x81, '\n'}, store.ActionQuarantined, ""},
		{"oversize", pipelineGenerated["oversize"](), store.ActionQuarantined, "DARGO_MAX_MAIL_BYTES"},
		{"normal mail", nil, store.ActionCreated, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				raw := c.raw
				if raw == nil {
					raw = pipelineEML(t, "gmail_new.eml", 1)
				}
				rs := &pipelineStore{DB: db, t: t, raw: raw}
				res, err := inbound.NewPipeline(rs, pipelineOpts()).Ingest(ctx, raw, inbound.Envelope{})
				if err != nil {
					t.Fatal(err)
				}
				if res.Action != c.action || !strings.Contains(res.Reason, c.reason) {
					t.Errorf("got %s (%q), want %s (%q)", res.Action, res.Reason, c.action, c.reason)
				}
				if len(rs.calls) == 0 || rs.calls[0] != "SaveInboundMail" {
					t.Errorf("store calls %v; want SaveInboundMail first", rs.calls)
				}
				m, err := db.InboundMail(ctx, 1)
				if err != nil {
					t.Fatal(err)
				}
				got, err := db.InboundRaw(ctx, m)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, raw) {
					t.Errorf("stored raw mail differs from the input (%d bytes stored, %d given)", len(got), len(raw))
				}
				if m.Size != int64(len(raw)) {
					t.Errorf("inbound_mail.size = %d, want %d", m.Size, len(raw))
				}
				wantStatus := "processed"
				if c.action == store.ActionQuarantined {
					wantStatus = "quarantined"
				}
				if m.Status != wantStatus || m.Action != c.action {
					t.Errorf("inbound_mail status %q action %q, want %q %q", m.Status, m.Action, wantStatus, c.action)
				}
			})
		})
	}
}

// A failure after the raw mail is stored loses nothing: the row stays
// 'received' with its bytes, and the redelivery (same SES id) processes it.
func TestPipelineRetriesAfterFailure(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		raw := pipelineEML(t, "gmail_new.eml", 1)
		env := inbound.Envelope{SESID: "0b3r8k1qv5dm2ccs2h0vlc2v5l0ej1q6thbfuio1", Recipients: []string{"support@help.example.com"}}
		rs := &pipelineStore{DB: db, t: t, raw: raw, failDeliver: true}
		if _, err := inbound.NewPipeline(rs, pipelineOpts()).Ingest(ctx, raw, env); err == nil {
			t.Fatal("Ingest succeeded although Deliver failed")
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM inbound_mail WHERE status = 'received' AND ses_id = ?`, env.SESID); n != 1 {
			t.Fatalf("%d received rows after a failed delivery, want 1", n)
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM tickets`); n != 0 {
			t.Fatalf("%d tickets after a failed delivery", n)
		}
		rs.failDeliver = false
		res, err := inbound.NewPipeline(rs, pipelineOpts()).Ingest(ctx, raw, env)
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != store.ActionCreated || res.Ticket == nil || *res.Ticket != 1 {
			t.Fatalf("redelivery: %+v, want created #1", res)
		}
		res, err = inbound.NewPipeline(rs, pipelineOpts()).Ingest(ctx, raw, env)
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != store.ActionDuplicate || res.Ticket == nil || *res.Ticket != 1 {
			t.Fatalf("third delivery: %+v, want duplicate of #1", res)
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM inbound_mail`); n != 1 {
			t.Errorf("%d inbound_mail rows for one SES id", n)
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM emails`); n != 1 {
			t.Errorf("%d emails rows, want one confirmation", n)
		}
	})
}

// Two consumers can hold the same SES message at once (SQS redelivers it
// when the first is slow past the visibility timeout). The second must not
// open a second ticket, nor may the first overwrite the recorded outcome.
func TestPipelineConcurrentRedelivery(t *testing.T) {
	withID := pipelineEML(t, "gone_new_ticket.eml", 1)
	withoutID := regexp.MustCompile(`(?m)^Message-ID: .*\n`).ReplaceAll(withID, nil)
	for name, raw := range map[string][]byte{"with Message-ID": withID, "without Message-ID": withoutID} {
		t.Run(name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				env := inbound.Envelope{SESID: "0b3r8k1qv5dm2ccs2h0vlc2v5l0ej1q6thbfuio1", Recipients: []string{"support@help.example.com"}}
				rs := &pipelineStore{DB: db, t: t, raw: raw, hold: make(chan struct{}), reached: make(chan struct{})}
				p := inbound.NewPipeline(rs, pipelineOpts())
				first := make(chan inbound.Result, 1)
				go func() {
					res, err := p.Ingest(ctx, raw, env)
					if err != nil {
						t.Errorf("first delivery: %v", err)
					}
					first <- res
				}()
				<-rs.reached
				second, err := p.Ingest(ctx, raw, env)
				if err != nil {
					t.Fatalf("second delivery: %v", err)
				}
				close(rs.hold)
				res := <-first
				t.Logf("first: %s %s %q; second: %s %s %q", res.Action, pipelineTicket(res.Ticket), res.Reason,
					second.Action, pipelineTicket(second.Ticket), second.Reason)
				if n := pipelineCount(t, db, `SELECT COUNT(*) FROM tickets`); n != 1 {
					t.Errorf("%d tickets from one mail", n)
				}
				if n := pipelineCount(t, db, `SELECT COUNT(*) FROM emails`); n != 1 {
					t.Errorf("%d confirmations for one mail", n)
				}
				m, err := db.InboundMail(ctx, 1)
				if err != nil {
					t.Fatal(err)
				}
				if m.Action != store.ActionCreated || m.TicketID == nil || m.MessageID == nil {
					t.Errorf("inbound_mail outcome: action %q ticket %v message %v; want created with both set", m.Action, m.TicketID, m.MessageID)
				}
			})
		})
	}
}

func pipelineTicket(n *int64) string {
	if n == nil {
		return "null"
	}
	return fmt.Sprintf("#%d", *n)
}

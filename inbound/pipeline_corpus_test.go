package inbound_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// pipelineScenario is a sequence of steps on a fresh database; see
// testdata/pipeline/scenarios.json.
type pipelineScenario struct {
	Name  string         `json:"name"`
	About string         `json:"about"`
	Skip  string         `json:"skip"` // a known bug; the scenario is skipped with this text
	Steps []pipelineStep `json:"steps"`
}

// pipelineStep ingests one mail (eml or generate), or prepares the database (sql,
// sent), then checks Want.
type pipelineStep struct {
	EML        string   `json:"eml"`
	Generate   string   `json:"generate"`
	Recipients []string `json:"recipients"`
	SESID      string   `json:"ses_id"`
	// Verdicts are SES's receipt verdicts for the mail (dkim, spf, dmarc...).
	Verdicts inbound.Verdicts `json:"verdicts"`
	// SQL runs a statement (written with '?' placeholders) instead of a mail.
	SQL string `json:"sql"`
	// Sent is the worker sending the ticket's oldest queued mail: SES gave
	// it MessageID (<sesid@region.amazonses.com>), recorded on its emails
	// row and among the ticket's thread ids.
	Sent *struct {
		Ticket    int64  `json:"ticket"`
		MessageID string `json:"message_id"`
	} `json:"sent"`
	Want pipelineWant `json:"want"`
}

type pipelineWant struct {
	Action string `json:"action"`
	Ticket *int64 `json:"ticket"` // null: no ticket in the result
	Reason string `json:"reason"` // substring; "" requires an empty reason, "*" takes any

	Visible         *string        `json:"visible"`          // messages.visible_text, exact
	VisibleContains []string       `json:"visible_contains"` // ... or these substrings
	VisibleExcludes []string       `json:"visible_excludes"`
	TextContains    []string       `json:"text_contains"` // messages.text, the full text
	Auto            *bool          `json:"auto"`
	Attachments     *[]pipelineAtt `json:"attachments"`

	Subject  *string `json:"subject"` // the ticket's, after the step
	Status   *string `json:"status"`
	Category *string `json:"category"`
	FromName *string `json:"from_name"` // the ticket customer's users.name
	Messages *int    `json:"messages"`  // messages in the ticket

	// Confirmation is the ticket's confirmation email: queued (with an
	// outbox row), suppressed (without), or none.
	Confirmation       string `json:"confirmation"`
	ConfirmationReason string `json:"confirmation_reason"`

	SQL []pipelineCheck `json:"sql"`
}

type pipelineAtt struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	ContentID   string `json:"content_id,omitempty"`
	Inline      bool   `json:"inline,omitempty"`
}

// pipelineCheck is a query returning one value, compared as text ("null" for NULL,
// 1/0 for booleans).
type pipelineCheck struct {
	Query string `json:"query"`
	Want  string `json:"want"`
}

func pipelineScenarios(t *testing.T) []pipelineScenario {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "pipeline", "scenarios.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Scenarios []pipelineScenario `json:"scenarios"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("scenarios.json: %v", err)
	}
	return doc.Scenarios
}

func TestPipelineCorpus(t *testing.T) {
	scenarios := pipelineScenarios(t)
	if len(scenarios) == 0 {
		t.Fatal("no scenarios")
	}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			if sc.Skip != "" {
				t.Skip(sc.Skip)
			}
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				r := &pipelineRunner{t: t, db: db, p: inbound.NewPipeline(db, pipelineOpts()), keys: map[string]bool{}}
				for i, st := range sc.Steps {
					r.step(i+1, st)
					if t.Failed() {
						t.Fatalf("stopping %s after step %d", sc.Name, i+1)
					}
				}
				if n := pipelineCount(t, db, `SELECT COUNT(*) FROM inbound_mail WHERE status NOT IN ('processed', 'quarantined')`); n != 0 {
					t.Errorf("%d inbound_mail rows left unfinished", n)
				}
			})
		})
	}
}

// Every mail in the corpus is used by some scenario, so none rots unseen.
func TestPipelineCorpusUsesEveryMail(t *testing.T) {
	used := map[string]bool{}
	for _, sc := range pipelineScenarios(t) {
		for _, st := range sc.Steps {
			if st.EML != "" {
				if _, err := os.Stat(filepath.Join("testdata", "pipeline", st.EML)); err != nil {
					t.Errorf("%s: %v", sc.Name, err)
				}
				used[st.EML] = true
			}
			if st.Generate != "" && pipelineGenerated[st.Generate] == nil {
				t.Errorf("%s: no generator %q", sc.Name, st.Generate)
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "pipeline", "*.eml"))
	for _, f := range files {
		if !used[filepath.Base(f)] {
			t.Errorf("%s is used by no scenario", f)
		}
	}
}

type pipelineRunner struct {
	t    *testing.T
	db   *store.DB
	p    *inbound.Pipeline
	keys map[string]bool // raw mails ingested so far
}

func (r *pipelineRunner) step(n int, st pipelineStep) {
	t, db := r.t, r.db
	t.Helper()
	switch {
	case st.SQL != "":
		pipelineExec(t, db, st.SQL)
		return
	case st.Sent != nil:
		tk, err := db.TicketByNumber(context.Background(), st.Sent.Ticket)
		if err != nil {
			t.Fatalf("sent step: %v", err)
		}
		var emailID int64
		err = db.X.GetContext(context.Background(), &emailID, db.X.Rebind(`SELECT id FROM emails WHERE ticket_id = ? AND status = 'queued' ORDER BY id LIMIT 1`), tk.ID)
		if err != nil {
			t.Fatalf("sent step: no queued mail on ticket %d: %v", st.Sent.Ticket, err)
		}
		sesID, _, _ := strings.Cut(st.Sent.MessageID, "@")
		if err := db.MarkEmailSent(context.Background(), emailID, store.Sent{HeaderID: "minted." + sesID + "@help.example.com", SESID: sesID}); err != nil {
			t.Fatalf("sent step: %v", err)
		}
		if ok, err := db.ThreadIDExists(context.Background(), st.Sent.MessageID); err != nil || !ok {
			t.Fatalf("sent step: %s is not among the thread ids (%v)", st.Sent.MessageID, err)
		}
		return
	}
	name := st.EML
	var raw []byte
	if st.Generate != "" {
		name, raw = st.Generate, pipelineGenerated[st.Generate]()
	} else {
		raw = pipelineEML(t, st.EML, n)
	}
	where := func() string { return "step " + pipelineItoa(n) + " (" + name + ")" }

	emailsBefore := pipelineCount(t, db, `SELECT COUNT(*) FROM emails`)
	outboxBefore := pipelineCount(t, db, `SELECT COUNT(*) FROM outbox`)
	key := pipelineMailKey(raw)
	if st.SESID != "" {
		key = "ses:" + st.SESID
	}
	seenKey := r.keys[key]
	r.keys[key] = true

	res, err := r.p.Ingest(context.Background(), raw, inbound.Envelope{SESID: st.SESID, Recipients: st.Recipients, Verdicts: st.Verdicts})
	if err != nil {
		t.Fatalf("%s: Ingest: %v", where(), err)
	}
	w := st.Want
	if res.Action != w.Action || pipelineTicket(res.Ticket) != pipelineTicket(w.Ticket) {
		t.Errorf("%s: got %s %s (%q), want %s %s", where(), res.Action, pipelineTicket(res.Ticket), res.Reason, w.Action, pipelineTicket(w.Ticket))
	}
	if w.Reason == "" && res.Reason != "" {
		t.Errorf("%s: unexpected reason %q", where(), res.Reason)
	}
	if w.Reason != "*" && !strings.Contains(res.Reason, w.Reason) {
		t.Errorf("%s: reason %q does not contain %q", where(), res.Reason, w.Reason)
	}

	// The raw mail is kept, byte for byte, and its row is finished.
	var m store.InboundMail
	if err := db.X.GetContext(context.Background(), &m, db.X.Rebind(`SELECT * FROM inbound_mail WHERE key = ?`), key); err != nil {
		t.Fatalf("%s: inbound_mail row: %v", where(), err)
	}
	if got, err := db.InboundRaw(context.Background(), &m); err != nil || !bytes.Equal(got, raw) {
		t.Errorf("%s: raw mail not kept as received (err %v)", where(), err)
	}
	wantStatus := "processed"
	if w.Action == store.ActionQuarantined {
		wantStatus = "quarantined"
	}
	if m.Status != wantStatus {
		t.Errorf("%s: inbound_mail status %q, want %q", where(), m.Status, wantStatus)
	}
	if !seenKey && m.Action != res.Action {
		t.Errorf("%s: inbound_mail action %q, result %q", where(), m.Action, res.Action)
	}

	// Only a new ticket mails anyone (its confirmation).
	emails := pipelineCount(t, db, `SELECT COUNT(*) FROM emails`) - emailsBefore
	outbox := pipelineCount(t, db, `SELECT COUNT(*) FROM outbox`) - outboxBefore
	wantEmails := 0
	if res.Action == store.ActionCreated {
		wantEmails = 1
	}
	if emails != wantEmails {
		t.Errorf("%s: %d new emails rows, want %d", where(), emails, wantEmails)
	}
	if outbox > emails {
		t.Errorf("%s: %d new outbox rows for %d emails", where(), outbox, emails)
	}

	if res.Message != nil {
		r.checkMessage(where(), *res.Message, m.ID, w)
	} else if w.Visible != nil || w.Auto != nil || w.Attachments != nil || len(w.TextContains) > 0 {
		t.Errorf("%s: no message to check", where())
	}
	if w.Ticket != nil {
		r.checkTicket(where(), *w.Ticket, w)
	}
	for _, c := range w.SQL {
		if got := pipelineScalar(t, db, c.Query); got != c.Want {
			t.Errorf("%s: %s = %s, want %s", where(), c.Query, got, c.Want)
		}
	}
}

func (r *pipelineRunner) checkMessage(where string, id, inboundID int64, w pipelineWant) {
	t, db := r.t, r.db
	t.Helper()
	var msg store.Message
	if err := db.X.GetContext(context.Background(), &msg, db.X.Rebind(`SELECT * FROM messages WHERE id = ?`), id); err != nil {
		t.Fatalf("%s: message %d: %v", where, id, err)
	}
	if msg.InboundMailID == nil || *msg.InboundMailID != inboundID {
		t.Errorf("%s: message not linked to its inbound_mail row", where)
	}
	if w.Visible != nil && msg.VisibleText != *w.Visible {
		t.Errorf("%s: visible text\n got: %q\nwant: %q", where, msg.VisibleText, *w.Visible)
	}
	for _, s := range w.VisibleContains {
		if !strings.Contains(msg.VisibleText, s) {
			t.Errorf("%s: visible text %q lacks %q", where, msg.VisibleText, s)
		}
	}
	for _, s := range w.VisibleExcludes {
		if strings.Contains(msg.VisibleText, s) {
			t.Errorf("%s: visible text %q still has %q", where, msg.VisibleText, s)
		}
	}
	for _, s := range w.TextContains {
		if !strings.Contains(msg.Text, s) {
			t.Errorf("%s: full text %q lacks %q", where, msg.Text, s)
		}
	}
	if w.Auto != nil && msg.Auto != *w.Auto {
		t.Errorf("%s: messages.auto = %v, want %v", where, msg.Auto, *w.Auto)
	}
	if w.Attachments != nil {
		rows, err := db.Attachments(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		got := []pipelineAtt{}
		for _, a := range rows {
			got = append(got, pipelineAtt{Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, ContentID: a.ContentID, Inline: a.Inline})
			data, err := db.Blobs.Get(context.Background(), a.BlobKey)
			if err != nil || int64(len(data)) != a.Size {
				t.Errorf("%s: attachment %s: blob of %d bytes (err %v), size says %d", where, a.Filename, len(data), err, a.Size)
			}
		}
		if !reflect.DeepEqual(got, *w.Attachments) {
			t.Errorf("%s: attachments\n got: %+v\nwant: %+v", where, got, *w.Attachments)
		}
	}
}

func (r *pipelineRunner) checkTicket(where string, number int64, w pipelineWant) {
	t, db := r.t, r.db
	t.Helper()
	tk, err := db.TicketByNumber(context.Background(), number)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	if w.Subject != nil && tk.Subject != *w.Subject {
		t.Errorf("%s: subject %q, want %q", where, tk.Subject, *w.Subject)
	}
	if w.Status != nil && tk.Status != *w.Status {
		t.Errorf("%s: status %q, want %q", where, tk.Status, *w.Status)
	}
	if w.Category != nil && tk.Category != *w.Category {
		t.Errorf("%s: category %q, want %q", where, tk.Category, *w.Category)
	}
	if w.FromName != nil {
		if got := pipelineScalar(t, db, `SELECT u.name FROM users u JOIN tickets t ON t.customer_id = u.id WHERE t.number = ?`, number); got != *w.FromName {
			t.Errorf("%s: customer name %q, want %q", where, got, *w.FromName)
		}
	}
	if w.Messages != nil {
		if got := pipelineCount(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ?`, tk.ID); got != *w.Messages {
			t.Errorf("%s: %d messages, want %d", where, got, *w.Messages)
		}
	}
	if w.Confirmation != "" {
		n := pipelineCount(t, db, `SELECT COUNT(*) FROM emails WHERE ticket_id = ? AND kind = 'confirmation'`, tk.ID)
		switch {
		case w.Confirmation == "none":
			if n != 0 {
				t.Errorf("%s: %d confirmations, want none", where, n)
			}
		case n != 1:
			t.Errorf("%s: %d confirmations, want one %s", where, n, w.Confirmation)
		default:
			status := pipelineScalar(t, db, `SELECT status FROM emails WHERE ticket_id = ? AND kind = 'confirmation'`, tk.ID)
			reason := pipelineScalar(t, db, `SELECT reason FROM emails WHERE ticket_id = ? AND kind = 'confirmation'`, tk.ID)
			outbox := pipelineCount(t, db, `SELECT COUNT(*) FROM outbox o JOIN emails e ON e.id = o.email_id WHERE e.ticket_id = ? AND e.kind = 'confirmation'`, tk.ID)
			wantOutbox := 0
			if w.Confirmation == store.EmailQueued {
				wantOutbox = 1
			}
			if status != w.Confirmation || outbox != wantOutbox {
				t.Errorf("%s: confirmation %s (%q) with %d outbox rows, want %s with %d", where, status, reason, outbox, w.Confirmation, wantOutbox)
			}
			if !strings.Contains(reason, w.ConfirmationReason) {
				t.Errorf("%s: confirmation reason %q lacks %q", where, reason, w.ConfirmationReason)
			}
		}
	}
}

func pipelineItoa(n int) string { return strconv.Itoa(n) }

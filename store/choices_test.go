package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// setChoice sets a choice and reports whether it changed.
func setChoice(t *testing.T, db *store.DB, userID int64, kind string, objected bool, actorID int64) bool {
	t.Helper()
	via := store.ChoiceViaAccount
	if actorID != 0 {
		via = store.ChoiceViaStaff
	}
	changed, err := db.SetChoice(context.Background(), userID, kind, objected, actorID, via)
	if err != nil {
		t.Fatalf("SetChoice(%d, %s, %v): %v", userID, kind, objected, err)
	}
	return changed
}

func TestChoicesAreStoredShownAndAudited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ada := bcUser(t, db, "ada@example.com", true)
		staff := bcUser(t, db, "agent@dargo.test", true)

		got, err := db.Choices(ctx, ada)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != (store.Choice{Kind: store.ChoiceMail}) || got[1] != (store.Choice{Kind: store.ChoiceAnalytics}) {
			t.Fatalf("choices never changed = %+v, want both allowed, without a time", got)
		}
		if setChoice(t, db, ada, store.ChoiceMail, false, 0) {
			t.Error("allowing what was never objected to reports a change")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM user_choices`); n != 0 {
			t.Errorf("allowing what was never objected to wrote %d rows", n)
		}

		if !setChoice(t, db, ada, store.ChoiceMail, true, 0) {
			t.Fatal("objecting reports no change")
		}
		first, _ := db.Choices(ctx, ada)
		if c := first[0]; !c.Objected || c.ChangedAt == nil || c.ChangedBy != nil {
			t.Errorf("mail after objecting = %+v, want objected, with a time, by the person", c)
		}
		if setChoice(t, db, ada, store.ChoiceMail, true, 0) {
			t.Error("objecting twice reports a change")
		}
		if again, _ := db.Choices(ctx, ada); !again[0].ChangedAt.Equal(*first[0].ChangedAt) {
			t.Errorf("objecting again moved the time from %v to %v", first[0].ChangedAt, again[0].ChangedAt)
		}
		if !setChoice(t, db, ada, store.ChoiceAnalytics, true, staff) {
			t.Fatal("staff recording an objection reports no change")
		}
		got, _ = db.Choices(ctx, ada)
		if c := got[1]; !c.Objected || c.ChangedBy == nil || *c.ChangedBy != staff {
			t.Errorf("analytics = %+v, want objected, recorded by staff %d", c, staff)
		}
		for kind, want := range map[string]bool{store.ChoiceMail: true, store.ChoiceAnalytics: true} {
			if ok, err := db.Objects(ctx, ada, kind); err != nil || ok != want {
				t.Errorf("Objects(%s) = %v, %v; want %v", kind, ok, err, want)
			}
		}
		if !setChoice(t, db, ada, store.ChoiceMail, false, 0) {
			t.Fatal("allowing again reports no change")
		}
		if ok, _ := db.Objects(ctx, ada, store.ChoiceMail); ok {
			t.Error("Objects(mail) after allowing it again = true")
		}

		if _, err := db.SetChoice(ctx, ada, "tracking", true, 0, store.ChoiceViaAccount); !errors.Is(err, store.ErrUnknownChoice) {
			t.Errorf("SetChoice(unknown kind) = %v, want ErrUnknownChoice", err)
		}
		if _, err := db.Objects(ctx, ada, "tracking"); !errors.Is(err, store.ErrUnknownChoice) {
			t.Errorf("Objects(unknown kind) = %v, want ErrUnknownChoice", err)
		}

		log, err := db.AuditLog(ctx, store.AuditQuery{Action: store.AuditChoice})
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, e := range slices.Backward(log) {
			if e.UserID == nil || *e.UserID != ada || e.ActorID == nil {
				t.Fatalf("audit entry %+v: want about ada, with an actor", e)
			}
			var d map[string]any
			if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, strconv.FormatInt(*e.ActorID, 10)+" "+d["kind"].(string)+" "+strconv.FormatBool(d["objected"].(bool))+" "+d["via"].(string))
			if strings.Contains(e.Detail, "@") {
				t.Errorf("audit detail %s names an address", e.Detail)
			}
		}
		a, s := strconv.FormatInt(ada, 10), strconv.FormatInt(staff, 10)
		want := []string{a + " mail true account", s + " analytics true staff", a + " mail false account"}
		if !slices.Equal(lines, want) {
			t.Errorf("audit = %q, want %q (one entry per change, none for repeats)", lines, want)
		}
	})
}

func TestEraseRemovesChoices(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ada := bcUser(t, db, "ada@example.com", true)
		bob := bcUser(t, db, "bob@example.com", true)
		setChoice(t, db, ada, store.ChoiceMail, true, 0)
		setChoice(t, db, bob, store.ChoiceMail, true, 0)
		if _, err := db.Erase(context.Background(), ada, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM user_choices WHERE user_id = ?`, ada); n != 0 {
			t.Errorf("%d choices left after erasure", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM user_choices WHERE user_id = ?`, bob); n != 1 {
			t.Errorf("someone else's choices: %d rows, want 1", n)
		}
	})
}

func TestExportIncludesChoices(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ada := bcUser(t, db, "ada@example.com", true)
		staff := bcUser(t, db, "agent@dargo.test", true)
		setChoice(t, db, ada, store.ChoiceMail, true, 0)
		setChoice(t, db, ada, store.ChoiceAnalytics, true, staff)
		doc, err := db.Export(ctx, "ada@example.com", func(int64) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(doc.Choices)
		if err != nil {
			t.Fatal(err)
		}
		var got []map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0]["kind"] != "mail" || got[0]["objected"] != true || got[0]["recorded_by_staff"] != false || got[0]["changed_at"] == nil ||
			got[1]["kind"] != "analytics" || got[1]["objected"] != true || got[1]["recorded_by_staff"] != true {
			t.Errorf("export choices = %s", b)
		}
		if strings.Contains(string(b), strconv.FormatInt(staff, 10)+",") {
			t.Errorf("export names the staff member: %s", b)
		}
		bcUser(t, db, "new@example.com", true)
		doc, err = db.Export(ctx, "new@example.com", func(int64) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := json.Marshal(doc.Choices); string(b) != `[{"kind":"mail","objected":false,"changed_at":null,"recorded_by_staff":false},{"kind":"analytics","objected":false,"changed_at":null,"recorded_by_staff":false}]` {
			t.Errorf("export of choices never made = %s", b)
		}
	})
}

// notMailKinds are the Email* constants that are not kinds of mail.
var notMailKinds = []string{"EmailQueued", "EmailSent", "EmailFailed", "EmailSuppressed"}

// essential classifies every kind of mail: true goes even to people who
// object to optional mail. A new kind must be added here, on purpose.
var essential = map[string]bool{
	store.EmailReply:            true,
	store.EmailStatus:           true,
	store.EmailConfirmation:     true,
	store.EmailMagicLink:        true,
	store.EmailPolicyNotice:     true,
	store.EmailBroadcast:        false,
	store.EmailTooLarge:         true,
	store.EmailStaffNotice:      true, // staff choose their notices on /account
	store.EmailStaffDigest:      true,
	store.EmailStaffUnrecorded:  true, // an answer by mail that was not recorded
	store.EmailMerged:           true, // one's own request continues elsewhere
	store.EmailForward:          true, // staff's one-off question about one ticket
	store.EmailAutocloseWarning: true, // one's own request is about to close
}

// TestEveryMailKindIsClassified reads the store package's source: every
// Email* string constant is a status or a kind of mail in MailKinds, and
// every kind is classified here and by EssentialMail alike.
func TestEveryMailKindIsClassified(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if !strings.HasPrefix(id.Name, "Email") || slices.Contains(notMailKinds, id.Name) || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					v, _ := strconv.Unquote(lit.Value)
					kinds = append(kinds, v)
				}
			}
		}
	}
	slices.Sort(kinds)
	listed := slices.Sorted(slices.Values(store.MailKinds))
	if !slices.Equal(kinds, listed) {
		t.Errorf("Email* kind constants %q, store.MailKinds %q: list every kind in MailKinds", kinds, listed)
	}
	for _, kind := range store.MailKinds {
		want, ok := essential[kind]
		if !ok {
			t.Errorf("mail kind %q is not classified in this test's essential map", kind)
			continue
		}
		if got := store.EssentialMail(kind); got != want {
			t.Errorf("EssentialMail(%q) = %v, want %v", kind, got, want)
		}
	}
	if store.EssentialMail("some_future_kind") {
		t.Error("an unknown kind is essential; it must be optional until listed")
	}
}

// TestEveryMailKindRespectsObjection queues every kind of mail through
// QueueEmail to a person who objected to optional mail and to one who did
// not, named by user id and by address alone: only optional mail to the
// objector is suppressed, without an outbox row, and StopReason stops a
// mail queued before the objection.
func TestEveryMailKindRespectsObjection(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		objector := bcUser(t, db, "objector@example.com", true)
		other := bcUser(t, db, "other@example.com", true)
		for _, kind := range store.MailKinds {
			queue(t, db, store.QueuedEmail{UserID: &objector, To: "objector@example.com", Kind: kind, Subject: "before"})
		}
		before, err := db.Emails(ctx, "objector@example.com") // queued before the objection
		if err != nil {
			t.Fatal(err)
		}
		setChoice(t, db, objector, store.ChoiceMail, true, 0)
		setChoice(t, db, other, store.ChoiceAnalytics, true, 0) // objecting to analytics is not objecting to mail

		for _, e := range before {
			reason, err := db.StopReason(ctx, &e)
			want := ""
			if !essential[e.Kind] {
				want = store.ReasonObjected
			}
			if err != nil || reason != want {
				t.Errorf("StopReason(%s queued before the objection) = %q, %v; want %q", e.Kind, reason, err, want)
			}
		}
		for _, kind := range store.MailKinds {
			for _, tt := range []struct {
				name   string
				userID *int64
				to     string
				stop   bool
			}{
				{"objector by id", &objector, "objector@example.com", !essential[kind]},
				{"objector by address", nil, "Objector@Example.com", !essential[kind]},
				{"objector's id, another address", &objector, "elsewhere@example.com", !essential[kind]},
				{"other", &other, "other@example.com", false},
				{"stranger", nil, "stranger@example.com", false},
			} {
				t.Run(kind+"/"+tt.name, func(t *testing.T) {
					status := queue(t, db, store.QueuedEmail{UserID: tt.userID, To: tt.to, Kind: kind, Subject: "after"})
					e := newest(t, db, tt.to)
					wantStatus, wantReason, wantOutbox := store.EmailQueued, "", 1
					if tt.stop {
						wantStatus, wantReason, wantOutbox = store.EmailSuppressed, store.ReasonObjected, 0
					}
					if status != wantStatus || e.Status != wantStatus || e.Reason != wantReason {
						t.Errorf("%s mail: status %q, row %q %q; want %q %q", kind, status, e.Status, e.Reason, wantStatus, wantReason)
					}
					if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE email_id = ?`, e.ID); n != wantOutbox {
						t.Errorf("outbox rows = %d, want %d", n, wantOutbox)
					}
				})
			}
		}
	})
}

// newest returns the newest emails row to the address.
func newest(t *testing.T, db *store.DB, to string) store.Email {
	t.Helper()
	list, err := db.Emails(context.Background(), to)
	if err != nil || len(list) == 0 {
		t.Fatalf("emails to %s: %v, %v", to, list, err)
	}
	return list[len(list)-1]
}

// TestMailPathsRespectObjection goes through the paths that queue mail in
// the product — a new ticket's confirmation, a staff reply, a status
// change, a sign-in link, a broadcast — for a customer who objected to
// optional mail: only the broadcast is held back.
func TestMailPathsRespectObjection(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := newTicket("Printer on fire")
		d.Confirm = true
		first := deliver(t, db, d) // alice exists now
		alice, err := db.UserByEmail(ctx, "alice@example.com")
		if err != nil {
			t.Fatal(err)
		}
		bcUser(t, db, "bob@example.com", true)
		setChoice(t, db, alice.ID, store.ChoiceMail, true, 0)
		staff, err := db.SetRole(ctx, "agent@dargo.test", "staff")
		if err != nil {
			t.Fatal(err)
		}

		want := map[string]string{} // kind → status of alice's newest such mail
		d = newTicket("Scanner on fire")
		d.Confirm = true
		if got := deliver(t, db, d); got.ConfirmStatus != store.EmailQueued {
			t.Errorf("confirmation of a new ticket = %q, want queued", got.ConfirmStatus)
		}
		want[store.EmailConfirmation] = store.EmailQueued
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: first.TicketID, AuthorID: staff.ID, Text: "On our way"}); err != nil {
			t.Fatal(err)
		}
		want[store.EmailReply] = store.EmailQueued
		if err := db.SetStatus(ctx, first.TicketID, "resolved"); err != nil {
			t.Fatal(err)
		}
		want[store.EmailStatus] = store.EmailQueued
		if _, err := db.QueueMagicLink(ctx, &alice.ID, "alice@example.com", "sealed"); err != nil {
			t.Fatal(err)
		}
		if err := db.RequestLogin(ctx, store.LoginRequest{TokenHash: "h1", Email: "alice@example.com", SealedLink: "sealed", TTL: time.Minute}); err != nil {
			t.Fatal(err)
		}
		want[store.EmailMagicLink] = store.EmailQueued
		b := startBroadcast(t, db, "Our privacy policy changed")
		queueAll(t, db, b.ID, 1) // one recipient per batch: every batch goes by the rule
		want[store.EmailBroadcast] = store.EmailSuppressed

		emails, err := db.Emails(ctx, "alice@example.com")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]store.Email{}
		for _, e := range emails {
			got[e.Kind] = e
		}
		for kind, status := range want {
			e, ok := got[kind]
			if !ok {
				t.Errorf("no %s mail to alice", kind)
				continue
			}
			if e.Status != status {
				t.Errorf("%s mail to alice: %s (%q), want %s", kind, e.Status, e.Reason, status)
			}
		}
		if e := got[store.EmailBroadcast]; e.Reason != store.ReasonObjected || count(t, db, `SELECT COUNT(*) FROM outbox WHERE email_id = ?`, e.ID) != 0 {
			t.Errorf("broadcast to alice: %+v, want suppressed as objected, no outbox row", e)
		}
		if e := newest(t, db, "bob@example.com"); e.Kind != store.EmailBroadcast || e.Status != store.EmailQueued {
			t.Errorf("broadcast to bob, who did not object: %+v", e)
		}
	})
}

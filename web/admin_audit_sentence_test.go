package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestAuditSentences: the audit page names people and tickets and says
// what happened; the download keeps the ids and JSON.
func TestAuditSentences(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := privacyServer(t, db)
		boss, bossU := admin(t, srv, db, "boss@support.example")
		if err := db.ChangeName(ctx, bossU.ID, bossU.ID, "Bea"); err != nil {
			t.Fatal(err)
		}
		got := deliver(t, db, newMail("ada@example.com", "Broken", "It broke."))

		// Bea invites Mia, who signs in and moves the ticket to pending.
		do(t, boss, "POST", srv.URL+"/admin/staff/invite", url.Values{"email": {"mia@support.example"}, "role": {"staff"}})
		mia := browser(t)
		signIn(t, srv, db, mia, "mia@support.example")
		miaU := user(t, db, "mia@support.example")
		if err := db.ChangeName(ctx, miaU.ID, miaU.ID, "Mia"); err != nil {
			t.Fatal(err)
		}
		path := "/inbox/tickets/" + itoa(got.TicketNumber)
		do(t, mia, "POST", srv.URL+path+"/update", url.Values{"status": {"pending"}, "priority": {"normal"}})
		do(t, mia, "POST", srv.URL+path+"/update", url.Values{"assignee": {itoa(miaU.ID)}})
		do(t, boss, "POST", srv.URL+"/admin/staff/"+itoa(miaU.ID)+"/role", url.Values{"role": {"admin"}})
		if err := db.Audit(ctx, store.Audit{ActorID: bossU.ID, Action: "held_release", TicketID: got.TicketID, Detail: map[string]any{"size": 12}}); err != nil {
			t.Fatal(err)
		}

		if err := db.Audit(ctx, store.Audit{ActorID: bossU.ID, Action: store.AuditHeldRelease, TicketID: got.TicketID,
			Detail: map[string]any{"inbound_mail": 7, "action": "new_ticket"}}); err != nil {
			t.Fatal(err)
		}
		if err := db.Audit(ctx, store.Audit{ActorID: bossU.ID, Action: store.AuditHeldDelete, Detail: map[string]any{"inbound_mail": 8}}); err != nil {
			t.Fatal(err)
		}
		for _, action := range []string{store.AuditTicketMerge, store.AuditMergeUndo} {
			if err := db.Audit(ctx, store.Audit{ActorID: bossU.ID, Action: action, TicketID: got.TicketID,
				Detail: map[string]any{"into": 99, "into_number": 42, "merge": 1, "messages": 3, "participants": 1}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Audit(ctx, store.Audit{ActorID: bossU.ID, Action: store.AuditTicketSplit, TicketID: got.TicketID, UserID: miaU.ID,
			Detail: map[string]any{"split": 1, "message": 5, "from_number": 41, "into_number": 43, "side": "from"}}); err != nil {
			t.Fatal(err)
		}

		_, body := get(t, boss, srv, "/admin/audit")
		_, sentences := auditRows(body)
		n := itoa(got.TicketNumber)
		for _, want := range []string{
			"Bea made Mia staff.", // people are named as they are called now
			"Mia signed in as staff.",
			"Mia changed status open → pending on #" + n + ".",
			"Mia assigned it to Mia on #" + n + ".",
			"Bea made Mia an admin.",
			"Bea: held release, #" + n + " (size 12).",
			"Bea changed their name.",
			"Bea released held mail 7 into #" + n + ".",
			"Bea deleted held mail 8.",
			"Bea merged #" + n + " into #42 (3 messages moved).",
			"Bea undid the merge of #" + n + " into #42.",
			"Bea split a message of Mia off #41 into #43.",
			"Bea was made an admin on the command line.",
		} {
			if !strings.Contains(strings.Join(sentences, "\n"), want) {
				t.Errorf("the audit page does not say %q:\n%s", want, strings.Join(sentences, "\n"))
			}
		}
		if strings.Contains(body, "{&#34;") || strings.Contains(body, `{"`) {
			t.Errorf("the page shows JSON")
		}
		// The download is unchanged: ids and the JSON detail.
		_, jsonl := get(t, boss, srv, "/admin/audit.jsonl?action=ticket_change")
		if !strings.Contains(jsonl, `"actor_id":`+itoa(miaU.ID)) || !strings.Contains(jsonl, `\"was\":{\"status\":\"open\"}`) {
			t.Errorf("download:\n%s", jsonl)
		}
	})
}

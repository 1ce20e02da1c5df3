package web

import (
	"encoding/json"
	"testing"

	"github.com/dargo-support/dargo/store"
)

// TestAuditSentencesLifecycle: the audit page says what Dargo did on its
// own and why, and who snoozed what until when.
func TestAuditSentencesLifecycle(t *testing.T) {
	ticket, mia := int64(7), int64(3)
	names := &store.AuditNames{Users: map[int64]store.User{mia: {ID: mia, Name: "Mia", Email: "mia@support.example"}}, Tickets: map[int64]int64{ticket: 12}}
	cases := []struct {
		actor  *int64
		action string
		detail map[string]any
		want   string
	}{
		{nil, store.AuditTicketChange, map[string]any{"status": "resolved", "was": map[string]any{"status": "pending"}, "why": "after 7 days without an answer"},
			"Dargo changed status pending → resolved on #12 after 7 days without an answer"},
		{&mia, store.AuditTicketSnooze, map[string]any{"until": "2026-03-09T13:00:00Z"}, "Mia snoozed #12 until 2026-03-09T13:00:00Z"},
		{nil, store.AuditTicketUnsnooze, map[string]any{"by": "time"}, "Dargo ended the snooze of #12 (its time came)"},
		{&mia, store.AuditTicketUnsnooze, map[string]any{"by": "staff"}, "Mia ended the snooze of #12"},
	}
	for _, c := range cases {
		b, _ := json.Marshal(c.detail)
		e := store.AuditEntry{ActorID: c.actor, Action: c.action, TicketID: &ticket, Detail: string(b)}
		var d map[string]any
		json.Unmarshal(b, &d)
		if got := auditSentence(e, d, names); got != c.want {
			t.Errorf("%s: %q, want %q", c.action, got, c.want)
		}
	}
}

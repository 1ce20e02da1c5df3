package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkBulk200 applies one bulk action to 200 tickets (each op changes
// every one of them): "status" alternates resolved (with the status mail
// held for Undo, as from the inbox) and open; "assign" alternates between
// two staff members, who are told; "tags" alternates adding and removing
// a tag. The plan the confirmation page shows is "plan".
func BenchmarkBulk200(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		b.Run(dialect, func(b *testing.B) {
			db := testdb.Open(b, dialect)
			ctx := context.Background()
			agent, _ := db.SetRole(ctx, "agent@acme.test", "staff")
			mia, _ := db.SetRole(ctx, "mia@acme.test", "staff")
			bob, _ := db.SetRole(ctx, "bob@acme.test", "staff")
			numbers, _ := bulkTickets(b, db, 200)
			run := func(b *testing.B, actions ...store.BulkAction) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					a := actions[i%len(actions)]
					i++
					res, err := db.ApplyBulk(ctx, numbers, a)
					if err != nil {
						b.Fatal(err)
					}
					if len(res.Done) != 200 {
						b.Fatalf("%s: %d done, want 200", a.Kind, len(res.Done))
					}
				}
			}
			b.Run("status", func(b *testing.B) {
				run(b, store.BulkAction{Kind: store.BulkStatus, Status: "resolved", ActorID: agent.ID, Hold: time.Minute},
					store.BulkAction{Kind: store.BulkStatus, Status: "open", ActorID: agent.ID})
			})
			b.Run("assign", func(b *testing.B) {
				run(b, store.BulkAction{Kind: store.BulkAssign, Assignee: &mia.ID, ActorID: agent.ID},
					store.BulkAction{Kind: store.BulkAssign, Assignee: &bob.ID, ActorID: agent.ID})
			})
			b.Run("tags", func(b *testing.B) {
				run(b, store.BulkAction{Kind: store.BulkAddTags, Tags: []string{"outage"}, ActorID: agent.ID},
					store.BulkAction{Kind: store.BulkRemoveTags, Tags: []string{"outage"}, ActorID: agent.ID})
			})
			b.Run("plan", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := db.PlanBulk(ctx, numbers, store.BulkAction{Kind: store.BulkAddTags, Tags: []string{"vip"}, ActorID: agent.ID}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

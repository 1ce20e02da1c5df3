package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestUnfinishedAnnouncementResumesAfterANewerVersion: a significant
// version whose announcement was cut short stays resumable by publishing
// its text again (what /admin/policies and dargo policy list tell the
// operator to do) even when a newer version was published since; that
// publish continues it instead of making a copy that is announced again.
func TestUnfinishedAnnouncementResumesAfterANewerVersion(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newPolicyClock(db)
		big := store.NewPolicy{Kind: store.PolicyPrivacy, Text: "# Privacy\n\nWe keep less.", Summary: "We keep less.", Significant: true}
		v1 := publish(t, db, big) // killed before its announcement started
		clock.Add(time.Hour)
		publish(t, db, store.NewPolicy{Kind: store.PolicyPrivacy, Text: "# Privacy\n\nWe keep less. (Typo fixed.)"})
		clock.Add(time.Hour)

		again, resumed, err := db.PublishPolicy(ctx, big)
		if err != nil || !resumed || again.ID != v1.ID {
			t.Fatalf("publishing version 1's text again: %v, resumed %v, version %+v; want version 1 resumed", err, resumed, again)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM policy_versions`); n != 2 {
			t.Errorf("versions = %d, want 2", n)
		}
		if _, _, err := db.ContinuePolicyPublish(ctx, v1.ID, "https://help.example.com/"); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM broadcasts`); n != 1 {
			t.Errorf("broadcasts = %d, want 1", n)
		}
	})
}

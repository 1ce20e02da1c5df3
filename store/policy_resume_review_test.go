package store_test

import (
	"context"
	"errors"
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

// TestConcurrentSignificantPublishes: two publishers of the same
// significant version at once (two admins, or the command run twice) make
// one version, one broadcast, one mail per person and one notice per open
// ticket.
func TestConcurrentSignificantPublishes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newPolicyClock(db)
		want, _ := bcAudience(t, db)
		clock.Add(time.Hour)
		np := store.NewPolicy{Kind: store.PolicyTerms, Text: "# Terms\n\nNew.", Summary: "New terms.", Significant: true}
		const publishers = 4
		errs := make(chan error, publishers)
		for range publishers {
			go func() {
				errs <- func() error {
					v, _, err := db.PublishPolicy(ctx, np)
					if errors.Is(err, store.ErrPolicyUnchanged) {
						return nil // another publisher finished it first
					}
					if err != nil {
						return err
					}
					b, _, err := db.ContinuePolicyPublish(ctx, v.ID, "https://help.example.com/")
					for err == nil && !b.Queued() {
						b, err = db.QueueBroadcastBatch(ctx, b.ID, 2)
					}
					return err
				}()
			}()
		}
		for range publishers {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		for q, n := range map[string]int{
			`SELECT COUNT(*) FROM policy_versions`:                                    1,
			`SELECT COUNT(*) FROM broadcasts`:                                         1,
			`SELECT COUNT(*) FROM ticket_policy_notices`:                              1, // alice's open ticket
			`SELECT COUNT(DISTINCT user_id) FROM emails WHERE kind = 'policy_notice'`: count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'policy_notice'`),
		} {
			if got := count(t, db, q); got != n {
				t.Errorf("%s = %d, want %d", q, got, n)
			}
		}
		if got := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'policy_notice' AND status = 'queued'`); got != len(want) {
			t.Errorf("queued policy notices = %d, want %d", got, len(want))
		}
	})
}

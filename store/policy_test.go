package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// policyClock sets db.Now to a clock the test moves.
type policyClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *policyClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *policyClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newPolicyClock(db *store.DB) *policyClock {
	c := &policyClock{now: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)}
	db.Now = c.Now
	return c
}

func publish(t *testing.T, db *store.DB, np store.NewPolicy) *store.PolicyVersion {
	t.Helper()
	v, resumed, err := db.PublishPolicy(context.Background(), np)
	if err != nil || resumed {
		t.Fatalf("publish %s: resumed %v, %v", np.Kind, resumed, err)
	}
	return v
}

func TestPolicyVersions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newPolicyClock(db)

		// Nothing published: the embedded default is in force.
		s, err := db.Policy(ctx, store.PolicyPrivacy)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Current.Default() || s.Upcoming != nil || len(s.Versions) != 0 ||
			!strings.Contains(s.Current.Text, "expires after 15 minutes") || !s.Current.PublishedAt.Equal(store.DefaultPolicyDate) {
			t.Fatalf("default: %+v", s)
		}

		v1 := publish(t, db, store.NewPolicy{Kind: store.PolicyPrivacy, Text: "# Privacy\r\n\r\nVersion one.\r\n"})
		if v1.Version != 1 || v1.Text != "# Privacy\n\nVersion one." || !v1.EffectiveAt.Equal(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)) ||
			v1.PublishedBy != nil || v1.Significant {
			t.Fatalf("v1 = %+v", v1)
		}
		s, _ = db.Policy(ctx, store.PolicyPrivacy)
		if s.Current.Version != 1 || !s.Current.PublishedAt.Equal(clock.Now()) {
			t.Fatalf("after v1: current %d, last updated %s", s.Current.Version, s.Current.PublishedAt)
		}

		// A later version changes "Last updated"; the old one stays readable.
		clock.Add(48 * time.Hour)
		publish(t, db, store.NewPolicy{Kind: store.PolicyPrivacy, Text: "# Privacy\n\nVersion two.", ActorID: 0})
		s, _ = db.Policy(ctx, store.PolicyPrivacy)
		if s.Current.Version != 2 || !s.Current.PublishedAt.Equal(clock.Now()) || len(s.Versions) != 2 || s.Versions[1].Version != 1 {
			t.Fatalf("after v2: %+v", s)
		}
		old, err := db.PolicyVersion(ctx, store.PolicyPrivacy, 1)
		if err != nil || old.Text != "# Privacy\n\nVersion one." {
			t.Fatalf("version 1: %v %+v", err, old)
		}
		_, err = db.PolicyVersion(ctx, store.PolicyPrivacy, 9)
		wantNotFound(t, "version 9", err)

		// A version effective later is upcoming, not current, until its day.
		later := clock.Now().Add(10 * 24 * time.Hour)
		publish(t, db, store.NewPolicy{Kind: store.PolicyPrivacy, Text: "Version three.", Effective: later})
		s, _ = db.Policy(ctx, store.PolicyPrivacy)
		if s.Current.Version != 2 || s.Upcoming == nil || s.Upcoming.Version != 3 {
			t.Fatalf("upcoming: current %d, upcoming %+v", s.Current.Version, s.Upcoming)
		}
		clock.Add(10 * 24 * time.Hour)
		s, _ = db.Policy(ctx, store.PolicyPrivacy)
		if s.Current.Version != 3 || s.Upcoming != nil {
			t.Fatalf("on its day: current %d, upcoming %+v", s.Current.Version, s.Upcoming)
		}

		// The same text again is refused; the terms count on their own.
		_, _, err = db.PublishPolicy(ctx, store.NewPolicy{Kind: store.PolicyPrivacy, Text: "Version three.\n"})
		var same *store.PolicyUnchangedError
		if !errors.As(err, &same) || same.Version.Version != 3 {
			t.Errorf("same text: %v", err)
		}
		if v := publish(t, db, store.NewPolicy{Kind: store.PolicyTerms, Text: "Version three."}); v.Version != 1 {
			t.Errorf("terms start at %d", v.Version)
		}
		for name, np := range map[string]store.NewPolicy{
			"kind":      {Kind: "cookies", Text: "x"},
			"empty":     {Kind: store.PolicyTerms, Text: " \n "},
			"past":      {Kind: store.PolicyTerms, Text: "x", Effective: clock.Now().Add(-24 * time.Hour)},
			"summary":   {Kind: store.PolicyTerms, Text: "x", Significant: true},
			"control":   {Kind: store.PolicyTerms, Text: "x\x00y"},
			"too long":  {Kind: store.PolicyTerms, Text: strings.Repeat("x", store.MaxPolicyText+1)},
			"long summ": {Kind: store.PolicyTerms, Text: "x", Summary: strings.Repeat("é", store.MaxPolicySummary+1)},
		} {
			if _, _, err := db.PublishPolicy(ctx, np); !errors.Is(err, store.ErrBadPolicy) {
				t.Errorf("%s: %v, want ErrBadPolicy", name, err)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM policy_versions`); n != 4 {
			t.Errorf("%d versions, want 4", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, store.AuditPolicyPublish); n != 4 {
			t.Errorf("%d publishes audited, want 4", n)
		}
	})
}

// A significant publish announces once by mail, once per open ticket and
// once per person by banner, however often it is stopped and resumed.
func TestSignificantPolicyPublishResumes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newPolicyClock(db)
		want, _ := bcAudience(t, db) // alice's ticket is open
		open := count(t, db, `SELECT id FROM tickets`)
		pending := deliver(t, db, newTicket("Waiting on alice")).TicketID
		closed := deliver(t, db, newTicket("Done")).TicketID
		if err := db.SetStatus(ctx, pending, "pending"); err != nil {
			t.Fatal(err)
		}
		if err := db.SetStatus(ctx, closed, "closed"); err != nil {
			t.Fatal(err)
		}
		var alice store.User
		if err := db.X.Get(&alice, db.X.Rebind(`SELECT * FROM users WHERE email = ?`), "alice@example.com"); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Hour)

		np := store.NewPolicy{Kind: store.PolicyPrivacy, Text: "# Privacy\n\nWe keep less.", Summary: "We keep sign-in records for 30 days instead of 90.",
			Significant: true, Effective: clock.Now().Add(14 * 24 * time.Hour)}
		const base = "https://help.example.com/"
		v := publish(t, db, np)
		if v.Announced() {
			t.Fatal("a fresh significant version counts as announced")
		}
		// Killed after the version row: the same command resumes it.
		clock.Add(time.Minute)
		again, resumed, err := db.PublishPolicy(ctx, np)
		if err != nil || !resumed || again.ID != v.ID {
			t.Fatalf("resume after step 1: %v, resumed %v, %+v", err, resumed, again)
		}
		b, err := db.StartPolicyBroadcast(ctx, v.ID, base)
		if err != nil {
			t.Fatal(err)
		}
		if b.Kind != store.EmailPolicyNotice || b.Subject != "We updated our privacy policy" ||
			!strings.Contains(b.Body, "We keep sign-in records for 30 days") || !strings.Contains(b.Body, "https://help.example.com/privacy/versions/1") ||
			!strings.Contains(b.Body, "takes effect on 15 March 2027") {
			t.Fatalf("broadcast: %+v", b)
		}
		// Killed after the broadcast started: resuming starts no second one.
		if _, resumed, err := db.PublishPolicy(ctx, np); err != nil || !resumed {
			t.Fatalf("resume after step 2: %v %v", resumed, err)
		}
		b2, n, err := db.ContinuePolicyPublish(ctx, v.ID, base)
		if err != nil || b2.ID != b.ID || n != 2 {
			t.Fatalf("continue: broadcast %d (want %d), %d notices (want 2), %v", b2.ID, b.ID, n, err)
		}
		// Killed in the middle of queueing the mails.
		if b, err = db.QueueBroadcastBatch(ctx, b.ID, 2); err != nil || b.Queued() {
			t.Fatalf("first batch: %v %+v", err, b)
		}
		if _, resumed, err := db.PublishPolicy(ctx, np); err != nil || !resumed {
			t.Fatalf("resume while queueing: %v %v", resumed, err)
		}
		b2, n, err = db.ContinuePolicyPublish(ctx, v.ID, base)
		if err != nil || b2.ID != b.ID || n != 0 {
			t.Fatalf("continue again: %d, %d notices, %v", b2.ID, n, err)
		}
		for !b.Queued() {
			if b, err = db.QueueBroadcastBatch(ctx, b.ID, 2); err != nil {
				t.Fatal(err)
			}
		}
		// Done: the same text again is refused, and repeating the steps does nothing.
		if _, _, err := db.PublishPolicy(ctx, np); !errors.Is(err, store.ErrPolicyUnchanged) {
			t.Errorf("after the announcement: %v, want ErrPolicyUnchanged", err)
		}
		if _, n, err := db.ContinuePolicyPublish(ctx, v.ID, base); err != nil || n != 0 {
			t.Errorf("continue when done: %d, %v", n, err)
		}
		done, _ := db.PolicyVersionByID(ctx, v.ID)
		if !done.Announced() {
			t.Errorf("not announced: %+v", done)
		}

		// Mail: one per active person, of kind policy_notice.
		if n := count(t, db, `SELECT COUNT(*) FROM broadcasts`); n != 1 {
			t.Errorf("%d broadcasts", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = ?`, store.EmailPolicyNotice); n != len(want)+1 { // and the suppressed one
			t.Errorf("%d policy mails, want %d", n, len(want)+1)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM (SELECT user_id FROM emails WHERE kind = ? GROUP BY user_id HAVING COUNT(*) > 1) x`, store.EmailPolicyNotice); n != 0 {
			t.Errorf("%d people mailed twice", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox o JOIN emails e ON e.id = o.email_id WHERE e.kind = ?`, store.EmailPolicyNotice); n != len(want) {
			t.Errorf("%d outbox rows, want %d", n, len(want))
		}

		// Tickets: the open and the pending one have the notice, the closed one not.
		if n := count(t, db, `SELECT COUNT(*) FROM ticket_policy_notices`); n != 2 {
			t.Errorf("%d ticket notices, want 2", n)
		}
		for id, wantNotice := range map[int64]bool{int64(open): true, pending: true, closed: false} {
			thread, err := db.Thread(ctx, id, true)
			if err != nil {
				t.Fatal(err)
			}
			last := thread[len(thread)-1]
			if got := last.Policy != nil; got != wantNotice {
				t.Errorf("ticket %d: notice %v, want %v", id, got, wantNotice)
			}
			if wantNotice && (last.Kind != "policy" || last.Policy.Version != 1 || last.Policy.Path() != "/privacy/versions/1" ||
				!last.CreatedAt.Equal(v.PublishedAt) || len(thread) != 2) {
				t.Errorf("ticket %d: %+v (%d entries)", id, last, len(thread))
			}
		}

		// Banners: alice (older than the version) sees it until she dismisses it.
		banners, err := db.PolicyBanners(ctx, &alice)
		if err != nil || len(banners) != 1 || banners[0].ID != v.ID || banners[0].Path() != "/privacy/versions/1" {
			t.Fatalf("banners: %v %+v", err, banners)
		}
		for range 2 {
			if err := db.DismissPolicyBanner(ctx, alice.ID, v.ID); err != nil {
				t.Fatal(err)
			}
			clock.Add(time.Minute)
		}
		if banners, _ := db.PolicyBanners(ctx, &alice); len(banners) != 0 {
			t.Errorf("after dismissing: %+v", banners)
		}
		dismissed, err := db.PolicyDismissals(ctx, alice.ID)
		if err != nil || len(dismissed) != 1 || dismissed[0].Kind != store.PolicyPrivacy || dismissed[0].Version != 1 ||
			!dismissed[0].DismissedAt.Equal(clock.Now().Add(-2*time.Minute)) {
			t.Errorf("dismissals: %+v, %v", dismissed, err)
		}
		if exp, err := db.Export(ctx, alice.Email, func(int64) string { return "" }); err != nil || len(exp.PolicyDismissals) != 1 || exp.PolicyDismissals[0].Version != 1 {
			t.Errorf("the export's policy_dismissals: %+v, %v", exp, err)
		}
		// Erasing alice forgets when she dismissed it.
		defer func() {
			if _, err := db.Erase(ctx, alice.ID, store.EraseOpts{}); err != nil {
				t.Fatal(err)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM policy_dismissals WHERE user_id = ?`, alice.ID); n != 0 {
				t.Errorf("%d dismissals after erasing", n)
			}
		}()
		// Someone whose account is younger than the version sees none.
		newcomer := store.User{ID: bcUser(t, db, "new@example.com", true), CreatedAt: clock.Now()}
		if banners, _ := db.PolicyBanners(ctx, &newcomer); len(banners) != 0 {
			t.Errorf("newcomer: %+v", banners)
		}
		// A later significant terms version is a second banner; a plain
		// privacy version changes nothing.
		publish(t, db, store.NewPolicy{Kind: store.PolicyPrivacy, Text: "typo fixed"})
		tv := publish(t, db, store.NewPolicy{Kind: store.PolicyTerms, Text: "new terms", Summary: "Shorter.", Significant: true})
		if banners, _ := db.PolicyBanners(ctx, &alice); len(banners) != 1 || banners[0].ID != tv.ID || banners[0].Title() != "terms of service" {
			t.Errorf("terms banner: %+v", banners)
		}
	})
}

// A notice falls into the thread by time: before the replies written after it.
func TestPolicyNoticeThreadOrder(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := newPolicyClock(db)
		d := deliver(t, db, newTicket("Help"))
		clock.Add(time.Minute)
		v := publish(t, db, store.NewPolicy{Kind: store.PolicyTerms, Text: "terms", Summary: "New terms.", Significant: true})
		if _, err := db.AddPolicyNotices(ctx, v.ID); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
		deliver(t, db, reply(d.TicketID, "alice@example.com"))
		thread, err := db.Thread(ctx, d.TicketID, false)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, m := range thread {
			kinds = append(kinds, m.Kind)
		}
		if strings.Join(kinds, ",") != "inbound,policy,inbound" {
			t.Errorf("thread: %v", kinds)
		}
		// A version that is not significant has nothing to announce.
		plain := publish(t, db, store.NewPolicy{Kind: store.PolicyPrivacy, Text: "plain"})
		if _, err := db.AddPolicyNotices(ctx, plain.ID); err == nil {
			t.Error("notices for a plain version")
		}
		if _, err := db.StartPolicyBroadcast(ctx, plain.ID, "https://x.test"); err == nil {
			t.Error("broadcast for a plain version")
		}
	})
}

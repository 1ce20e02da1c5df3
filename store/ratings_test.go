package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// resolvedTicket is alice's ticket, with bob on Cc, resolved by staff: its
// status mails are queued.
func resolvedTicket(t *testing.T, db *store.DB) (ticketID, aliceID, bobID int64) {
	t.Helper()
	ctx := context.Background()
	d := newTicket("Printer")
	got := deliver(t, db, d)
	exec(t, db, `INSERT INTO users (email, name, role, created_at, updated_at) VALUES ('staff@dargo.test', 'Staff', 'staff', ?, ?)`, db.Now(), db.Now())
	staff, err := db.UserByEmail(ctx, "staff@dargo.test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddParticipant(ctx, got.TicketID, staff.ID, store.Person{Email: "bob@example.com", Name: "Bob"}); err != nil {
		t.Fatal(err)
	}
	if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: staff.ID, Status: "resolved"}); err != nil {
		t.Fatal(err)
	}
	alice, _ := db.UserByEmail(ctx, "alice@example.com")
	bob, _ := db.UserByEmail(ctx, "bob@example.com")
	return got.TicketID, alice.ID, bob.ID
}

// statusMailTo returns the Outgoing of the ticket's newest status mail to userID.
func statusMailTo(t *testing.T, db *store.DB, ticketID, userID int64) *store.Outgoing {
	t.Helper()
	var id int64
	if err := db.X.GetContext(context.Background(), &id, db.X.Rebind(`SELECT MAX(id) FROM emails WHERE ticket_id = ? AND user_id = ? AND kind = 'status'`), ticketID, userID); err != nil {
		t.Fatal(err)
	}
	o, err := db.Outgoing(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestRateTicket(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		ticket, alice, bob := resolvedTicket(t, db)

		changed, err := db.RateTicket(ctx, ticket, alice, "good")
		if err != nil || !changed {
			t.Fatalf("first rating: %v, %v", changed, err)
		}
		// A replay (the same link twice) changes nothing.
		clock = clock.Add(time.Hour)
		if changed, err := db.RateTicket(ctx, ticket, alice, "good"); err != nil || changed {
			t.Fatalf("replay: %v, %v", changed, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM ratings`); n != 1 {
			t.Errorf("%d ratings after a replay, want 1", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM activity WHERE kind = 'rating'`); n != 1 {
			t.Errorf("%d rating activities after a replay, want 1", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, store.AuditRating); n != 1 {
			t.Errorf("%d audit entries after a replay, want 1", n)
		}
		// A change keeps created_at and moves updated_at.
		if changed, err := db.RateTicket(ctx, ticket, alice, "bad"); err != nil || !changed {
			t.Fatalf("change: %v, %v", changed, err)
		}
		rs, err := db.TicketRatings(ctx, ticket)
		if err != nil || len(rs) != 1 {
			t.Fatalf("ratings = %+v, %v", rs, err)
		}
		r := rs[0]
		if r.Value != "bad" || r.Email != "alice@example.com" || !r.CreatedAt.Equal(clock.Add(-time.Hour)) || !r.UpdatedAt.Equal(clock) {
			t.Errorf("after the change: %+v", r)
		}
		acts, _ := db.Activities(ctx, ticket)
		var got []string
		for _, a := range acts {
			if a.Kind == store.ActivityRating {
				got = append(got, a.OldValue+"→"+a.NewValue)
			}
		}
		if strings.Join(got, ",") != "→good,good→bad" {
			t.Errorf("rating activities = %v", got)
		}

		// A comment, its replay, and its limit.
		if changed, err := db.CommentRating(ctx, ticket, alice, "  Thanks <b>!</b>  "); err != nil || !changed {
			t.Fatalf("comment: %v, %v", changed, err)
		}
		if changed, err := db.CommentRating(ctx, ticket, alice, "Thanks <b>!</b>"); err != nil || changed {
			t.Errorf("the same comment again: %v, %v", changed, err)
		}
		if _, err := db.CommentRating(ctx, ticket, alice, strings.Repeat("é", store.MaxRatingComment+1)); !errors.Is(err, store.ErrCommentTooLong) {
			t.Errorf("a long comment: %v, want ErrCommentTooLong", err)
		}
		if rs, _ := db.TicketRatings(ctx, ticket); rs[0].Comment != "Thanks <b>!</b>" || rs[0].Value != "bad" {
			t.Errorf("after the comment: %+v", rs[0])
		}
		// Bob is on Cc: the ticket is not his to rate, nor to comment on unrated.
		if _, err := db.RateTicket(ctx, ticket, bob, "good"); !errors.Is(err, store.ErrRatingGone) {
			t.Errorf("bob rates: %v, want ErrRatingGone", err)
		}
		if _, err := db.RateTicket(ctx, ticket, alice, "great"); !errors.Is(err, store.ErrInvalidChange) {
			t.Errorf("an unknown rating: %v, want ErrInvalidChange", err)
		}
		target, err := db.RatingTarget(ctx, ticket, alice)
		if err != nil || target.Rating == nil || target.Rating.Value != "bad" || target.Ticket.ID != ticket {
			t.Errorf("RatingTarget = %+v, %v", target, err)
		}

		// The export carries it; erasure blanks the comment and keeps the rating.
		exp, err := db.Export(ctx, "alice@example.com", replyTo)
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := json.Marshal(exp)
		if !strings.Contains(string(doc), `"ratings":[{"ticket":1,"rating":"bad","comment":"Thanks \u003cb\u003e!\u003c/b\u003e"`) {
			t.Errorf("export lacks the rating: %s", doc)
		}
		if bobExp, _ := db.Export(ctx, "bob@example.com", replyTo); bobExp == nil || bobExp.Ratings == nil || len(bobExp.Ratings) != 0 {
			t.Errorf("bob's export ratings = %+v, want []", bobExp)
		}
		if _, err := db.Erase(ctx, alice, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM ratings WHERE comment <> ''`); n != 0 {
			t.Errorf("%d comments left after erasure", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM ratings WHERE rating = 'bad'`); n != 1 {
			t.Errorf("the rating itself went with the erasure: %d left", n)
		}
		if _, err := db.RateTicket(ctx, ticket, alice, "good"); !errors.Is(err, store.ErrRatingGone) {
			t.Errorf("an erased person rates: %v, want ErrRatingGone", err)
		}
	})
}

func TestRatingLinksGoToTheCustomerOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ticket, alice, bob := resolvedTicket(t, db)
		if o := statusMailTo(t, db, ticket, alice); !o.Rate {
			t.Error("the customer's resolution mail carries no rating links")
		}
		if o := statusMailTo(t, db, ticket, bob); o.Rate {
			t.Error("a Cc's resolution mail carries rating links")
		}
		// An objection to optional mail turns the survey off.
		if _, err := db.SetChoice(ctx, alice, store.ChoiceMail, true, 0, store.ChoiceViaAccount); err != nil {
			t.Fatal(err)
		}
		if o := statusMailTo(t, db, ticket, alice); o.Rate {
			t.Error("rating links despite the objection to optional mail")
		}
		if _, err := db.SetChoice(ctx, alice, store.ChoiceMail, false, 0, store.ChoiceViaAccount); err != nil {
			t.Fatal(err)
		}
		// A flagged ticket gets none; nor does a closed one's mail.
		exec(t, db, `UPDATE tickets SET flag = 'spam' WHERE id = ?`, ticket)
		if o := statusMailTo(t, db, ticket, alice); o.Rate {
			t.Error("rating links on a spam ticket")
		}
		exec(t, db, `UPDATE tickets SET flag = '', status = 'closed' WHERE id = ?`, ticket)
		if o := statusMailTo(t, db, ticket, alice); o.Rate {
			t.Error("rating links on a closed ticket's mail")
		}
	})
}

package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// mailLink stores a token of the purpose for userID, as the web tier does.
func mailLink(t *testing.T, db *store.DB, hash, purpose, email string, userID int64) {
	t.Helper()
	err := db.RequestLogin(context.Background(), store.LoginRequest{TokenHash: hash, Email: email, TTL: 15 * time.Minute,
		Purpose: purpose, UserID: userID})
	if err != nil {
		t.Fatal(err)
	}
}

// undoLink is the undo link a change spending hash mails to the old address.
func undoLink(hash string) store.AddressUndo {
	return store.AddressUndo{TokenHash: "undo-" + hash, SealedLink: "sealed-undo-" + hash}
}

// signedUp is a customer with the address.
func signedUp(t *testing.T, db *store.DB, email string) *store.User {
	t.Helper()
	u, err := db.SetRole(context.Background(), email, "customer")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestChangeName(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ada := signedUp(t, db, "ada@example.com")
		staff := signedUp(t, db, "sam@support.example")
		if err := db.ChangeName(ctx, staff.ID, ada.ID, "  Ada Lovelace "); err != nil {
			t.Fatal(err)
		}
		if u, _ := db.UserByID(ctx, ada.ID); u.Name != "Ada Lovelace" {
			t.Errorf("name %q", u.Name)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'name_change' AND actor_id = ? AND user_id = ? AND detail = ''`, staff.ID, ada.ID); n != 1 {
			t.Errorf("name_change entries without detail = %d, want 1", n)
		}
		wantNotFound(t, "unknown user", db.ChangeName(ctx, staff.ID, 99999, "Nobody"))

		if _, err := db.Erase(ctx, ada.ID, store.EraseOpts{ActorID: staff.ID}); err != nil {
			t.Fatal(err)
		}
		wantNotFound(t, "erased user", db.ChangeName(ctx, staff.ID, ada.ID, "Ada Again"))
		if u, _ := db.UserByID(ctx, ada.ID); u.Name != "" {
			t.Errorf("an erased user got a name back: %q", u.Name)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'name_change'`); n != 1 {
			t.Errorf("refused changes were audited: %d entries", n)
		}
	})
}

func TestChangeEmail(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ada := signedUp(t, db, "ada@example.com")
		signedUp(t, db, "bob@example.com")
		deliver(t, db, &store.Incoming{From: store.Person{Email: "ada@example.com"}, Subject: "Mine",
			Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: newMessageID(), Text: "x", VisibleText: "x"}})

		mailLink(t, db, "to-bob", store.PurposeEmailChange, "bob@example.com", ada.ID)
		if _, err := db.ChangeEmail(ctx, "to-bob", undoLink("to-bob")); !errors.Is(err, store.ErrAddressTaken) {
			t.Errorf("change to a taken address: %v, want ErrAddressTaken", err)
		}
		if u, _ := db.UserByID(ctx, ada.ID); u.Email != "ada@example.com" {
			t.Errorf("address after a refused change: %q", u.Email)
		}

		mailLink(t, db, "to-new", store.PurposeEmailChange, "Ada@New.Example", ada.ID)
		u, err := db.ChangeEmail(ctx, "to-new", undoLink("to-new"))
		if err != nil || u.ID != ada.ID || u.Email != "ada@new.example" {
			t.Fatalf("ChangeEmail: %+v, %v", u, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets WHERE customer_id = ?`, ada.ID); n != 1 {
			t.Errorf("tickets of the moved account = %d, want 1", n)
		}
		if _, err := db.ChangeEmail(ctx, "to-new", undoLink("to-new")); !errors.Is(err, store.ErrTokenUsed) {
			t.Errorf("second spend: %v, want ErrTokenUsed", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'email_change' AND actor_id = ? AND user_id = ?`, ada.ID, ada.ID); n != 1 {
			t.Errorf("email_change entries = %d, want 1", n)
		}
		wantNotFound(t, "unknown token", func() error { _, err := db.ChangeEmail(ctx, "nope", undoLink("nope")); return err }())
		// A link for an account erased since does nothing.
		mailLink(t, db, "late", store.PurposeEmailChange, "ada@late.example", ada.ID)
		if _, err := db.Erase(ctx, ada.ID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		wantNotFound(t, "link mailed before the erasure", func() error { _, err := db.ChangeEmail(ctx, "late", undoLink("late")); return err }())
		mailLink(t, db, "after-erase", store.PurposeEmailChange, "ada@after.example", ada.ID)
		if _, err := db.ChangeEmail(ctx, "after-erase", undoLink("after-erase")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("change of an erased account: %v, want ErrNotFound", err)
		}
		if u, _ := db.UserByID(ctx, ada.ID); u.ErasedAt == nil || u.Email == "ada@after.example" {
			t.Errorf("erased account after a change: %+v", u)
		}
	})
}

func TestChangeEmailExpires(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Now().UTC()
		db.Now = func() time.Time { return now }
		ada := signedUp(t, db, "ada@example.com")
		mailLink(t, db, "h", store.PurposeEmailChange, "ada@new.example", ada.ID)
		now = now.Add(15 * time.Minute)
		if _, err := db.ChangeEmail(context.Background(), "h", undoLink("h")); !errors.Is(err, store.ErrTokenExpired) {
			t.Errorf("expired link: %v, want ErrTokenExpired", err)
		}
	})
}

// TestTokenPurposes: a link does only what it was mailed for, and a link
// used for something else stays good for what it is.
func TestTokenPurposes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ada := signedUp(t, db, "ada@example.com")
		mailLink(t, db, "login", store.PurposeLogin, "ada@example.com", 0)
		mailLink(t, db, "change", store.PurposeEmailChange, "ada@new.example", ada.ID)
		mailLink(t, db, "erase", store.PurposeErase, "ada@example.com", ada.ID)
		mailLink(t, db, "erase-nobody", store.PurposeErase, "ada@example.com", 0)

		for _, hash := range []string{"login", "change", "nope", "erase-nobody"} {
			if _, err := db.SpendEraseToken(ctx, hash); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("SpendEraseToken(%s): %v, want ErrNotFound", hash, err)
			}
		}
		for _, hash := range []string{"login", "erase"} {
			if _, err := db.ChangeEmail(ctx, hash, undoLink(hash)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ChangeEmail(%s): %v, want ErrNotFound", hash, err)
			}
		}
		if _, err := db.ConfirmLogin(ctx, store.Login{TokenHash: "erase", SessionHash: "s0", SessionTTL: time.Hour}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ConfirmLogin with an erase link: %v, want ErrNotFound", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM login_tokens WHERE used_at IS NOT NULL`); n != 0 {
			t.Fatalf("links used for the wrong thing were spent: %d", n)
		}

		c, err := db.SpendEraseToken(ctx, "erase")
		if err != nil || c.UserID != ada.ID || len(c.Waiting) != 0 {
			t.Fatalf("SpendEraseToken: %+v, %v", c, err)
		}
		if _, err := db.SpendEraseToken(ctx, "erase"); !errors.Is(err, store.ErrTokenUsed) {
			t.Errorf("second spend: %v, want ErrTokenUsed", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'erase_confirmed' AND actor_id = ? AND user_id = ?`, ada.ID, ada.ID); n != 1 {
			t.Errorf("erase_confirmed entries = %d, want 1", n)
		}
		// The others still do their own job (sign in first: a change of
		// address ends the old address's pending links).
		if in, err := db.ConfirmLogin(ctx, store.Login{TokenHash: "login", SessionHash: "s1", SessionTTL: time.Hour}); err != nil || in.User.Email != "ada@example.com" {
			t.Errorf("ConfirmLogin after misuse: %+v, %v", in, err)
		}
		if u, err := db.ChangeEmail(ctx, "change", undoLink("change")); err != nil || u.Email != "ada@new.example" {
			t.Errorf("ChangeEmail after misuse: %+v, %v", u, err)
		}
	})
}

func TestSpendEraseTokenExpires(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Now().UTC()
		db.Now = func() time.Time { return now }
		ada := signedUp(t, db, "ada@example.com")
		mailLink(t, db, "h", store.PurposeErase, "ada@example.com", ada.ID)
		now = now.Add(15*time.Minute - time.Second)
		if _, err := db.Token(context.Background(), "h"); err != nil {
			t.Fatalf("token before 15 minutes: %v", err)
		}
		now = now.Add(time.Second)
		if _, err := db.SpendEraseToken(context.Background(), "h"); !errors.Is(err, store.ErrTokenExpired) {
			t.Errorf("expired link: %v, want ErrTokenExpired", err)
		}
	})
}

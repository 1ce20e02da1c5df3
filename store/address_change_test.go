package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// signIn starts a session for the address through a confirmed sign-in link.
func signIn(t *testing.T, db *store.DB, addr, session string) {
	t.Helper()
	mailLink(t, db, "login-"+session, store.PurposeLogin, addr, 0)
	if _, err := db.ConfirmLogin(context.Background(), store.Login{TokenHash: "login-" + session, SessionHash: session, SessionTTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
}

func sessionAlive(t *testing.T, db *store.DB, session string) bool {
	t.Helper()
	_, _, err := db.SessionUser(context.Background(), session)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// TestStolenSessionCannotErase is the repro: with a stolen session
// a thief moves Ada's account to their mailbox, confirms from it, and asks
// for an erasure. Every session ended at the change; Ada's old address was
// told, with an undo link; the erasure waits for Ada's old address, which
// never confirms; undoing gives the account back and ends the thief's new
// session and pending links.
func TestStolenSessionCannotErase(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ada := signedUp(t, db, "ada@example.com")
		signIn(t, db, "ada@example.com", "ada-laptop")
		signIn(t, db, "ada@example.com", "stolen")

		mailLink(t, db, "to-thief", store.PurposeEmailChange, "thief@evil.test", ada.ID)
		if _, err := db.ChangeEmail(ctx, "to-thief", undoLink("to-thief")); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"ada-laptop", "stolen"} {
			if sessionAlive(t, db, s) {
				t.Errorf("session %s lived through the address change", s)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = 'ada@example.com' AND user_id = ? AND kind = 'magic_link' AND subject = ?`,
			ada.ID, store.AddressChangedSubject); n != 1 {
			t.Errorf("notices to the old address = %d, want 1", n)
		}
		var undo store.LoginToken
		if err := db.X.Get(&undo, db.X.Rebind(`SELECT email, purpose, user_id, expires_at, used_at FROM login_tokens WHERE token_hash = 'undo-to-thief'`)); err != nil {
			t.Fatal(err)
		}
		if undo.Email != "ada@example.com" || undo.Purpose != store.PurposeEmailUndo || *undo.UserID != ada.ID ||
			undo.ExpiresAt.Before(time.Now().Add(store.AddressChangeWindow-time.Hour)) {
			t.Errorf("undo link %+v", undo)
		}

		// The thief signs in with their mailbox and asks for an erasure:
		// both addresses must confirm.
		signIn(t, db, "thief@evil.test", "thief-again")
		need, err := db.EraseConfirmers(ctx, ada.ID)
		if err != nil || !slices.Equal(need, []string{"ada@example.com", "thief@evil.test"}) {
			t.Fatalf("EraseConfirmers: %v, %v", need, err)
		}
		mailLink(t, db, "erase-thief", store.PurposeErase, "thief@evil.test", ada.ID)
		mailLink(t, db, "erase-ada", store.PurposeErase, "ada@example.com", ada.ID)
		c, err := db.SpendEraseToken(ctx, "erase-thief")
		if err != nil || c.UserID != ada.ID || !slices.Equal(c.Waiting, []string{"ada@example.com"}) {
			t.Fatalf("the thief's confirmation: %+v, %v", c, err)
		}

		// Ada undoes the change from her old mailbox.
		u, err := db.UndoEmailChange(ctx, "undo-to-thief")
		if err != nil || u.ID != ada.ID || u.Email != "ada@example.com" {
			t.Fatalf("UndoEmailChange: %+v, %v", u, err)
		}
		if sessionAlive(t, db, "thief-again") {
			t.Error("the thief's session lived through the undo")
		}
		if _, err := db.SpendEraseToken(ctx, "erase-ada"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an erase link pending at the undo: %v, want ErrNotFound", err)
		}
		if _, err := db.UndoEmailChange(ctx, "undo-to-thief"); !errors.Is(err, store.ErrTokenUsed) {
			t.Errorf("second undo: %v, want ErrTokenUsed", err)
		}
		if got, _ := db.UserByID(ctx, ada.ID); got.ErasedAt != nil {
			t.Error("the account was erased")
		}
		if need, _ := db.EraseConfirmers(ctx, ada.ID); !slices.Equal(need, []string{"ada@example.com"}) {
			t.Errorf("EraseConfirmers after the undo: %v", need)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ? AND user_id = ?`, store.AuditEmailUndo, ada.ID, ada.ID); n != 1 {
			t.Errorf("undo audit entries = %d, want 1", n)
		}
	})
}

// TestEraseNeedsBothAddresses: within 7 days of a change the erasure goes
// ahead once the new and the old address have both confirmed, in either
// order; after 7 days the current address alone is enough.
func TestEraseNeedsBothAddresses(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		db.Now = func() time.Time { return now }
		ada := signedUp(t, db, "ada@example.com")
		mailLink(t, db, "move", store.PurposeEmailChange, "ada@new.example", ada.ID)
		if _, err := db.ChangeEmail(ctx, "move", undoLink("move")); err != nil {
			t.Fatal(err)
		}
		mailLink(t, db, "old", store.PurposeErase, "ada@example.com", ada.ID)
		mailLink(t, db, "new", store.PurposeErase, "ada@new.example", ada.ID)
		if c, err := db.SpendEraseToken(ctx, "old"); err != nil || !slices.Equal(c.Waiting, []string{"ada@new.example"}) {
			t.Fatalf("old address first: %+v, %v", c, err)
		}
		if c, err := db.SpendEraseToken(ctx, "new"); err != nil || len(c.Waiting) != 0 {
			t.Fatalf("then the new one: %+v, %v", c, err)
		}

		now = now.Add(store.AddressChangeWindow)
		if need, _ := db.EraseConfirmers(ctx, ada.ID); !slices.Equal(need, []string{"ada@new.example"}) {
			t.Errorf("EraseConfirmers after 7 days: %v", need)
		}
		if _, err := db.UndoEmailChange(ctx, "undo-move"); !errors.Is(err, store.ErrTokenExpired) {
			t.Errorf("undo after 7 days: %v, want ErrTokenExpired", err)
		}
		mailLink(t, db, "later", store.PurposeErase, "ada@new.example", ada.ID)
		if c, err := db.SpendEraseToken(ctx, "later"); err != nil || len(c.Waiting) != 0 {
			t.Errorf("after 7 days: %+v, %v", c, err)
		}
	})
}

// TestUndoAChainOfChanges: X moved to A, then A to B. Undoing the first
// change gives the account back to X and kills the undo link of the later
// change (held by A, possibly the thief); undoing the later one first still
// leaves the earlier one usable.
func TestUndoAChainOfChanges(t *testing.T) {
	for _, order := range [][]string{{"undo-first", "undo-second"}, {"undo-second", "undo-first"}} {
		t.Run(order[0], func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				now := time.Now().UTC()
				db.Now = func() time.Time { return now }
				u := signedUp(t, db, "x@example.com")
				mailLink(t, db, "first", store.PurposeEmailChange, "a@example.com", u.ID)
				if _, err := db.ChangeEmail(ctx, "first", undoLink("first")); err != nil {
					t.Fatal(err)
				}
				now = now.Add(time.Minute)
				mailLink(t, db, "second", store.PurposeEmailChange, "b@example.com", u.ID)
				if _, err := db.ChangeEmail(ctx, "second", undoLink("second")); err != nil {
					t.Fatal(err)
				}
				if need, _ := db.EraseConfirmers(ctx, u.ID); len(need) != 3 {
					t.Errorf("EraseConfirmers after two changes: %v", need)
				}
				got, err := db.UndoEmailChange(ctx, order[0])
				if err != nil {
					t.Fatal(err)
				}
				if order[0] == "undo-first" {
					if got.Email != "x@example.com" {
						t.Errorf("after undoing the first change: %s", got.Email)
					}
					if _, err := db.UndoEmailChange(ctx, "undo-second"); !errors.Is(err, store.ErrNotFound) {
						t.Errorf("the later change's undo after the earlier one's: %v, want ErrNotFound", err)
					}
					return
				}
				if got.Email != "a@example.com" {
					t.Errorf("after undoing the second change: %s", got.Email)
				}
				if got, err := db.UndoEmailChange(ctx, "undo-first"); err != nil || got.Email != "x@example.com" {
					t.Errorf("then the first: %+v, %v", got, err)
				}
			})
		})
	}
}

// TestUndoToATakenAddress: locked out, Ada signs in with her old address
// (which makes a new, empty account) before she finds the notice; her undo
// folds that empty account in. An account there that holds anything keeps
// the address: the undo is refused and stays usable.
func TestUndoToATakenAddress(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ada := signedUp(t, db, "ada@example.com")
		mailLink(t, db, "move", store.PurposeEmailChange, "ada@new.example", ada.ID)
		if _, err := db.ChangeEmail(ctx, "move", undoLink("move")); err != nil {
			t.Fatal(err)
		}
		signIn(t, db, "ada@example.com", "locked-out")
		empty, _ := db.UserByEmail(ctx, "ada@example.com")
		u, err := db.UndoEmailChange(ctx, "undo-move")
		if err != nil || u.ID != ada.ID || u.Email != "ada@example.com" {
			t.Fatalf("undo over an empty account: %+v, %v", u, err)
		}
		if got, _ := db.UserByID(ctx, empty.ID); got.ErasedAt == nil || got.Email == "ada@example.com" {
			t.Errorf("the empty account: %+v", got)
		}
		if sessionAlive(t, db, "locked-out") {
			t.Error("the empty account's session lived on")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE user_id = ?`, empty.ID); n != 0 {
			t.Errorf("mails left with the empty account: %d", n)
		}

		// Moved again; this time a mail (forged, perhaps) from the old
		// address made an account with a ticket: it must not block the undo,
		// and the ticket comes home with the address.
		mailLink(t, db, "again", store.PurposeEmailChange, "ada@new.example", ada.ID)
		if _, err := db.ChangeEmail(ctx, "again", undoLink("again")); err != nil {
			t.Fatal(err)
		}
		d := newTicket("Mine")
		d.From = store.Person{Email: "ada@example.com"}
		tk := deliver(t, db, d)
		u, err = db.UndoEmailChange(ctx, "undo-again")
		if err != nil || u.Email != "ada@example.com" {
			t.Fatalf("undo over an account with a ticket: %+v, %v", u, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets WHERE id = ? AND customer_id = ?`, tk.TicketID, ada.ID); n != 1 {
			t.Error("the ticket did not move to the account")
		}
		if ok, _ := db.IsParticipant(ctx, tk.TicketID, "ada@example.com"); !ok {
			t.Error("the account is not a participant of the moved ticket")
		}

		// Moved once more; the address's new account was made staff: that is
		// somebody's account now, and the undo is refused, its link kept.
		mailLink(t, db, "third", store.PurposeEmailChange, "ada@new.example", ada.ID)
		if _, err := db.ChangeEmail(ctx, "third", undoLink("third")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.EnsureUser(ctx, "ada@example.com", "", "staff"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UndoEmailChange(ctx, "undo-third"); !errors.Is(err, store.ErrAddressTaken) {
			t.Errorf("undo to a staff member's address: %v, want ErrAddressTaken", err)
		}
		if got, _ := db.UserByID(ctx, ada.ID); got.Email != "ada@new.example" {
			t.Errorf("address after a refused undo: %s", got.Email)
		}
		if _, err := db.Token(ctx, "undo-third"); err != nil {
			t.Errorf("the refused undo link: %v", err)
		}
	})
}

func TestMaskEmail(t *testing.T) {
	for in, want := range map[string]string{
		"ada.lovelace@example.com": "a***@example.com",
		"z@x.test":                 "z***@x.test",
		"élodie@exemple.fr":        "é***@exemple.fr",
		"nonsense":                 "***",
	} {
		if got := store.MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

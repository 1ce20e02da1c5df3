package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestInviteAndChangeRole(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		admin, err := db.SetRole(ctx, "ada@example.com", store.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		login := store.LoginRequest{TokenHash: "invite-hash", Email: " Mia@Example.COM", Next: "/inbox",
			SealedLink: "sealed", TTL: 15 * time.Minute}
		c, err := db.Invite(ctx, store.Invitation{ActorID: admin.ID, Role: store.RoleStaff, Login: login})
		if err != nil {
			t.Fatal(err)
		}
		if c.User.Email != "mia@example.com" || c.User.Role != store.RoleStaff || c.From != store.RoleCustomer {
			t.Fatalf("invited: %+v from %q", c.User, c.From)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = 'mia@example.com' AND kind = ? AND user_id = ?`, store.EmailMagicLink, c.User.ID); n != 1 {
			t.Errorf("%d sign-in mails queued", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM login_tokens WHERE token_hash = 'invite-hash' AND email = 'mia@example.com'`); n != 1 {
			t.Errorf("%d tokens", n)
		}
		entries, err := db.AuditLog(ctx, store.AuditQuery{Action: store.AuditRoleChange, UserID: c.User.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].ActorID == nil || *entries[0].ActorID != admin.ID || entries[0].Detail != `{"from":"customer","role":"staff"}` {
			t.Fatalf("audit: %+v", entries)
		}

		// Inviting again mails a new link.
		if _, err := db.Invite(ctx, store.Invitation{ActorID: admin.ID, Role: store.RoleStaff, Login: store.LoginRequest{
			TokenHash: "other", Email: "mia@example.com", TTL: time.Minute}}); err != nil {
			t.Fatal(err)
		}

		// The only admin cannot stop being one, whoever asks.
		for _, role := range []string{store.RoleStaff, store.RoleCustomer} {
			if _, err := db.ChangeRole(ctx, admin.ID, admin.ID, role); !errors.Is(err, store.ErrLastAdmin) {
				t.Errorf("demote the last admin to %s: %v", role, err)
			}
		}
		if _, err := db.Invite(ctx, store.Invitation{ActorID: admin.ID, Role: store.RoleStaff, Login: store.LoginRequest{
			TokenHash: "demote", Email: "ada@example.com", TTL: time.Minute}}); !errors.Is(err, store.ErrLastAdmin) {
			t.Errorf("invite the last admin as staff: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM login_tokens WHERE token_hash = 'demote'`); n != 0 {
			t.Errorf("a refused invitation left its token")
		}
		c, err = db.ChangeRole(ctx, admin.ID, c.User.ID, store.RoleAdmin)
		if err != nil || c.User.Role != store.RoleAdmin || c.From != store.RoleStaff {
			t.Fatalf("promote: %+v %v", c, err)
		}
		if _, err := db.ChangeRole(ctx, admin.ID, admin.ID, store.RoleStaff); err != nil {
			t.Fatalf("demote one of two admins: %v", err)
		}
		if _, err := db.ChangeRole(ctx, admin.ID, c.User.ID, "root"); !errors.Is(err, store.ErrBadRole) {
			t.Errorf("unknown role: %v", err)
		}
		if _, err := db.ChangeRole(ctx, admin.ID, 999999, store.RoleStaff); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown user: %v", err)
		}
	})
}

// Two admins demoting each other at once leave one admin, never none.
func TestChangeRoleKeepsAnAdminUnderRace(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := db.SetRole(ctx, "a@example.com", store.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		b, err := db.SetRole(ctx, "b@example.com", store.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, pair := range [][2]int64{{a.ID, b.ID}, {b.ID, a.ID}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = db.ChangeRole(ctx, pair[0], pair[1], store.RoleStaff)
			}()
		}
		wg.Wait()
		refused := 0
		for _, err := range errs {
			switch {
			case errors.Is(err, store.ErrLastAdmin):
				refused++
			case err != nil && db.Dialect == store.SQLite:
				refused++ // SQLite may answer "database is locked" instead: still refused
			case err != nil:
				t.Errorf("change: %v", err)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM users WHERE role = 'admin'`); n != 1 || refused != 1 {
			t.Errorf("%d admins left, %d changes refused (%v)", n, refused, errs)
		}
	})
}

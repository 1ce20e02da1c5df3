package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestStaffProfileIsSavedReadAndAudited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mia, err := db.EnsureUser(ctx, "mia@dargo.test", "Mia Jensen", "staff")
		if err != nil {
			t.Fatal(err)
		}
		empty, err := db.StaffProfile(ctx, mia.ID)
		if err != nil {
			t.Fatal(err)
		}
		if empty.DisplayName != "" || empty.Signature != "" || empty.UpdatedAt != nil {
			t.Fatalf("profile never saved = %+v, want empty", empty)
		}

		saved, err := db.SaveStaffProfile(ctx, mia.ID, "  Mia  ", "Mia\r\nDargo Support   \r\n\r\n")
		if err != nil {
			t.Fatal(err)
		}
		if saved.DisplayName != "Mia" || saved.Signature != "Mia\nDargo Support" {
			t.Errorf("saved = %q / %q, want cleaned", saved.DisplayName, saved.Signature)
		}
		got, err := db.StaffProfile(ctx, mia.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.DisplayName != "Mia" || got.Signature != "Mia\nDargo Support" || got.UpdatedAt == nil {
			t.Errorf("read back = %+v", got)
		}
		if _, err := db.SaveStaffProfile(ctx, mia.ID, "Mia J.", ""); err != nil {
			t.Fatal(err)
		}
		if got, _ = db.StaffProfile(ctx, mia.ID); got.DisplayName != "Mia J." || got.Signature != "" {
			t.Errorf("after a second save = %+v, want the new name and no signature", got)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM staff_profiles`); n != 1 {
			t.Errorf("%d rows, want one per person", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ? AND detail NOT LIKE '%Mia%'`,
			store.AuditStaffProfile, mia.ID); n != 2 {
			t.Errorf("%d audit entries without the text, want 2", n)
		}

		export, err := db.Export(ctx, mia.Email, nil)
		if err != nil {
			t.Fatal(err)
		}
		if export.StaffProfile == nil || export.StaffProfile.DisplayName != "Mia J." {
			t.Errorf("export's staff profile = %+v", export.StaffProfile)
		}
		exec(t, db, `UPDATE users SET role = 'customer' WHERE id = ?`, mia.ID) // staff are erased once they are no longer staff
		if _, err := db.Erase(ctx, mia.ID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM staff_profiles`); n != 0 {
			t.Errorf("erasure left %d profiles", n)
		}
	})
}

func TestStaffProfileRefusesCustomersAndSpoofs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ada, err := db.EnsureUser(ctx, "ada@example.com", "Ada", "customer")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SaveStaffProfile(ctx, ada.ID, "Ada", ""); !errors.Is(err, store.ErrNotStaff) {
			t.Errorf("a customer saving a profile: err = %v, want ErrNotStaff", err)
		}
		mia, err := db.EnsureUser(ctx, "mia@dargo.test", "Mia", "admin")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ name, sig, field string }{
			{`Mia <ceo@bank.test>`, "", "display_name"},
			{`"Mia"`, "", "display_name"},
			{"ceo@bank.test", "", "display_name"},
			{"Mia\nBcc: x", "", "display_name"},
			{"Mia\u202egnp.exe", "", "display_name"},
			{strings.Repeat("m", store.MaxDisplayName+1), "", "display_name"},
			{"Mia", strings.Repeat("s", store.MaxSignature+1), "signature"},
			{"Mia", strings.Repeat("line\n", store.MaxSignatureLines+1), "signature"},
			{"Mia", "bell\a", "signature"},
		} {
			_, err := db.SaveStaffProfile(ctx, mia.ID, c.name, c.sig)
			var pe *store.ProfileError
			if !errors.As(err, &pe) || pe.Field != c.field {
				t.Errorf("SaveStaffProfile(%q, %q) = %v, want a %s error", c.name, c.sig, err, c.field)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM staff_profiles`); n != 0 {
			t.Errorf("refused saves wrote %d rows", n)
		}
		if _, err := db.SaveStaffProfile(ctx, mia.ID, strings.Repeat("é", store.MaxDisplayName), "Mia — Dargo\n\tSupport"); err != nil {
			t.Errorf("the longest name and a tab in the signature: %v", err)
		}
	})
}

package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestSetStaffTimeZone(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		berlin, _ := time.LoadLocation("Europe/Berlin")
		db.Zone = berlin
		mia, err := db.EnsureUser(ctx, "mia@dargo.test", "Mia", "staff")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SaveStaffProfile(ctx, mia.ID, "Mia", "Mia\nSupport"); err != nil {
			t.Fatal(err)
		}

		loc, err := db.SetStaffTimeZone(ctx, mia.ID, "America/New_York")
		if err != nil || loc.String() != "America/New_York" {
			t.Fatalf("SetStaffTimeZone = %v, %v", loc, err)
		}
		if loc, _ := db.StaffLocation(ctx, mia.ID); loc.String() != "America/New_York" {
			t.Errorf("StaffLocation = %v, want the saved zone", loc)
		}
		p, _ := db.StaffProfile(ctx, mia.ID)
		if p.TimeZone != "America/New_York" || p.DisplayName != "Mia" || p.Signature != "Mia\nSupport" {
			t.Errorf("profile = %+v, want the zone saved and the rest kept", p)
		}
		if _, err := db.SetStaffTimeZone(ctx, mia.ID, "America/New_York"); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND user_id = ?`, store.AuditStaffTimeZone, mia.ID); n != 1 {
			t.Errorf("%d audit entries, want 1 (saving the same zone again is no change)", n)
		}

		for _, bad := range []string{"Mars/Olympus_Mons", "Local", "../../etc/passwd", "europe/berlin"} {
			if _, err := db.SetStaffTimeZone(ctx, mia.ID, bad); !errors.Is(err, store.ErrUnknownZone) {
				t.Errorf("SetStaffTimeZone(%q) = %v, want ErrUnknownZone", bad, err)
			}
		}
		if loc, _ := db.StaffLocation(ctx, mia.ID); loc.String() != "America/New_York" {
			t.Errorf("after refused zones, StaffLocation = %v, want it kept", loc)
		}

		loc, err = db.SetStaffTimeZone(ctx, mia.ID, "")
		if err != nil || loc != berlin {
			t.Fatalf("back to the desk's zone = %v, %v; want Europe/Berlin", loc, err)
		}
		if loc, _ := db.StaffLocation(ctx, mia.ID); loc != berlin {
			t.Errorf("StaffLocation = %v, want the desk's", loc)
		}

		// A staff member who never saved a profile gets a row.
		leo, _ := db.EnsureUser(ctx, "leo@dargo.test", "Leo", "admin")
		if _, err := db.SetStaffTimeZone(ctx, leo.ID, "Asia/Tokyo"); err != nil {
			t.Fatal(err)
		}
		if loc, _ := db.StaffLocation(ctx, leo.ID); loc.String() != "Asia/Tokyo" {
			t.Errorf("admin's StaffLocation = %v", loc)
		}

		ann, _ := db.EnsureUser(ctx, "ann@example.com", "Ann", "customer")
		if _, err := db.SetStaffTimeZone(ctx, ann.ID, "Asia/Tokyo"); !errors.Is(err, store.ErrNotStaff) {
			t.Errorf("a customer's SetStaffTimeZone = %v, want ErrNotStaff", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM staff_profiles WHERE user_id = ?`, ann.ID); n != 0 {
			t.Errorf("a customer got %d staff profile rows", n)
		}
	})
}

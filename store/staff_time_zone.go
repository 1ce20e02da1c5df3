package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dargo-support/dargo/internal/zones"
)

// AuditStaffTimeZone is a staff member choosing the time zone they see
// times in; the detail has the old and new zone ("" is the desk's).
const AuditStaffTimeZone = "staff_time_zone_changed"

// ErrUnknownZone is returned when a time zone is not an IANA zone this
// binary knows (see zones.Load).
var ErrUnknownZone = errors.New("store: unknown time zone")

// SetStaffTimeZone saves the IANA zone a staff member sees times in ("" =
// the desk's, DB.Zone) and audits the change; it returns the zone's
// location (the desk's for ""). An unknown zone is ErrUnknownZone; someone
// who is not staff or admin (or was erased) is ErrNotStaff, decided in the
// same transaction as the write. Saving the zone already saved changes
// nothing and audits nothing.
func (db *DB) SetStaffTimeZone(ctx context.Context, userID int64, zone string) (*time.Location, error) {
	loc := db.location("")
	if zone != "" {
		var err error
		if loc, err = zones.Load(zone); err != nil {
			return nil, fmt.Errorf("%w: %q", ErrUnknownZone, zone)
		}
	}
	now := db.Now()
	err := db.InTx(ctx, func(tx *Tx) error {
		var old []string
		if err := tx.SelectContext(ctx, &old, tx.q(`SELECT COALESCE(p.time_zone, '') FROM users u
			LEFT JOIN staff_profiles p ON p.user_id = u.id
			WHERE u.id = ? AND u.role IN ('staff', 'admin') AND u.erased_at IS NULL`), userID); err != nil {
			return err
		}
		if len(old) == 0 {
			return ErrNotStaff
		}
		if old[0] == zone {
			return nil
		}
		// The write checks the role again: a demotion committed since the
		// read above makes it write nothing.
		res, err := tx.ExecContext(ctx, tx.q(`INSERT INTO staff_profiles (user_id, time_zone, updated_at)
			SELECT id, ?, ? FROM users WHERE id = ? AND role IN ('staff', 'admin') AND erased_at IS NULL
			ON CONFLICT (user_id) DO UPDATE SET time_zone = excluded.time_zone, updated_at = excluded.updated_at`),
			zone, now, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return ErrNotStaff
		}
		return tx.Audit(ctx, Audit{ActorID: userID, Action: AuditStaffTimeZone, UserID: userID,
			Detail: map[string]any{"old": old[0], "new": zone}})
	})
	if err != nil {
		return nil, fmt.Errorf("store: set staff time zone: %w", err)
	}
	return loc, nil
}

// DeskLocation is the desk's time zone (DARGO_TIME_ZONE): what staff who
// chose none see times in.
func (db *DB) DeskLocation() *time.Location { return db.location("") }

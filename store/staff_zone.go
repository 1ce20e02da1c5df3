package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// StaffLocation is the time zone a staff member sees times in: the one
// saved on their profile, else the desk's (DB.Zone). A saved zone this
// machine no longer knows falls back to the desk's too.
func (db *DB) StaffLocation(ctx context.Context, userID int64) (*time.Location, error) {
	var zone string
	err := db.X.GetContext(ctx, &zone, db.q(`SELECT time_zone FROM staff_profiles WHERE user_id = ?`), userID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: staff location: %w", err)
	}
	return db.location(zone), nil
}

// location loads an IANA zone name, or the desk's zone for "" and names
// this machine does not know.
func (db *DB) location(zone string) *time.Location {
	if zone != "" {
		if loc, err := time.LoadLocation(zone); err == nil {
			return loc
		}
	}
	if db.Zone == nil {
		return time.UTC
	}
	return db.Zone
}

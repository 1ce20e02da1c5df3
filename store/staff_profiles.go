package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// How long a staff member's display name and signature may be, in runes.
const (
	MaxDisplayName    = 60
	MaxSignature      = 1000
	MaxSignatureLines = 12
)

// StaffProfile is how customers see a staff member: the name their
// replies carry ("Mia" in "Mia from Dargo Support") and the signature
// appended to them; empty fields are not set, as in a profile never saved.
type StaffProfile struct {
	UserID      int64  `db:"user_id" json:"-"`
	DisplayName string `db:"display_name" json:"display_name"`
	Signature   string `db:"signature" json:"signature"`
	// TimeZone is the IANA zone the staff member sees times in; "" is the
	// desk's (DB.Zone). See StaffLocation.
	TimeZone  string     `db:"time_zone" json:"time_zone,omitempty"`
	UpdatedAt *time.Time `db:"updated_at" json:"updated_at,omitempty"`
}

// ProfileError says which field of a staff profile was refused and why,
// in words for the person who typed it.
type ProfileError struct {
	Field  string // "display_name" or "signature"
	Reason string
}

func (e *ProfileError) Error() string { return "store: staff profile " + e.Field + ": " + e.Reason }

// ErrNotStaff is returned when someone who is not staff (or was erased)
// saves a staff profile.
var ErrNotStaff = errors.New("store: not a staff member")

// AuditStaffProfile is a staff member changing how customers see them;
// the detail says which fields are set, never their text.
const AuditStaffProfile = "staff_profile_changed"

// CleanDisplayName trims a display name and refuses what does not belong in
// a From header's name: more than one line, control and bidi characters,
// and '<', '>', '"', '@', which could pass for an address.
func CleanDisplayName(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := func(reason string) (string, error) {
		return "", &ProfileError{Field: "display_name", Reason: reason}
	}
	if !utf8.ValidString(s) {
		return bad("is not valid text")
	}
	if utf8.RuneCountInString(s) > MaxDisplayName {
		return bad(fmt.Sprintf("is longer than %d characters", MaxDisplayName))
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r':
			return bad("must be one line")
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return bad("contains an invisible control character")
		case strings.ContainsRune(`<>"@`, r):
			return bad(`may not contain < > " or @`)
		}
	}
	return strings.Join(strings.Fields(s), " "), nil
}

// CleanSignature makes a signature plain text with "\n" line ends and no
// trailing blanks, and refuses control and bidi characters and more than
// MaxSignature characters or MaxSignatureLines lines.
func CleanSignature(s string) (string, error) {
	bad := func(reason string) (string, error) {
		return "", &ProfileError{Field: "signature", Reason: reason}
	}
	if !utf8.ValidString(s) {
		return bad("is not valid text")
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	s = strings.TrimSpace(strings.Join(lines, "\n"))
	if s == "" {
		return "", nil
	}
	if utf8.RuneCountInString(s) > MaxSignature {
		return bad(fmt.Sprintf("is longer than %d characters", MaxSignature))
	}
	if strings.Count(s, "\n") >= MaxSignatureLines {
		return bad(fmt.Sprintf("has more than %d lines", MaxSignatureLines))
	}
	for _, r := range s {
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
			return bad("contains an invisible control character")
		}
	}
	return s, nil
}

// StaffProfile returns the staff member's profile, empty when never saved.
func (db *DB) StaffProfile(ctx context.Context, userID int64) (*StaffProfile, error) {
	var p StaffProfile
	err := db.X.GetContext(ctx, &p, db.q(`SELECT * FROM staff_profiles WHERE user_id = ?`), userID)
	if errors.Is(err, sql.ErrNoRows) {
		// sqlx may have set up fields before finding no row: start afresh.
		return &StaffProfile{UserID: userID}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: staff profile: %w", err)
	}
	return &p, nil
}

// SaveStaffProfile cleans and saves how customers see a staff member
// (CleanDisplayName, CleanSignature: a *ProfileError when refused) and
// audits it. Only staff and admins who were not erased have a profile:
// ErrNotStaff otherwise, decided in the same transaction as the write.
func (db *DB) SaveStaffProfile(ctx context.Context, userID int64, displayName, signature string) (*StaffProfile, error) {
	name, err := CleanDisplayName(displayName)
	if err != nil {
		return nil, err
	}
	sig, err := CleanSignature(signature)
	if err != nil {
		return nil, err
	}
	now := db.Now()
	err = db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, tx.q(`INSERT INTO staff_profiles (user_id, display_name, signature, updated_at)
			SELECT id, ?, ?, ? FROM users WHERE id = ? AND role IN ('staff', 'admin') AND erased_at IS NULL
			ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name, signature = excluded.signature,
				updated_at = excluded.updated_at`), name, sig, now, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return ErrNotStaff
		}
		return tx.Audit(ctx, Audit{ActorID: userID, Action: AuditStaffProfile, UserID: userID,
			Detail: map[string]any{"display_name_set": name != "", "signature_set": sig != ""}})
	})
	if err != nil {
		return nil, fmt.Errorf("store: save staff profile: %w", err)
	}
	return &StaffProfile{UserID: userID, DisplayName: name, Signature: sig, UpdatedAt: &now}, nil
}

// replyAuthor is the profile of the staff member who wrote a reply, empty
// when they are no longer staff, were erased, or never saved one.
func (db *DB) replyAuthor(ctx context.Context, authorID int64) (StaffProfile, error) {
	var p StaffProfile
	err := db.X.GetContext(ctx, &p, db.q(`SELECT p.* FROM staff_profiles p JOIN users u ON u.id = p.user_id
		WHERE p.user_id = ? AND u.role IN ('staff', 'admin') AND u.erased_at IS NULL`), authorID)
	if errors.Is(err, sql.ErrNoRows) {
		return StaffProfile{}, nil
	}
	if err != nil {
		return StaffProfile{}, fmt.Errorf("store: reply author: %w", err)
	}
	return p, nil
}

package store

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Policy kinds: the two documents Dargo publishes.
const (
	PolicyPrivacy = "privacy"
	PolicyTerms   = "terms"
)

// PolicyKinds are the kinds in the order pages list them.
var PolicyKinds = []string{PolicyPrivacy, PolicyTerms}

// Limits on a policy version.
const (
	MaxPolicyText    = 200000 // bytes of Markdown
	MaxPolicySummary = 1000   // runes
)

// AuditPolicyPublish is the audited action of publishing a policy version.
const AuditPolicyPublish = "policy_publish"

// The embedded defaults, shown as version 0 until a version is in force.
var (
	//go:embed policydefaults/privacy.md
	defaultPrivacy string
	//go:embed policydefaults/terms.md
	defaultTerms string
)

// DefaultPolicyDate is when the embedded defaults were last changed: their
// effective and "Last updated" date.
var DefaultPolicyDate = time.Date(2026, time.December, 6, 0, 0, 0, 0, time.UTC)

// PolicyVersion is one published version of the privacy policy or the terms.
type PolicyVersion struct {
	ID          int64     `db:"id"`
	Kind        string    `db:"kind"`
	Version     int       `db:"version"` // 1, 2, 3… per kind; 0 is the embedded default
	Text        string    `db:"text"`    // Markdown
	Summary     string    `db:"summary"` // what changed, for the announcement
	EffectiveAt time.Time `db:"effective_at"`
	Significant bool      `db:"significant"`
	PublishedBy *int64    `db:"published_by"` // nil: the command line
	PublishedAt time.Time `db:"published_at"`
	// A significant version's announcement, step by step: its broadcast
	// (nil until started), how far that got, and when every open ticket
	// had its notice.
	BroadcastID     *int64     `db:"broadcast_id"`
	BroadcastStatus *string    `db:"broadcast_status"`
	NoticesDoneAt   *time.Time `db:"notices_done_at"`
}

// Default reports whether v is the embedded default rather than a published version.
func (v *PolicyVersion) Default() bool { return v.Version == 0 }

// Announced reports whether a significant version's announcement is
// complete: broadcast queued and every ticket noticed. A version that is not
// significant has nothing to announce.
func (v *PolicyVersion) Announced() bool {
	if !v.Significant {
		return true
	}
	return v.BroadcastStatus != nil && *v.BroadcastStatus == BroadcastQueued && v.NoticesDoneAt != nil
}

// Title is the document's name: "privacy policy" or "terms of service".
func PolicyTitle(kind string) string {
	if kind == PolicyTerms {
		return "terms of service"
	}
	return "privacy policy"
}

// DefaultPolicy is the embedded default of the kind, as version 0.
func DefaultPolicy(kind string) PolicyVersion {
	text := defaultPrivacy
	if kind == PolicyTerms {
		text = defaultTerms
	}
	return PolicyVersion{Kind: kind, Text: text, EffectiveAt: DefaultPolicyDate, PublishedAt: DefaultPolicyDate}
}

// IsPolicyKind reports whether kind is one of PolicyKinds.
func IsPolicyKind(kind string) bool { return slices.Contains(PolicyKinds, kind) }

// policySelect reads versions with their broadcast's status.
const policySelect = `SELECT v.*, b.status AS broadcast_status FROM policy_versions v LEFT JOIN broadcasts b ON b.id = v.broadcast_id`

// PolicyVersions returns every published version of the kind, newest first.
func (db *DB) PolicyVersions(ctx context.Context, kind string) ([]PolicyVersion, error) {
	var out []PolicyVersion
	if err := db.X.SelectContext(ctx, &out, db.q(policySelect+` WHERE v.kind = ? ORDER BY v.version DESC`), kind); err != nil {
		return nil, fmt.Errorf("store: policy versions: %w", err)
	}
	return out, nil
}

// PolicyVersion returns version n of the kind.
func (db *DB) PolicyVersion(ctx context.Context, kind string, n int) (*PolicyVersion, error) {
	var v PolicyVersion
	if err := db.X.GetContext(ctx, &v, db.q(policySelect+` WHERE v.kind = ? AND v.version = ?`), kind, n); err != nil {
		return nil, notFound(err, fmt.Sprintf("%s policy version %d", kind, n))
	}
	return &v, nil
}

// PolicyVersionByID returns the version with this id.
func (db *DB) PolicyVersionByID(ctx context.Context, id int64) (*PolicyVersion, error) {
	var v PolicyVersion
	if err := db.X.GetContext(ctx, &v, db.q(policySelect+` WHERE v.id = ?`), id); err != nil {
		return nil, notFound(err, fmt.Sprintf("policy version %d", id))
	}
	return &v, nil
}

// PolicyState is what a policy page shows.
type PolicyState struct {
	// Current is in force: the highest version whose effective date has
	// come, or the embedded default (version 0) when none has.
	Current PolicyVersion
	// Upcoming is the highest version, when its effective date is still to
	// come: published, readable, not yet in force.
	Upcoming *PolicyVersion
	// Versions are all published versions, newest first.
	Versions []PolicyVersion
}

// Policy returns the kind's current version, the upcoming one and the list.
func (db *DB) Policy(ctx context.Context, kind string) (*PolicyState, error) {
	list, err := db.PolicyVersions(ctx, kind)
	if err != nil {
		return nil, err
	}
	return policyState(kind, list, db.Now()), nil
}

// policyState picks the current and upcoming versions from list (newest
// first) at now.
func policyState(kind string, list []PolicyVersion, now time.Time) *PolicyState {
	s := &PolicyState{Current: DefaultPolicy(kind), Versions: list}
	for i, v := range list {
		if !v.EffectiveAt.After(now) {
			s.Current = v
			break
		}
		if i == 0 {
			s.Upcoming = &list[0]
		}
	}
	return s
}

// NewPolicy is a version to publish.
type NewPolicy struct {
	Kind    string
	Text    string // Markdown
	Summary string // what changed; required when Significant
	// Effective is the day it takes effect (its date counts, in UTC); zero
	// means today. It may not be before today: a policy is not backdated.
	Effective   time.Time
	Significant bool
	ActorID     int64 // who publishes; 0 for the command line
}

// ErrBadPolicy wraps what is wrong with a version to publish; its message
// is fit to show the person who wrote it.
var ErrBadPolicy = errors.New("store: bad policy")

// ErrPolicyUnchanged is returned (inside a *PolicyUnchangedError) when the
// text is the latest version's already and there is nothing to resume.
var ErrPolicyUnchanged = errors.New("store: the latest version has this text")

// PolicyUnchangedError names the version a publish repeats.
type PolicyUnchangedError struct{ Version PolicyVersion }

func (e *PolicyUnchangedError) Error() string {
	return fmt.Sprintf("store: %s version %d has this text already", e.Version.Kind, e.Version.Version)
}

func (e *PolicyUnchangedError) Unwrap() error { return ErrPolicyUnchanged }

// CleanPolicy checks and normalizes a version to publish: line breaks as
// "\n", text and summary trimmed, the effective date a UTC midnight.
func CleanPolicy(np NewPolicy, now time.Time) (NewPolicy, error) {
	np.Text = strings.TrimSpace(normalizeBreaks(np.Text))
	np.Summary = strings.TrimSpace(normalizeBreaks(np.Summary))
	today := now.UTC().Truncate(24 * time.Hour)
	if np.Effective.IsZero() {
		np.Effective = today
	}
	e := np.Effective.UTC()
	np.Effective = time.Date(e.Year(), e.Month(), e.Day(), 0, 0, 0, 0, time.UTC)
	control := func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }
	switch {
	case !IsPolicyKind(np.Kind):
		return np, fmt.Errorf("%w: the kind is privacy or terms, not %q", ErrBadPolicy, np.Kind)
	case np.Text == "":
		return np, fmt.Errorf("%w: the text is empty", ErrBadPolicy)
	case !utf8.ValidString(np.Text) || !utf8.ValidString(np.Summary):
		return np, fmt.Errorf("%w: the text is not UTF-8", ErrBadPolicy)
	case strings.ContainsFunc(np.Text, control) || strings.ContainsFunc(np.Summary, control):
		return np, fmt.Errorf("%w: the text has control characters", ErrBadPolicy)
	case len(np.Text) > MaxPolicyText:
		return np, fmt.Errorf("%w: the text is longer than %d bytes", ErrBadPolicy, MaxPolicyText)
	case utf8.RuneCountInString(np.Summary) > MaxPolicySummary:
		return np, fmt.Errorf("%w: the summary is longer than %d characters", ErrBadPolicy, MaxPolicySummary)
	case np.Significant && np.Summary == "":
		return np, fmt.Errorf("%w: a significant version needs a summary for its announcement", ErrBadPolicy)
	case np.Effective.Before(today):
		return np, fmt.Errorf("%w: the effective date %s is in the past", ErrBadPolicy, np.Effective.Format(time.DateOnly))
	}
	return np, nil
}

func normalizeBreaks(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// PublishPolicy records the next version of the kind and audits it, and
// returns it with resumed false. A text that is a significant version's
// whose announcement is unfinished (a publish that was killed), latest or
// not, returns that version with resumed true, for the caller to finish
// with ContinuePolicyPublish; any other text that is the latest version's
// is refused with a *PolicyUnchangedError. Two publishes at once take
// turns.
func (db *DB) PublishPolicy(ctx context.Context, np NewPolicy) (v *PolicyVersion, resumed bool, err error) {
	np, err = CleanPolicy(np, db.Now())
	if err != nil {
		return nil, false, err
	}
	var out PolicyVersion
	err = db.InTx(ctx, func(tx *Tx) error {
		if db.Dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727474)`); err != nil {
				return err
			}
		}
		// A version with this text whose announcement is unfinished is
		// continued, even when a newer version was published since: the
		// pages tell the operator to publish its text again to finish it.
		var same []PolicyVersion
		if err := tx.SelectContext(ctx, &same, tx.q(policySelect+` WHERE v.kind = ? AND v.text = ? AND v.significant ORDER BY v.version DESC`),
			np.Kind, np.Text); err != nil {
			return err
		}
		for _, v := range same {
			if !v.Announced() {
				out, resumed = v, true
				return nil
			}
		}
		var latest []PolicyVersion
		if err := tx.SelectContext(ctx, &latest, tx.q(policySelect+` WHERE v.kind = ? ORDER BY v.version DESC LIMIT 1`), np.Kind); err != nil {
			return err
		}
		next := 1
		if len(latest) > 0 {
			if latest[0].Text == np.Text {
				return &PolicyUnchangedError{Version: latest[0]}
			}
			next = latest[0].Version + 1
		}
		now := db.Now()
		err := tx.QueryRowxContext(ctx, tx.q(`INSERT INTO policy_versions (kind, version, text, summary, effective_at, significant, published_by, published_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *, NULL AS broadcast_status`),
			np.Kind, next, np.Text, np.Summary, np.Effective, np.Significant, nullID(np.ActorID), now).StructScan(&out)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, Audit{ActorID: np.ActorID, Action: AuditPolicyPublish,
			Detail: map[string]any{"kind": np.Kind, "version": next, "significant": np.Significant, "effective": np.Effective.Format(time.DateOnly)}})
	})
	if err != nil {
		return nil, false, fmt.Errorf("store: publish %s policy: %w", np.Kind, err)
	}
	db.banners.Store(nil) // this process shows the new version's banner at once
	return &out, resumed, nil
}

package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// A significant version is announced three ways, each once:
//
//  1. a broadcast (kind EmailPolicyNotice) mails everyone active;
//  2. every open or pending ticket gets a notice in its thread, not mailed;
//  3. signed-in people see a banner until they dismiss it.
//
// The banner needs no step: it follows from the version and the
// dismissals. The other two are steps that record they were done in the
// transaction that does them (broadcast_id, notices_done_at), and the
// broadcast's queueing moves batch by batch, so a publish killed anywhere
// continues where it stopped and repeats nobody.

// PolicyBroadcastSubject is the subject of a significant version's mail.
func PolicyBroadcastSubject(kind string) string {
	return "We updated our " + PolicyTitle(kind)
}

// PolicyVersionPath is where a version can be read: /privacy/versions/3.
func PolicyVersionPath(kind string, version int) string {
	return fmt.Sprintf("/%s/versions/%d", kind, version)
}

// policyBroadcastBody is the mail's text: the summary, when the version
// takes effect and where to read it.
func policyBroadcastBody(v *PolicyVersion, baseURL string) string {
	var b strings.Builder
	b.WriteString(v.Summary)
	b.WriteString("\n\n")
	fmt.Fprintf(&b, "The new version takes effect on %s. Read it here:\n%s%s\n",
		v.EffectiveAt.UTC().Format("2 January 2006"), strings.TrimRight(baseURL, "/"), PolicyVersionPath(v.Kind, v.Version))
	return b.String()
}

// StartPolicyBroadcast starts the broadcast that mails a significant
// version's announcement, linking to the version under baseURL, and returns
// it; QueueBroadcastBatch then queues its mails. The version row records
// the broadcast in the same transaction, so calling this again returns the
// broadcast already started instead of a second one.
func (db *DB) StartPolicyBroadcast(ctx context.Context, versionID int64, baseURL string) (*Broadcast, error) {
	var b *Broadcast
	err := db.InTx(ctx, func(tx *Tx) error {
		v, err := tx.lockSignificant(ctx, versionID)
		if err != nil {
			return err
		}
		if v.BroadcastID != nil {
			var started Broadcast
			if err := tx.GetContext(ctx, &started, tx.q(`SELECT * FROM broadcasts WHERE id = ?`), *v.BroadcastID); err != nil {
				return err
			}
			b = &started
			return nil
		}
		subject, body, err := CleanBroadcast(PolicyBroadcastSubject(v.Kind), policyBroadcastBody(v, baseURL))
		if err != nil {
			return err
		}
		actor := int64(0)
		if v.PublishedBy != nil {
			actor = *v.PublishedBy
		}
		if b, err = tx.insertBroadcast(ctx, subject, body, EmailPolicyNotice, actor); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, tx.q(`UPDATE policy_versions SET broadcast_id = ? WHERE id = ?`), b.ID, v.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: start policy broadcast: %w", err)
	}
	return b, nil
}

// lockSignificant reads a significant version for announcing it: on
// PostgreSQL the row stays locked until the transaction ends (SQLite's
// transaction holds the write lock already). A version that is not
// significant is an error: it has nothing to announce.
func (tx *Tx) lockSignificant(ctx context.Context, id int64) (*PolicyVersion, error) {
	query := `SELECT * FROM policy_versions WHERE id = ?`
	if tx.db.Dialect == Postgres {
		query += ` FOR UPDATE`
	}
	var v PolicyVersion
	if err := tx.GetContext(ctx, &v, tx.q(query), id); err != nil {
		return nil, notFound(err, fmt.Sprintf("policy version %d", id))
	}
	if !v.Significant {
		return nil, fmt.Errorf("%s version %d is not significant: nothing to announce", v.Kind, v.Version)
	}
	return &v, nil
}

// AddPolicyNotices puts the significant version's notice into the thread
// of every ticket that was open or pending when it was published, and
// returns how many it added. Done once per version: a second call adds
// nothing, and the unique (ticket, version) key would refuse a repeat
// besides.
func (db *DB) AddPolicyNotices(ctx context.Context, versionID int64) (int, error) {
	var added int
	err := db.InTx(ctx, func(tx *Tx) error {
		v, err := tx.lockSignificant(ctx, versionID)
		if err != nil {
			return err
		}
		if v.NoticesDoneAt != nil {
			return nil
		}
		res, err := tx.ExecContext(ctx, tx.q(`INSERT INTO ticket_policy_notices (ticket_id, policy_version_id, created_at)
			SELECT id, ?, ? FROM tickets WHERE status IN ('open', 'pending') AND created_at <= ?
			ON CONFLICT (ticket_id, policy_version_id) DO NOTHING`), v.ID, v.PublishedAt, v.PublishedAt)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		added = int(n)
		_, err = tx.ExecContext(ctx, tx.q(`UPDATE policy_versions SET notices_done_at = ? WHERE id = ?`), db.Now(), v.ID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: add policy notices: %w", err)
	}
	return added, nil
}

// ContinuePolicyPublish does what a significant version's announcement
// still lacks of its first two steps (start the broadcast, add the ticket
// notices) and returns the broadcast, whose mails the caller then queues
// with QueueBroadcastBatch (or a broadcast:queue task). Each step is
// skipped when done, so it is safe to call after any interruption.
func (db *DB) ContinuePolicyPublish(ctx context.Context, versionID int64, baseURL string) (*Broadcast, int, error) {
	b, err := db.StartPolicyBroadcast(ctx, versionID, baseURL)
	if err != nil {
		return nil, 0, err
	}
	n, err := db.AddPolicyNotices(ctx, versionID)
	if err != nil {
		return nil, 0, err
	}
	return b, n, nil
}

// PolicyNotice is a significant version's notice as a ticket's thread shows it.
type PolicyNotice struct {
	Kind        string    `db:"kind"`
	Version     int       `db:"version"`
	Summary     string    `db:"summary"`
	EffectiveAt time.Time `db:"effective_at"`
	PublishedAt time.Time `db:"published_at"`
	CreatedAt   time.Time `db:"created_at"` // its place in the thread
}

// Path is where the version can be read.
func (n *PolicyNotice) Path() string { return PolicyVersionPath(n.Kind, n.Version) }

// Title is the document's name.
func (n *PolicyNotice) Title() string { return PolicyTitle(n.Kind) }

// PolicyNotices returns the notices in a ticket's thread, oldest first.
func (db *DB) PolicyNotices(ctx context.Context, ticketID int64) ([]PolicyNotice, error) {
	var out []PolicyNotice
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT v.kind, v.version, v.summary, v.effective_at, v.published_at, n.created_at
		FROM ticket_policy_notices n JOIN policy_versions v ON v.id = n.policy_version_id
		WHERE n.ticket_id = ? ORDER BY n.created_at, v.id`), ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: policy notices: %w", err)
	}
	return out, nil
}

// withPolicyNotices merges a ticket's policy notices into its thread by
// time: each becomes a ThreadMessage of kind "policy" with Policy set.
func (db *DB) withPolicyNotices(ctx context.Context, ticketID int64, msgs []ThreadMessage) ([]ThreadMessage, error) {
	notices, err := db.PolicyNotices(ctx, ticketID)
	if err != nil || len(notices) == 0 {
		return msgs, err
	}
	out := make([]ThreadMessage, 0, len(msgs)+len(notices))
	for _, m := range msgs {
		for len(notices) > 0 && notices[0].CreatedAt.Before(m.CreatedAt) {
			out = append(out, noticeMessage(ticketID, &notices[0]))
			notices = notices[1:]
		}
		out = append(out, m)
	}
	for i := range notices {
		out = append(out, noticeMessage(ticketID, &notices[i]))
	}
	return out, nil
}

func noticeMessage(ticketID int64, n *PolicyNotice) ThreadMessage {
	return ThreadMessage{Message: Message{TicketID: ticketID, Kind: "policy", CreatedAt: n.CreatedAt}, Policy: n}
}

// PolicyBanner is a significant version a signed-in person has not dismissed.
type PolicyBanner struct {
	ID          int64     `db:"id"` // the version's id, which dismissing names
	Kind        string    `db:"kind"`
	Version     int       `db:"version"`
	Summary     string    `db:"summary"`
	EffectiveAt time.Time `db:"effective_at"`
	PublishedAt time.Time `db:"published_at"`
}

// Path is where the version can be read.
func (b *PolicyBanner) Path() string { return PolicyVersionPath(b.Kind, b.Version) }

// Title is the document's name.
func (b *PolicyBanner) Title() string { return PolicyTitle(b.Kind) }

// PolicyBanners returns the banners the user has to see: of each kind, the
// newest significant version, when it was published after the account was
// made and the user has not dismissed it. (An older significant version
// is superseded by a newer one: one banner per kind is enough.) Every
// signed-in page asks, so the newest versions are kept in memory for a few
// seconds, and the dismissals are read only when there is a banner the
// user could see.
func (db *DB) PolicyBanners(ctx context.Context, user *User) ([]PolicyBanner, error) {
	latest, err := db.latestSignificant(ctx)
	if err != nil {
		return nil, err
	}
	var candidates []PolicyBanner
	var ids []int64
	for _, b := range latest {
		// In Go, not SQL: SQLite compares timestamps as text.
		if b.PublishedAt.After(user.CreatedAt) {
			candidates = append(candidates, b)
			ids = append(ids, b.ID)
		}
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	q, args, err := sqlx.In(`SELECT policy_version_id FROM policy_dismissals WHERE user_id = ? AND policy_version_id IN (?)`, user.ID, ids)
	if err != nil {
		return nil, fmt.Errorf("store: policy banners: %w", err)
	}
	var dismissed []int64
	if err := db.X.SelectContext(ctx, &dismissed, db.q(q), args...); err != nil {
		return nil, fmt.Errorf("store: policy banners: %w", err)
	}
	var out []PolicyBanner
	for _, b := range candidates {
		if !slices.Contains(dismissed, b.ID) {
			out = append(out, b)
		}
	}
	return out, nil
}

// bannerTTL is how long a process trusts its list of the newest
// significant versions: a version published by another process (the
// command line, another web replica) shows its banner within this time;
// one published by this process at once.
const bannerTTL = 5 * time.Second

// latestBanners is the newest significant version of each kind, as read at.
type latestBanners struct {
	at   time.Time
	list []PolicyBanner
}

// latestSignificant returns the newest significant version of each kind.
func (db *DB) latestSignificant(ctx context.Context) ([]PolicyBanner, error) {
	if c := db.banners.Load(); c != nil && time.Since(c.at) < bannerTTL {
		return c.list, nil
	}
	var list []PolicyBanner
	err := db.X.SelectContext(ctx, &list, `SELECT v.id, v.kind, v.version, v.summary, v.effective_at, v.published_at
		FROM policy_versions v WHERE v.significant AND v.version = (SELECT MAX(w.version) FROM policy_versions w WHERE w.kind = v.kind AND w.significant)
		ORDER BY v.kind`)
	if err != nil {
		return nil, fmt.Errorf("store: policy banners: %w", err)
	}
	db.banners.Store(&latestBanners{at: time.Now(), list: list})
	return list, nil
}

// DismissPolicyBanner records that the user closed the version's banner,
// with the time; a second dismissal keeps the first's time.
func (db *DB) DismissPolicyBanner(ctx context.Context, userID, versionID int64) error {
	_, err := db.X.ExecContext(ctx, db.q(`INSERT INTO policy_dismissals (user_id, policy_version_id, dismissed_at)
		SELECT ?, id, ? FROM policy_versions WHERE id = ? AND significant
		ON CONFLICT (user_id, policy_version_id) DO NOTHING`), userID, db.Now(), versionID)
	if err != nil {
		return fmt.Errorf("store: dismiss policy banner: %w", err)
	}
	return nil
}

// PolicyDismissal is a banner a person dismissed, as their data export
// can show it.
type PolicyDismissal struct {
	Kind        string    `db:"kind" json:"kind"`
	Version     int       `db:"version" json:"version"`
	DismissedAt time.Time `db:"dismissed_at" json:"dismissed_at"`
}

// PolicyDismissals returns the banners the user dismissed, oldest first.
func (db *DB) PolicyDismissals(ctx context.Context, userID int64) ([]PolicyDismissal, error) {
	out := []PolicyDismissal{}
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT v.kind, v.version, d.dismissed_at FROM policy_dismissals d
		JOIN policy_versions v ON v.id = d.policy_version_id WHERE d.user_id = ? ORDER BY d.dismissed_at, v.id`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: policy dismissals: %w", err)
	}
	return out, nil
}

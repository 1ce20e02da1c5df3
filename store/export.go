package store

import (
	"context"
	"fmt"
	"time"
)

// Export is a person's data as one portable document (DESIGN.md's contract).
type Export struct {
	User     ExportUser      `json:"user"`
	Tickets  []ExportTicket  `json:"tickets"`
	Emails   []ExportEmail   `json:"emails"`
	Sessions []ExportSession `json:"sessions"`
	Logins   []ExportLogin   `json:"logins"`
	Choices  []ExportChoice  `json:"choices"`
	// UsageEvents are the person's raw usage events while they are kept.
	UsageEvents []UsageEvent `json:"usage_events"`
	// PolicyDismissals are the policy-change banners they dismissed, and when.
	PolicyDismissals []PolicyDismissal `json:"policy_dismissals"`
	// Ratings are their satisfaction ratings of tickets, with comments.
	Ratings []ExportRating `json:"ratings"`
	// StaffProfile is how customers see a staff member, when they saved one.
	StaffProfile *StaffProfile `json:"staff_profile,omitempty"`
}

// ExportUser is the person.
type ExportUser struct {
	Email     string    `db:"email" json:"email"`
	Name      string    `db:"name" json:"name"`
	Role      string    `db:"role" json:"role"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	// Language is the language mail is written in ("" when not known).
	Language string `db:"language" json:"language"`
	// Addresses are the person's other addresses (records merged into
	// theirs).
	Addresses []string `db:"-" json:"addresses,omitempty"`
}

// ExportTicket is a ticket the person takes part in.
type ExportTicket struct {
	ID        int64     `db:"id" json:"-"`
	Number    int64     `db:"number" json:"number"`
	Subject   string    `db:"subject" json:"subject"`
	Status    string    `db:"status" json:"status"`
	Priority  string    `db:"priority" json:"priority"`
	Category  string    `db:"category" json:"category"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	ReplyTo   string    `db:"reply_to" json:"reply_to"`
	// Tags are in the export only when staff show tags to customers
	// (ExportOpts.Tags, DARGO_TAGS_VISIBLE).
	Tags     []string        `json:"tags,omitempty"`
	Messages []ExportMessage `json:"messages"`
}

// ExportOpts is what an export holds beyond the person's own data.
type ExportOpts struct {
	Tags bool // each ticket's tags (DARGO_TAGS_VISIBLE)
}

// ExportMessage is one message of a ticket, with its visible text.
type ExportMessage struct {
	ID          int64              `db:"id" json:"id"`
	Kind        string             `db:"kind" json:"kind"`
	From        string             `db:"from" json:"from"`
	CreatedAt   time.Time          `db:"created_at" json:"created_at"`
	Text        string             `db:"text" json:"text"`
	Attachments []ExportAttachment `json:"attachments"`
}

// ExportAttachment describes a file without its bytes.
type ExportAttachment struct {
	Filename    string `db:"filename" json:"filename"`
	ContentType string `db:"content_type" json:"content_type"`
	Size        int64  `db:"size" json:"size"`
}

// ExportEmail is a mail sent (or not sent) to the person.
type ExportEmail struct {
	Kind      string    `db:"kind" json:"kind"`
	Ticket    *int64    `db:"ticket" json:"ticket"`
	Subject   string    `db:"subject" json:"subject"`
	Status    string    `db:"status" json:"status"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// ExportChoice is one of the person's choices (store.Choice): staff who
// recorded an objection received by mail are not named.
type ExportChoice struct {
	Kind            string     `json:"kind"`
	Objected        bool       `json:"objected"`
	ChangedAt       *time.Time `json:"changed_at"` // null: never changed
	RecordedByStaff bool       `json:"recorded_by_staff"`
}

// ExportSession is a session, live or ended. Created is StartedAt (the
// name the export had first). DurationSeconds is how long it was in use as
// recorded: until it ended, or until last seen while live or once expired,
// so two exports of the same data are the same document.
type ExportSession struct {
	CreatedAt       time.Time  `json:"created"`
	StartedAt       time.Time  `json:"started_at"`
	ExpiresAt       time.Time  `json:"expires"`
	LastSeenAt      time.Time  `json:"last_seen_at"`
	EndedAt         *time.Time `json:"ended_at"`
	EndReason       string     `json:"end_reason"`
	DurationSeconds int64      `json:"duration_seconds"`
	IP              string     `json:"ip"`
	UserAgent       string     `json:"user_agent"`
	Browser         string     `json:"browser"`
	OS              string     `json:"os"`
	Device          string     `json:"device"`
}

// ExportLogin is a sign-in record.
type ExportLogin struct {
	CreatedAt time.Time `db:"created_at" json:"created"`
	IP        string    `db:"ip" json:"ip"`
	UserAgent string    `db:"user_agent" json:"user_agent"`
	Browser   string    `db:"browser" json:"browser"`
	OS        string    `db:"os" json:"os"`
	Device    string    `db:"device" json:"device"`
}

// Export gathers everything stored about the person with this address;
// opts adds what staff chose to show customers (each ticket's tags).
// Replies from staff say "support" as their sender: staff's own addresses
// are not the customer's data.
// replyTo gives the address replies to a ticket number go to. Internal notes
// are staff's, not the person's, and are left out.
func (db *DB) Export(ctx context.Context, email string, replyTo func(number int64) string, opts ...ExportOpts) (*Export, error) {
	var o ExportOpts
	for _, x := range opts {
		o.Tags = o.Tags || x.Tags
	}
	u, err := db.UserByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	out := &Export{
		User:     ExportUser{Email: u.Email, Name: u.Name, Role: u.Role, CreatedAt: u.CreatedAt, Language: u.Language},
		Tickets:  []ExportTicket{},
		Emails:   []ExportEmail{},
		Sessions: []ExportSession{},
		Logins:   []ExportLogin{},
	}
	if out.User.Addresses, err = db.OtherAddresses(ctx, u.ID); err != nil {
		return nil, err
	}
	err = db.X.SelectContext(ctx, &out.Tickets, db.q(`SELECT t.id, t.number, t.subject, t.status, t.priority, t.category, t.created_at
		FROM tickets t JOIN participants p ON p.ticket_id = t.id WHERE p.user_id = ? ORDER BY t.number`), u.ID)
	if err != nil {
		return nil, fmt.Errorf("store: export tickets: %w", err)
	}
	for i := range out.Tickets {
		t := &out.Tickets[i]
		t.ReplyTo = replyTo(t.Number)
		if t.Messages, err = db.exportMessages(ctx, t.ID); err != nil {
			return nil, err
		}
		if o.Tags {
			if t.Tags, err = db.TicketTags(ctx, t.ID); err != nil {
				return nil, err
			}
		}
	}
	err = db.X.SelectContext(ctx, &out.Emails, db.q(`SELECT e.kind, t.number AS ticket, e.subject, e.status, e.created_at
		FROM emails e LEFT JOIN tickets t ON t.id = e.ticket_id WHERE e.to_email = ? OR e.user_id = ? ORDER BY e.id`), u.Email, u.ID)
	if err != nil {
		return nil, fmt.Errorf("store: export emails: %w", err)
	}
	var sessions []Session
	if err := db.X.SelectContext(ctx, &sessions, db.q(`SELECT * FROM sessions WHERE user_id = ? ORDER BY id`), u.ID); err != nil {
		return nil, fmt.Errorf("store: export sessions: %w", err)
	}
	for _, s := range sessions {
		out.Sessions = append(out.Sessions, ExportSession{CreatedAt: s.CreatedAt, StartedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt,
			LastSeenAt: s.LastSeenAt, EndedAt: s.EndedAt, EndReason: s.EndReason, DurationSeconds: int64(s.Duration(s.LastSeenAt).Seconds()),
			IP: s.IP, UserAgent: s.UserAgent, Browser: s.Browser, OS: s.OS, Device: s.Device})
	}
	err = db.X.SelectContext(ctx, &out.Logins, db.q(`SELECT created_at, ip, user_agent, browser, os, device FROM logins WHERE user_id = ? ORDER BY id`), u.ID)
	if err != nil {
		return nil, fmt.Errorf("store: export logins: %w", err)
	}
	choices, err := db.Choices(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range choices {
		out.Choices = append(out.Choices, ExportChoice{Kind: c.Kind, Objected: c.Objected, ChangedAt: c.ChangedAt, RecordedByStaff: c.ChangedBy != nil})
	}
	if out.UsageEvents, err = db.UsageEvents(ctx, u.ID); err != nil {
		return nil, err
	}
	if out.PolicyDismissals, err = db.PolicyDismissals(ctx, u.ID); err != nil {
		return nil, err
	}
	if out.Ratings, err = db.exportRatings(ctx, u.ID); err != nil {
		return nil, err
	}
	profile, err := db.StaffProfile(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if profile.UpdatedAt != nil {
		out.StaffProfile = profile
	}
	return out, nil
}

func (db *DB) exportMessages(ctx context.Context, ticketID int64) ([]ExportMessage, error) {
	out := []ExportMessage{}
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT m.id, m.kind, CASE WHEN m.kind = 'inbound' THEN COALESCE(u.email, '') ELSE 'support' END AS "from", m.created_at, m.visible_text AS text
		FROM messages m LEFT JOIN users u ON u.id = m.author_id
		WHERE m.ticket_id = ? AND m.kind <> 'note' ORDER BY m.created_at, m.id`), ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: export messages: %w", err)
	}
	for i := range out {
		out[i].Attachments = []ExportAttachment{}
		err := db.X.SelectContext(ctx, &out[i].Attachments, db.q(`SELECT filename, content_type, size FROM attachments WHERE message_id = ? ORDER BY id`), out[i].ID)
		if err != nil {
			return nil, fmt.Errorf("store: export attachments: %w", err)
		}
	}
	return out, nil
}

// ExportFile is one attachment of a person's export, for the ZIP beside
// the JSON document.
type ExportFile struct {
	MessageID int64  `db:"message_id"`
	Filename  string `db:"filename"`
	BlobKey   string `db:"blob_key"`
}

// ExportFiles lists the files of the messages the export shows (internal
// notes are left out, as in Export).
func (db *DB) ExportFiles(ctx context.Context, email string) ([]ExportFile, error) {
	u, err := db.UserByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	var out []ExportFile
	err = db.X.SelectContext(ctx, &out, db.q(`SELECT a.message_id, a.filename, a.blob_key FROM attachments a
		JOIN messages m ON m.id = a.message_id JOIN participants p ON p.ticket_id = m.ticket_id
		WHERE p.user_id = ? AND m.kind <> 'note' ORDER BY a.id`), u.ID)
	if err != nil {
		return nil, fmt.Errorf("store: export files: %w", err)
	}
	return out, nil
}

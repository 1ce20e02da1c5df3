package store

import (
	"database/sql"
	"time"
)

var sqlErrNoRows = sql.ErrNoRows

// User is a person Dargo knows: a customer, a staff member or an admin.
type User struct {
	ID        int64      `db:"id"`
	Email     string     `db:"email"`
	Name      string     `db:"name"`
	Role      string     `db:"role"`
	CreatedAt time.Time  `db:"created_at"`
	UpdatedAt time.Time  `db:"updated_at"`
	ErasedAt  *time.Time `db:"erased_at"` // set when the person's data was erased
	// MergedInto is the person this record was merged into: its address
	// is now one of theirs (store/customers_merge.go).
	MergedInto *int64 `db:"merged_into"`
	// Language is what the person is written to in (internal/i18n): set
	// from their first mail, changed on /account; "" is not known yet.
	Language string `db:"language"`
}

// Ticket is one support conversation.
type Ticket struct {
	ID             int64     `db:"id"`
	Number         int64     `db:"number"`
	CustomerID     int64     `db:"customer_id"`
	AssigneeID     *int64    `db:"assignee_id"`
	Subject        string    `db:"subject"`
	Status         string    `db:"status"`
	Priority       string    `db:"priority"`
	Category       string    `db:"category"`
	Flag           string    `db:"flag"` // spam or dmarc: look before trusting
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`
	LastActivityAt time.Time `db:"last_activity_at"`
	// MergedInto is the ticket this one was merged into (its id); nil when not merged.
	MergedInto *int64     `db:"merged_into"`
	MergedAt   *time.Time `db:"merged_at"`
	MergedBy   *int64     `db:"merged_by"`
	// Channel is how the ticket came in: ChannelStaff for one a staff
	// member opened by writing to the customer first; ChannelMail or
	// ChannelPortal for one its customer opened, as its first message's
	// source was (recorded at creation); "" when not recorded (a split-off
	// ticket: reports then read its first message's source).
	Channel string `db:"channel"`
	// StatusAt is when the ticket took its status (lifecycle.go): nil on
	// rows written before it was recorded.
	StatusAt          *time.Time `db:"status_at"`
	AutocloseWarnedAt *time.Time `db:"autoclose_warned_at"`
	// SnoozedUntil hides the ticket from the inbox queues until then.
	SnoozedUntil *time.Time `db:"snoozed_until"`
	SnoozedBy    *int64     `db:"snoozed_by"`
	// FollowUpOf is the long-closed ticket a reply opened this one after.
	FollowUpOf *int64 `db:"follow_up_of"`
}

// Snoozed reports whether the ticket is out of the queues at now.
func (t Ticket) Snoozed(now time.Time) bool {
	return t.SnoozedUntil != nil && t.SnoozedUntil.After(now)
}

// How tickets came in (Ticket.Channel).
const (
	ChannelStaff  = "staff"  // a staff member started it
	ChannelMail   = "mail"   // its customer wrote in by mail
	ChannelPortal = "portal" // its customer wrote in on the portal
)

// channelOf is the channel of a ticket its first message, from source
// (email or web), opened; "" when there is no message (staff start).
func channelOf(source string) string {
	switch source {
	case SourceWeb:
		return ChannelPortal
	case SourceEmail:
		return ChannelMail
	}
	return ""
}

// Message is one entry in a ticket's thread.
type Message struct {
	ID            int64     `db:"id"`
	TicketID      int64     `db:"ticket_id"`
	AuthorID      *int64    `db:"author_id"`
	Kind          string    `db:"kind"`
	Source        string    `db:"source"`
	MessageID     string    `db:"message_id"`
	Subject       string    `db:"subject"`
	Text          string    `db:"text"`
	VisibleText   string    `db:"visible_text"`
	HTML          string    `db:"html"`
	Auto          bool      `db:"auto"`
	Flag          string    `db:"flag"`
	InboundMailID *int64    `db:"inbound_mail_id"`
	CreatedAt     time.Time `db:"created_at"`
	// SenderAuth is SenderVerified or SenderUnverified; SenderAuthReason says why.
	SenderAuth       string `db:"sender_auth"`
	SenderAuthReason string `db:"sender_auth_reason"`
	// ForwardID marks a note that is a third party's answer to a forward.
	ForwardID *int64 `db:"forward_id"`
}

// Attachment is a file on a message; its bytes live in the blob store.
type Attachment struct {
	ID          int64     `db:"id"`
	MessageID   int64     `db:"message_id"`
	Filename    string    `db:"filename"`
	ContentType string    `db:"content_type"`
	ContentID   string    `db:"content_id"`
	Inline      bool      `db:"inline"`
	Size        int64     `db:"size"`
	BlobKey     string    `db:"blob_key"`
	CreatedAt   time.Time `db:"created_at"`
}

// InboundMail is a raw received mail, kept before it is parsed.
type InboundMail struct {
	ID          int64      `db:"id"`
	Key         string     `db:"key"`
	SESID       string     `db:"ses_id"`
	Sender      string     `db:"sender"`
	Recipients  string     `db:"recipients"`
	Size        int64      `db:"size"`
	BlobKey     string     `db:"blob_key"`
	Verdicts    string     `db:"verdicts"`
	Status      string     `db:"status"`
	Action      string     `db:"action"`
	Reason      string     `db:"reason"`
	TicketID    *int64     `db:"ticket_id"`
	MessageID   *int64     `db:"message_id"`
	ReceivedAt  time.Time  `db:"received_at"`
	ProcessedAt *time.Time `db:"processed_at"`
}

// Email is one mail Dargo sends (or decided not to send) to a person.
type Email struct {
	ID        int64  `db:"id"`
	UserID    *int64 `db:"user_id"`
	ToEmail   string `db:"to_email"`
	Kind      string `db:"kind"`
	TicketID  *int64 `db:"ticket_id"`
	MessageID *int64 `db:"message_id"`
	Subject   string `db:"subject"`
	Status    string `db:"status"`
	Auto      bool   `db:"auto"`
	Reason    string `db:"reason"`
	SESID     string `db:"ses_id"`
	HeaderID  string `db:"header_id"` // the Message-ID we minted
	Attempts  int    `db:"attempts"`  // sends begun (SES calls)
	// SendingAt is set while a send is under way (ClaimSend); found set
	// by a later attempt, it means the earlier one was cut off.
	SendingAt   *time.Time `db:"sending_at"`
	Interrupted int        `db:"interrupted"` // attempts cut off inside the SES call: the mail may have gone twice
	CreatedAt   time.Time  `db:"created_at"`
	SentAt      *time.Time `db:"sent_at"`
	Broadcast   *int64     `db:"broadcast_id"` // id of the broadcast this mail is part of
	ActionID    *int64     `db:"action_id"`    // the undoable staff action that queued it
	Announces   string     `db:"announces"`    // a reply mail's status change, "" when none
	MergeID     *int64     `db:"merge_id"`     // the merge whose notice it is
	ForwardID   *int64     `db:"forward_id"`   // the forward whose mail it is
}

// Email kinds.
const (
	EmailConfirmation = "confirmation"
	EmailReply        = "reply"
	EmailStatus       = "status"
	EmailMagicLink    = "magic_link"
	// EmailPolicyNotice is the mail announcing a significant change to the
	// privacy policy or terms: essential, sent even to people who object to
	// optional mail.
	EmailPolicyNotice = "policy_notice"
	// EmailMerged tells a merged ticket's customer that their request
	// continues as the survivor; held until the merge's undo window passes.
	EmailMerged = "merged"
	// EmailForward carries one message of a ticket, with a staff note, to
	// a third party; its Reply-To is the forward's own address, and the
	// answer becomes an internal note.
	EmailForward = "forward"
)

// Email statuses.
const (
	EmailQueued     = "queued"
	EmailSent       = "sent"
	EmailFailed     = "failed"
	EmailSuppressed = "suppressed"
)

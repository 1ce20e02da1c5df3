package outbound

import (
	"errors"
	"time"
)

// Address is a mailbox: display name and address.
type Address struct {
	Name  string
	Email string
}

// Attachment is a file to attach.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Mail is one outgoing message before it becomes MIME.
type Mail struct {
	From       Address
	To         Address
	ReplyTo    string   // the ticket's reply address; "" for mails about no ticket
	Subject    string   // without our tag: Compose adds "[#N] " when Ticket > 0
	Ticket     int64    // the ticket number, 0 for none
	MessageID  string   // minted by us, without angle brackets
	InReplyTo  string   // without angle brackets
	References []string // without angle brackets, oldest first
	Auto       bool     // machine-made (confirmations, magic links): Auto-Submitted: auto-generated
	// Tag is this mail's signature for its recipient (internal/mailtag), in
	// X-Dargo-Mail: a delivery report is believed only when it returns it.
	Tag         string
	Text        string
	HTML        string
	Attachments []Attachment
	Date        time.Time
}

// Opts is what building notifications needs to know.
type Opts struct {
	From       Address
	BaseURL    string // portal links
	MailDomain string // for minted Message-IDs
	ReplyTo    func(number int64) string
	// StaffReplyTo is the reply address of a staff notice: signed for the
	// ticket number and the staff member (internal/replyaddr.StaffAddr).
	StaffReplyTo func(number, staffID int64) string
	// ForwardReplyTo is the reply address of a forward: signed for the
	// ticket number and the forward, so the answer becomes an internal note.
	ForwardReplyTo func(number, forwardID int64) string
	// MailLimit is DARGO_MAX_MAIL_BYTES, which the too-large notice states.
	MailLimit int64
	// RateLink is the signed link that rates a ticket for its customer
	// (internal/ratelink); nil puts no rating links in resolution mails.
	RateLink func(ticketID, userID int64, rating string) (string, error)
	// AutocloseWarn is DARGO_AUTOCLOSE_WARN_HOURS: the auto-close warning
	// says the request closes this long after it was sent (48 h when 0).
	AutocloseWarn time.Duration
}

// PermanentError marks a failure that retrying will not fix.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a permanent sending failure.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

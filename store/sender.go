package store

// How sure we are of who wrote a message, stored on every message
// (messages.sender_auth). Only verified mail may widen who sees a ticket.
const (
	// SenderVerified: the mail came to the ticket's reply address, or passed
	// DMARC, aligned DKIM or SPF, or a trusted host's Authentication-Results
	// said so; or a signed-in person wrote it on the web.
	SenderVerified = "verified"
	// SenderUnverified: the From header is all we have.
	SenderUnverified = "unverified"
)

// DefaultMaxCc is how many people one mail may add to a ticket when
// Incoming.MaxCc is 0 (DARGO_MAX_CC).
const DefaultMaxCc = 10

// maxSuggestionsPerMail bounds the suggestion rows one mail can write: a
// mail naming 300,000 addresses lists the first ones; the raw mail keeps all.
const maxSuggestionsPerMail = 200

// Why a Cc was suggested to staff instead of added.
const (
	CcUnverified  = "unverified"   // the mail's sender is not verified
	CcOverCap     = "over_cap"     // the mail named more than DARGO_MAX_CC new people
	CcNotCustomer = "not_customer" // only the ticket's customer brings people in
)

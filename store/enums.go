package store

// Roles a user may have (User.Role), from least to most trusted.
const (
	RoleCustomer = "customer"
	RoleStaff    = "staff"
	RoleAdmin    = "admin"
)

// Ticket statuses (Ticket.Status), in the order a ticket usually takes them.
const (
	StatusOpen     = "open"
	StatusPending  = "pending" // waiting for the customer
	StatusResolved = "resolved"
	StatusClosed   = "closed"
)

// Ticket priorities (Ticket.Priority), lowest first.
const (
	PriorityLow    = "low"
	PriorityNormal = "normal"
	PriorityHigh   = "high"
	PriorityUrgent = "urgent"
)

// The values a ticket's fields may take.
var (
	Statuses   = []string{StatusOpen, StatusPending, StatusResolved, StatusClosed}
	Priorities = []string{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}
)

// Message kinds (Message.Kind).
const (
	MessageInbound  = "inbound"  // from the customer or someone on Cc
	MessageOutbound = "outbound" // a staff reply, mailed to the participants
	MessageNote     = "note"     // an internal note, seen by staff only
)

// Where a message was written (Message.Source).
const (
	SourceEmail = "email" // received as mail
	SourceWeb   = "web"   // written on the portal or in the inbox
)

// How a person takes part in a ticket (participants.role).
const (
	ParticipantCustomer = "customer"
	ParticipantCc       = "cc"
)

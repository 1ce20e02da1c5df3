package web

import (
	"context"

	"github.com/dargo-support/dargo/store"
)

// TicketStore is what the portal and the inbox need from the database.
type TicketStore interface {
	DraftStore
	TicketByNumber(ctx context.Context, number int64) (*store.Ticket, error)
	IsParticipantUser(ctx context.Context, ticketID, userID int64) (bool, error)
	Thread(ctx context.Context, ticketID int64, withNotes bool) ([]store.ThreadMessage, error)
	ThreadLatest(ctx context.Context, ticketID int64, withNotes bool, n int) ([]store.ThreadMessage, int, error)
	MarkRead(ctx context.Context, ticketID, userID, messageID int64) error
	MessageByID(ctx context.Context, id int64) (*store.Message, error)
	Attachments(ctx context.Context, messageID int64) ([]store.Attachment, error)
	AttachmentByID(ctx context.Context, id int64) (*store.FileOf, error)
	ReadBlob(ctx context.Context, key string) ([]byte, error)
	RecordInbound(ctx context.Context, d *store.Incoming) (*store.Recorded, error)
	AddStaffReply(ctx context.Context, r store.StaffReply) (int64, error)
	ChangeTicket(ctx context.Context, c store.Change) error
	Activities(ctx context.Context, ticketID int64) ([]store.Activity, error)
	LastMessageID(ctx context.Context, ticketID int64) (int64, error)
	UserByID(ctx context.Context, id int64) (*store.User, error)
	Inbox(ctx context.Context, q store.InboxQuery) (*store.InboxPage, error)
	QueueCounts(ctx context.Context, viewerID int64) (store.QueueCounts, error)
	CustomerTickets(ctx context.Context, userID int64, after *store.Cursor, limit int) (*store.InboxPage, error)
	CcSuggestions(ctx context.Context, ticketID int64) ([]store.CcSuggestion, error)
	AcceptCc(ctx context.Context, ticketID, id, staffID int64) (*store.CcSuggestion, error)
	DismissCc(ctx context.Context, ticketID, id, staffID int64) (int, error)
	PeopleStore
	NoticeStore
	TagStore
	MailLogStore
	MergeStore
	SplitStore
	StartStore
	LifecycleStore
}

// NoticeStore is what staff notifications need on the web: a staff
// member's choices, who follows a ticket, and whom a note can @mention.
type NoticeStore interface {
	StaffPrefs(ctx context.Context, userID int64) (*store.StaffPrefs, error)
	SaveStaffPrefs(ctx context.Context, p store.StaffPrefs) error
	Follow(ctx context.Context, ticketID, userID int64) error
	Unfollow(ctx context.Context, ticketID, userID int64) error
	Followers(ctx context.Context, ticketID int64) ([]store.User, error)
	Mentionables(ctx context.Context) ([]store.Mentionable, error)
}

var _ TicketStore = (*store.DB)(nil)

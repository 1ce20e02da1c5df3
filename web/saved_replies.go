package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dargo-support/dargo/store"
)

// SavedReplyStore is what saved replies (issue 17) need on the web.
type SavedReplyStore interface {
	CreateSavedReply(ctx context.Context, staffID int64, in store.SavedReplyInput) (*store.SavedReply, error)
	UpdateSavedReply(ctx context.Context, staffID, id int64, in store.SavedReplyInput) (*store.SavedReply, error)
	DeleteSavedReply(ctx context.Context, staffID, id int64) error
	SavedReply(ctx context.Context, staffID, id int64) (*store.SavedReply, error)
	SavedReplies(ctx context.Context, staffID int64, q string, limit int) ([]store.SavedReply, error)
	RenderSavedReply(ctx context.Context, ticketID, staffID, replyID int64) (*store.SavedReply, store.Rendered, error)
	AddStaffReplyWithSaved(ctx context.Context, r store.StaffReply, replyID int64, actions bool) (int64, error)
	ApplySavedReplyActions(ctx context.Context, ticketID, staffID, replyID int64, hold time.Duration) error
}

var _ SavedReplyStore = (*store.DB)(nil)

// savedReplies serves /inbox/saved-replies (the management pages) and the
// composer's picker. Any staff member may make a reply, shared or personal,
// and use every shared one; a personal reply is its owner's alone; a shared
// one is changed by the person who made it or an admin (the store decides).
type savedReplies struct {
	store      SavedReplyStore // nil when o.Tickets keeps no saved replies
	tickets    TicketStore
	staff      Store
	pages      *pages
	categories []string
}

func newSavedReplies(o Opts, p *pages) *savedReplies {
	s, _ := o.Tickets.(SavedReplyStore)
	return &savedReplies{store: s, tickets: o.Tickets, staff: o.Store, pages: p, categories: o.Categories}
}

// savedReplyRow is a saved reply as lists show it.
type savedReplyRow struct {
	store.SavedReply
	Actions  []string
	Snippet  string
	Editable bool
}

// rows describes each reply for the viewer.
func (h *savedReplies) rows(ctx context.Context, list []store.SavedReply, viewer *store.User) ([]savedReplyRow, error) {
	staff, err := h.staff.Staff(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]savedReplyRow, 0, len(list))
	for _, s := range list {
		out = append(out, savedReplyRow{SavedReply: s, Actions: savedActions(s, staff), Snippet: snippet(s.Body, 90),
			Editable: store.CanEditSavedReply(s, viewer.ID, hasRole(viewer, store.RoleAdmin))})
	}
	return out, nil
}

// savedActions says, in words, what sending the reply does to the ticket.
func savedActions(s store.SavedReply, staff []store.User) []string {
	var out []string
	if s.Status != "" {
		out = append(out, "set status "+s.Status)
	}
	if s.Priority != "" {
		out = append(out, "set priority "+s.Priority)
	}
	if s.Category != "" {
		out = append(out, "set category "+s.Category)
	}
	if s.AssigneeID != nil {
		who := "a former colleague"
		for _, u := range staff {
			if u.ID == *s.AssigneeID {
				who = staffName(u)
			}
		}
		out = append(out, "assign to "+who)
	}
	if tags := s.Tags(); len(tags) == 1 {
		out = append(out, "add tag "+tags[0])
	} else if len(tags) > 1 {
		out = append(out, "add tags "+strings.Join(tags, ", "))
	}
	return out
}

// staffName is how a colleague is named in the inbox.
func staffName(u store.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// snippet is the start of a text on one line, at most n characters.
func snippet(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// savedID reads a saved reply's id from the path.
func savedID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

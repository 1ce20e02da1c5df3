package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// notifyView is what a staff ticket page shows of staff notifications: who
// follows the ticket and the viewer's Follow button, the staff a note can
// @mention (for the composer's suggestions), notes with their mentions as
// links, and why answers by mail were held.
type notifyView struct {
	Followers    []string // display names, else names, else addresses
	Following    bool     // the viewer follows the ticket
	Mentionables []store.Mentionable
	Colleagues   []store.Mentionable     // Mentionables but the viewer: whom the composer suggests
	Notes        map[int64]template.HTML // note id → its text, @mentions linked
	Held         map[int64]string        // held note id → why it was not acted on
}

// followNotices say what the Follow button did (?notice=…); %d is the
// ticket's number.
var followNotices = map[string]string{
	"followed":            "You follow #%d: you'll get mail when the customer writes.",
	"followed-quiet":      "You follow #%d, but your notifications are set to send no mail when a customer writes (see your account).",
	"followed-away":       "You follow #%d, but you are away: no mail until you switch that off on your account.",
	"unfollowed":          "You no longer follow #%d: no more mail when the customer writes.",
	"unfollowed-assignee": "You no longer follow #%d, but as its assignee you still get mail when the customer writes.",
}

// loadNotify fills in the ticket page's followers, mentions and held
// notes, and the Follow button's notice.
func (h *inboxHandler) loadNotify(ctx context.Context, r *http.Request, t *store.Ticket, data *staffTicketPage) error {
	v := viewerFrom(ctx)
	staff, err := h.store.Mentionables(ctx)
	if err != nil {
		return err
	}
	followers, err := h.store.Followers(ctx, t.ID)
	if err != nil {
		return err
	}
	n := &data.Notify
	n.Mentionables, n.Colleagues = staff, []store.Mentionable{}
	for _, m := range staff {
		if m.ID != v.User.ID {
			n.Colleagues = append(n.Colleagues, m)
		}
	}
	for _, f := range followers {
		n.Followers = append(n.Followers, staffLabel(f, staff))
		n.Following = n.Following || f.ID == v.User.ID
	}
	n.Notes, n.Held = map[int64]template.HTML{}, map[int64]string{}
	for _, m := range data.Messages {
		if m.Kind != store.MessageNote {
			continue
		}
		n.Notes[m.ID] = mentionHTML(m.VisibleText, staff)
		if m.Flag == store.FlagHeld {
			n.Held[m.ID] = strings.TrimPrefix(m.SenderAuthReason, "held: ")
		}
	}
	if text, ok := followNotices[r.URL.Query().Get("notice")]; ok && data.Notice == "" && data.Error == "" {
		data.Notice = strings.Replace(text, "%d", itoa(t.Number), 1)
	}
	return nil
}

// staffLabel names a staff member: display name, else name, else address.
func staffLabel(u store.User, staff []store.Mentionable) string {
	for _, m := range staff {
		if m.ID == u.ID && strings.TrimSpace(m.DisplayName) != "" {
			return m.DisplayName
		}
	}
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

func (h *inboxHandler) follow(w http.ResponseWriter, r *http.Request)   { h.setFollow(w, r, true) }
func (h *inboxHandler) unfollow(w http.ResponseWriter, r *http.Request) { h.setFollow(w, r, false) }

// setFollow makes the viewer follow the ticket, or stop, and goes back to
// it saying what that means for their mail.
func (h *inboxHandler) setFollow(w http.ResponseWriter, r *http.Request, on bool) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	ctx, v := r.Context(), viewerFrom(r.Context())
	code := "unfollowed"
	if on {
		code = "followed"
		err = h.store.Follow(ctx, t.ID, v.User.ID)
		if err == nil {
			code, err = h.followCode(ctx, v.User.ID)
		}
	} else {
		err = h.store.Unfollow(ctx, t.ID, v.User.ID)
		if t.AssigneeID != nil && *t.AssigneeID == v.User.ID {
			code = "unfollowed-assignee"
		}
	}
	if errors.Is(err, store.ErrInvalidChange) {
		h.pages.message(w, r, http.StatusForbidden, "Not allowed", "Only staff follow tickets.")
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	to := ticketURL(t.Number, backParam(r))
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r, to+sep+"notice="+code, http.StatusSeeOther) // #nosec G710 -- our own ticket path (backParam checks the list); code is a constant
}

// followCode says what following means for the staff member's mail: a
// notice when a customer writes, unless their choices say otherwise.
func (h *inboxHandler) followCode(ctx context.Context, userID int64) (string, error) {
	p, err := h.store.StaffPrefs(ctx, userID)
	switch {
	case err != nil:
		return "", err
	case p.Away:
		return "followed-away", nil
	case !p.Wants(store.NoticeCustomerReply):
		return "followed-quiet", nil
	}
	return "followed", nil
}

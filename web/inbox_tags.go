package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// TagStore is what tags need on the web: a ticket's tags, changing them,
// and the admin page's rename and merge.
type TagStore interface {
	AddTags(ctx context.Context, ticketID, staffID int64, tags []string) ([]string, error)
	RemoveTags(ctx context.Context, ticketID, staffID int64, tags []string) ([]string, error)
	TicketTags(ctx context.Context, ticketID int64) ([]string, error)
	Tags(ctx context.Context) ([]store.TagCount, error)
	RenameTag(ctx context.Context, staffID int64, from, to string) (int, error)
	MergeTags(ctx context.Context, staffID int64, from []string, into string) (int, error)
}

var _ TagStore = (*store.DB)(nil)

// tagsView is the ticket's tags as the staff page shows them, every tag
// for the add form's suggestions, and the add form as typed after a
// failed add.
type tagsView struct {
	List  []string
	All   []string
	Input string
	Error string
}

// tagNotices say what a tag action did (?notice=…&tag=…); %s is the tags.
var tagNotices = map[string]string{
	"tags-added":   "Tagged this ticket %s.",
	"tags-already": "This ticket already has %s: nothing changed.",
	"tag-removed":  "Removed the tag %s from this ticket.",
	"tag-gone":     "This ticket did not have the tag %s (perhaps a colleague removed it): nothing changed.",
}

// loadTags fills in the ticket's tags and every tag, and the notice of a
// tag action, naming only tags the ticket has (added) or has not (removed),
// so a crafted link cannot make the page say something untrue.
func (h *inboxHandler) loadTags(ctx context.Context, r *http.Request, t *store.Ticket, data *staffTicketPage) error {
	var err error
	if data.Tags.List, err = h.store.TicketTags(ctx, t.ID); err != nil {
		return err
	}
	all, err := h.store.Tags(ctx)
	if err != nil {
		return err
	}
	for _, c := range all {
		data.Tags.All = append(data.Tags.All, c.Name)
	}
	code := r.URL.Query().Get("notice")
	text, ok := tagNotices[code]
	if !ok || data.Notice != "" || data.Error != "" || data.Tags.Error != "" {
		return nil
	}
	var names []string
	for _, n := range r.URL.Query()["tag"] {
		if slices.Contains(data.Tags.List, n) == (code != "tag-removed" && code != "tag-gone") {
			names = append(names, "“"+n+"”")
		}
	}
	if len(names) > 0 {
		data.Notice = strings.Replace(text, "%s", strings.Join(names, ", "), 1)
	}
	return nil
}

// addTags puts the comma-separated tags typed on the ticket.
func (h *inboxHandler) addTags(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	typed := r.PostFormValue("tags")
	again := func(problem string) {
		h.renderTicket(w, r, http.StatusBadRequest, t, staffTicketPage{Tags: tagsView{Input: typed, Error: problem}})
	}
	names, err := store.ParseTags(typed)
	switch {
	case errors.Is(err, store.ErrInvalidTag):
		again("A tag has at most 40 characters and no commas or control characters; separate tags with commas.")
		return
	case err == nil && len(names) == 0:
		again("Type a tag, or several separated by commas.")
		return
	}
	added, err := h.store.AddTags(r.Context(), t.ID, viewerFrom(r.Context()).User.ID, names)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if len(added) == 0 {
		h.tagsDone(w, r, t, "tags-already", names)
		return
	}
	h.tagsDone(w, r, t, "tags-added", added)
}

// removeTag takes one tag off the ticket.
func (h *inboxHandler) removeTag(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	name, err := store.NormalizeTag(r.PostFormValue("tag"))
	if err != nil {
		h.renderTicket(w, r, http.StatusBadRequest, t, staffTicketPage{Tags: tagsView{Error: "That is not a tag this ticket could have."}})
		return
	}
	removed, err := h.store.RemoveTags(r.Context(), t.ID, viewerFrom(r.Context()).User.ID, []string{name})
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	code := "tag-removed"
	if len(removed) == 0 {
		code = "tag-gone"
	}
	h.tagsDone(w, r, t, code, []string{name})
}

// tagsDone goes back to the ticket's tags, saying what happened.
func (h *inboxHandler) tagsDone(w http.ResponseWriter, r *http.Request, t *store.Ticket, code string, names []string) {
	to := ticketURL(t.Number, backParam(r))
	q := url.Values{"notice": {code}, "tag": names}
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r, to+sep+q.Encode()+"#tags-h", http.StatusSeeOther) // #nosec G710 -- our own ticket path (backParam checks the list); the rest is encoded
}

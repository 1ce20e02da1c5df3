package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dargo-support/dargo/store"
)

// MergeStore is what merging tickets needs from the database.
type MergeStore interface {
	MergeTickets(ctx context.Context, from []int64, into, actorID int64) ([]store.Merge, error)
	UndoMerges(ctx context.Context, mergeIDs []int64, actorID int64) ([]store.Merge, error)
	Merges(ctx context.Context, ids []int64) ([]store.Merge, error)
	Survivor(ctx context.Context, t *store.Ticket) (*store.Ticket, error)
}

var _ MergeStore = (*store.DB)(nil)

// mergePage asks staff to confirm a merge, showing every subject.
type mergePage struct {
	From  []*store.Ticket
	Into  *store.Ticket
	Typed string // the survivor's number as typed
	Back  string
	Error string
}

// mergeNote is the survivor page's line about a merge just made, with its
// Undo while the window lasts.
type mergeNote struct {
	What string
	IDs  []int64
	Left int // whole seconds Undo still works
}

// mergeFromTicket is the ticket page's "Merge into…" form.
func (h *inboxHandler) mergeFromTicket(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	h.merge(w, r, []int64{t.Number})
}

// mergeFromList is the inbox list's "Merge selected into #N" form.
func (h *inboxHandler) mergeFromList(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.pages.render(w, r, http.StatusBadRequest, "inbox_merge.html", "Merge tickets", mergePage{Error: "The form did not arrive whole; try again."})
		return
	}
	var from []int64
	for _, s := range r.PostForm["ticket"] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			h.pages.render(w, r, http.StatusBadRequest, "inbox_merge.html", "Merge tickets", mergePage{Error: "Choose tickets from the list."})
			return
		}
		from = append(from, n)
	}
	h.merge(w, r, from)
}

// merge shows the confirmation (both subjects) until it is confirmed, then
// merges and goes to the survivor, which says what happened and offers Undo.
func (h *inboxHandler) merge(w http.ResponseWriter, r *http.Request, from []int64) {
	ctx := r.Context()
	data := mergePage{Typed: strings.TrimPrefix(strings.TrimSpace(r.PostFormValue("into")), "#"), Back: backParam(r)}
	fail := func(status int, msg string) {
		data.Error = msg
		h.pages.render(w, r, status, "inbox_merge.html", "Merge tickets", data)
	}
	if len(from) == 0 {
		fail(http.StatusBadRequest, "Choose at least one ticket to merge.")
		return
	}
	for _, n := range from {
		t, err := h.store.TicketByNumber(ctx, n)
		if errors.Is(err, store.ErrNotFound) {
			fail(http.StatusNotFound, "There is no ticket #"+itoa(n)+".")
			return
		}
		if err != nil {
			h.pages.fail(w, r, err)
			return
		}
		data.From = append(data.From, t)
	}
	into, err := strconv.ParseInt(data.Typed, 10, 64)
	if data.Typed == "" || err != nil || into <= 0 {
		fail(http.StatusUnprocessableEntity, "Type the number of the ticket to merge into.")
		return
	}
	data.Into, err = h.store.TicketByNumber(ctx, into)
	if errors.Is(err, store.ErrNotFound) {
		fail(http.StatusUnprocessableEntity, "There is no ticket #"+itoa(into)+".")
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if r.PostFormValue("confirm") == "" {
		h.pages.render(w, r, http.StatusOK, "inbox_merge.html", "Merge tickets", data)
		return
	}
	merges, err := h.store.MergeTickets(ctx, from, into, viewerFrom(ctx).User.ID)
	var refused *store.MergeRefused
	if errors.As(err, &refused) {
		fail(http.StatusConflict, "Not merged: "+refused.Reason+".")
		return
	}
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	q := url.Values{}
	for _, m := range merges {
		q.Add("merged", strconv.FormatInt(m.ID, 10))
	}
	if data.Back != "" {
		q.Set("back", data.Back)
	}
	http.Redirect(w, r, "/inbox/tickets/"+itoa(into)+"?"+q.Encode(), http.StatusSeeOther)
}

// mergeNoteFor says what the merges in ?merged= did to survivor t; nil
// when none of them is one into t that is still undoable.
func (h *inboxHandler) mergeNoteFor(ctx context.Context, r *http.Request, t *store.Ticket) (*mergeNote, error) {
	var ids []int64
	for _, s := range r.URL.Query()["merged"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 && len(ids) < 50 {
			ids = append(ids, id)
		}
	}
	merges, err := h.store.Merges(ctx, ids)
	if err != nil || len(merges) == 0 {
		return nil, err
	}
	note := &mergeNote{}
	var numbers []string
	for _, m := range merges {
		if m.IntoID != t.ID || m.UndoneAt != nil {
			continue
		}
		note.IDs = append(note.IDs, m.ID)
		numbers = append(numbers, "#"+itoa(m.Number))
		left := int(time.Until(m.UndoUntil().Add(-store.UndoMargin)) / time.Second)
		if note.Left == 0 || left < note.Left {
			note.Left = left
		}
	}
	if len(note.IDs) == 0 {
		return nil, nil
	}
	note.What = "Merged " + strings.Join(numbers, ", ") + " into this ticket: their messages, people and files are here, and mail to them comes here"
	if note.Left <= 0 {
		note.IDs = nil // the window has passed: no Undo
	}
	return note, nil
}

// undoMerge takes merges back within the window.
func (h *inboxHandler) undoMerge(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		h.pages.notFound(w, r)
		return
	}
	var ids []int64
	for _, s := range r.PostForm["merge"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	merges, err := h.store.Merges(ctx, ids)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if len(merges) == 0 || len(merges) != len(ids) {
		h.pages.notFound(w, r)
		return
	}
	_, err = h.store.UndoMerges(ctx, ids, viewerFrom(ctx).User.ID)
	var refused *store.MergeRefused
	if errors.As(err, &refused) {
		http.Redirect(w, r, "/inbox/tickets/"+itoa(merges[0].IntoNumber)+"?notice=merge-kept", http.StatusSeeOther)
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/inbox/tickets/"+itoa(merges[0].Number)+"?notice=merge-undone", http.StatusSeeOther)
}

// mergeNotices are what a ticket page says after a merge's undo.
var mergeNotices = map[string]string{
	"merge-undone": "Merge undone: this ticket has its messages, people and status back; no notice was sent.",
	"merge-kept":   "Too late to undo the merge: it stays as it is.",
}

// redirectMerged sends a GET for a merged ticket to the ticket it
// continues as (prefix is /inbox/tickets/ or /tickets/); false when t is
// not merged.
func redirectMerged(w http.ResponseWriter, r *http.Request, s MergeStore, t *store.Ticket, prefix string) (bool, error) {
	if t.MergedInto == nil {
		return false, nil
	}
	to, err := s.Survivor(r.Context(), t)
	if err != nil {
		return false, err
	}
	q := url.Values{"from": {itoa(t.Number)}}
	if b := backParam(r); b != "" && prefix == "/inbox/tickets/" {
		q.Set("back", b)
	}
	http.Redirect(w, r, prefix+itoa(to.Number)+"?"+q.Encode(), http.StatusSeeOther) // #nosec G710 -- a fixed path (prefix is one of two constants) and a number; the query is encoded
	return true, nil
}

// mergedFrom says "#A was merged into this ticket" for ?from=A when A was
// merged (directly or along a chain) into t; "" otherwise.
func mergedFrom(ctx context.Context, s interface {
	MergeStore
	TicketByNumber(ctx context.Context, number int64) (*store.Ticket, error)
}, r *http.Request, t *store.Ticket) string {
	n, err := strconv.ParseInt(r.URL.Query().Get("from"), 10, 64)
	if err != nil || n <= 0 {
		return ""
	}
	old, err := s.TicketByNumber(ctx, n)
	if err != nil || old.MergedInto == nil {
		return ""
	}
	if to, err := s.Survivor(ctx, old); err != nil || to.ID != t.ID {
		return ""
	}
	return "Merged into #" + itoa(t.Number) + ": #" + itoa(n) + " continues here."
}

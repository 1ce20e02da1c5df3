package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/dargo-support/dargo/store"
)

// reply sends a staff reply (mailed to the customer, threaded) or adds an
// internal note; a reply may set the status in the same step, a note never
// does (a status posted with it is ignored). A reply whose form was opened
// before another reply arrived is held back once, with a notice. Whatever
// stops it (a file too large, a missing text, the held-back reply, a chip's
// remove button) keeps the text as the draft and the files staged.
func (h *inboxHandler) reply(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	v := viewerFrom(r.Context())
	note := r.URL.Query().Get("note") == "1"
	c, err := startComposing(w, r, h.store, v.User.ID, t.ID)
	if err != nil {
		h.pages.failForm(w, r, err)
		return
	}
	// Either the mode or the button pressed makes it a note: without the
	// stylesheet both buttons show, and a mail must never go out by mistake.
	note = note || r.PostFormValue("kind") == "note" || r.PostFormValue("send") == "note"
	text, err := formText(r, "text", maxTextBytes)
	hold := func(status int, page staffTicketPage) {
		kind := store.DraftReply
		if note {
			kind = store.DraftNote
		}
		held, kerr := c.keep(r.Context(), store.Draft{Kind: kind, Text: text})
		if kerr != nil {
			h.pages.fail(w, r, kerr)
			return
		}
		page.Draft, page.DraftNote, page.Held = text, note, held
		h.renderTicket(w, r, status, t, page)
	}
	if id, ok := c.removing(r); ok {
		said, err := c.remove(r.Context(), id)
		if err != nil {
			h.pages.fail(w, r, err)
			return
		}
		c.held.Notice = said
		hold(http.StatusOK, staffTicketPage{})
		return
	}
	if r.PostFormValue("pick") == "saved" {
		h.toSavedPicker(w, r, c, t, text, note) // saved_replies_compose.go
		return
	}
	if err == nil && text == "" {
		err = errEmptyReply
	}
	if err != nil || c.held.FileError != "" {
		if err != nil {
			c.held.TextError = err.Error()
		}
		hold(http.StatusBadRequest, staffTicketPage{Error: problems(c.held.TextError, c.held.FileError)})
		return
	}
	status := r.PostFormValue("status")
	if status != "" && !note && !slices.Contains(store.Statuses, status) {
		hold(http.StatusBadRequest, staffTicketPage{Error: "Choose a status from the list."})
		return
	}
	seen, _ := strconv.ParseInt(r.PostFormValue("last_message"), 10, 64)
	last, err := h.store.LastMessageID(r.Context(), t.ID)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	key := postedKey(r)
	if h.undo.replied(r.Context(), v.User.ID, key) {
		// The same form again (a double click, or the loser of two
		// simultaneous posts, whose "new message" is its twin): done.
		h.replied(w, r, t)
		return
	}
	if !note && last > seen && r.PostFormValue("send_anyway") != "1" {
		hold(http.StatusConflict, staffTicketPage{Collision: true,
			Error: "A new message arrived while you were writing. Read it, then send your reply again: your text and files are kept."})
		return
	}
	if gone, err := h.savedGone(r); err != nil || gone != "" {
		if err != nil {
			h.pages.fail(w, r, err)
			return
		}
		hold(http.StatusConflict, staffTicketPage{Error: gone})
		return
	}
	files, err := c.attachments(r.Context())
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	reply := store.StaffReply{TicketID: t.ID, AuthorID: v.User.ID, Text: text, Note: note, Attachments: files, Key: key}
	if !note {
		// One step, one mail: the reply's mail tells of the status, and
		// it waits for an Undo.
		reply.Status, reply.Hold = status, h.undo.window()
	}
	if _, err := h.sendReply(r, reply); err != nil {
		if msg := savedSendProblem(r, err); msg != "" {
			hold(http.StatusConflict, staffTicketPage{Error: msg})
			return
		}
		h.pages.failOr404(w, r, err)
		return
	}
	c.sent(r.Context(), h.log)
	used(r, replyFeature(note))
	usedWhen(r, reply.Status != "" && reply.Status != t.Status, store.FeatureStatusChanged)
	h.presence.leave(r.Context(), t.ID, v.User.ID)
	h.replied(w, r, t)
}

// replied sends staff on after a reply: back to the ticket, or with "Send
// and next" to the next ticket of the list they came from (as the list was
// sorted before the reply), or to that list when there is none.
func (h *inboxHandler) replied(w http.ResponseWriter, r *http.Request, t *store.Ticket) {
	back := backParam(r)
	if r.PostFormValue("after") != "next" || h.undo == nil {
		http.Redirect(w, r, ticketURL(t.Number, back)+"#latest", http.StatusSeeOther) // #nosec G710 -- our own inbox path (backParam checks it)
		return
	}
	next, err := h.undo.nextInList(r.Context(), viewerFrom(r.Context()).User.ID, back, t)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if next == 0 {
		http.Redirect(w, r, listURL(back, "last", t.Number, 0), http.StatusSeeOther) // #nosec G710 -- our own inbox path (backParam checks it)
		return
	}
	http.Redirect(w, r, withNotice(ticketURL(next, back), "sent", 0), http.StatusSeeOther) // #nosec G710 -- our own inbox path (backParam checks it)
}

package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/inbound/mailparse"

	"github.com/dargo-support/dargo/internal/textsafe"
	"github.com/dargo-support/dargo/store"
)

// SplitStore is what splitting a message off into a new ticket needs.
type SplitStore interface {
	SplitMessage(ctx context.Context, req store.SplitRequest) (*store.Split, error)
	Splits(ctx context.Context, ticketID int64) ([]store.Split, error)
	SplitByID(ctx context.Context, id int64) (*store.Split, error)
	FirstMessageID(ctx context.Context, ticketID int64) (int64, error)
	Ticket(ctx context.Context, id int64) (*store.Ticket, error)
}

var _ SplitStore = (*store.DB)(nil)

// splitPage asks staff to confirm a split, showing the message and the
// new ticket's subject.
type splitPage struct {
	Ticket  *store.Ticket
	Message *store.Message
	Author  *store.User
	Subject string // as typed, or the mail's own subject
	Error   string
}

// splitLinks are the ticket page's lines about splits: where it came
// from and which messages left it.
type splitLinks struct {
	From *store.Split  // this ticket was split off another
	Into []store.Split // messages split off this ticket
}

// splitForm shows the message and asks for the new ticket's subject.
func (h *inboxHandler) splitForm(w http.ResponseWriter, r *http.Request) {
	data, ok := h.splitTarget(w, r)
	if !ok {
		return
	}
	// The mail's subject without "Re:" or [#N]; the original's when it had none.
	data.Subject = mailparse.CleanSubject(data.Message.Subject)
	if strings.TrimSpace(data.Message.Subject) == "" || data.Subject == "(no subject)" {
		data.Subject = data.Ticket.Subject
	}
	h.pages.render(w, r, http.StatusOK, "inbox_split.html", "Split a message off #"+itoa(data.Ticket.Number), data)
}

// split makes the new ticket and goes there, which says what happened.
func (h *inboxHandler) split(w http.ResponseWriter, r *http.Request) {
	data, ok := h.splitTarget(w, r)
	if !ok {
		return
	}
	subject, err := formText(r, "subject", maxSubject)
	data.Subject = strings.Join(strings.Fields(textsafe.Clean(subject)), " ") // one line, no bidi tricks
	fail := func(status int, msg string) {
		data.Error = msg
		h.pages.render(w, r, status, "inbox_split.html", "Split a message off #"+itoa(data.Ticket.Number), data)
	}
	switch {
	case err != nil:
		fail(http.StatusUnprocessableEntity, "The subject "+strings.TrimPrefix(err.Error(), "subject ")+".")
		return
	case data.Subject == "":
		fail(http.StatusUnprocessableEntity, "Give the new ticket a subject.")
		return
	}
	s, err := h.store.SplitMessage(r.Context(), store.SplitRequest{TicketID: data.Ticket.ID, MessageID: data.Message.ID,
		ActorID: viewerFrom(r.Context()).User.ID, Subject: data.Subject})
	var refused *store.SplitRefused
	if errors.As(err, &refused) {
		fail(http.StatusConflict, "Not split: "+refused.Reason+".")
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/inbox/tickets/"+itoa(s.IntoNumber)+"?split="+strconv.FormatInt(s.ID, 10), http.StatusSeeOther) // #nosec G710 -- a fixed path and two numbers
}

// splitTarget reads the ticket and the message the path names; a message
// staff cannot split (a reply or note) or one on another ticket is 404.
// It answers the request itself when it returns false.
func (h *inboxHandler) splitTarget(w http.ResponseWriter, r *http.Request) (splitPage, bool) {
	var data splitPage
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return data, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.pages.notFound(w, r)
		return data, false
	}
	m, err := h.store.MessageByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (m.Kind != store.MessageInbound || m.AuthorID == nil)) {
		h.pages.notFound(w, r)
		return data, false
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return data, false
	}
	if m.TicketID != t.ID {
		// Split off (or merged away) meanwhile: say where it is now.
		data.Ticket, data.Message = t, m
		data.Error = "That message is no longer on #" + itoa(t.Number) + "."
		if now, err := h.store.Ticket(r.Context(), m.TicketID); err == nil {
			data.Error = "That message is no longer on #" + itoa(t.Number) + ": it is on #" + itoa(now.Number) + "."
		}
		h.pages.render(w, r, http.StatusConflict, "inbox_split.html", "Split a message off #"+itoa(t.Number), data)
		return data, false
	}
	a, err := h.store.UserByID(r.Context(), *m.AuthorID)
	if err != nil {
		h.pages.fail(w, r, err)
		return data, false
	}
	return splitPage{Ticket: t, Message: m, Author: a}, true
}

// loadSplits fills the ticket page's split links, and the notice after a
// split (?split=ID, when this ticket is the one it made).
func (h *inboxHandler) loadSplits(ctx context.Context, r *http.Request, t *store.Ticket, data *staffTicketPage) error {
	splits, err := h.store.Splits(ctx, t.ID)
	if err != nil {
		return err
	}
	for i := range splits {
		if splits[i].IntoID == t.ID {
			data.Splits.From = &splits[i]
		} else {
			data.Splits.Into = append(data.Splits.Into, splits[i])
		}
	}
	if data.FirstMessage, err = h.store.FirstMessageID(ctx, t.ID); err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.URL.Query().Get("split"), 10, 64)
	if err != nil || id <= 0 || data.Notice != "" || data.Error != "" {
		return nil
	}
	if s := data.Splits.From; s != nil && s.ID == id {
		data.Notice = "Split into #" + itoa(s.IntoNumber) + "; #" + itoa(s.Number) + " keeps a link. No mail was sent."
	}
	return nil
}

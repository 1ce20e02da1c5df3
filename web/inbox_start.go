package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/internal/textsafe"
	"github.com/dargo-support/dargo/store"
)

// StartStore is what staff-started tickets and forwards need.
type StartStore interface {
	StartTicket(ctx context.Context, s store.StaffStart) (*store.Started, error)
	Forward(ctx context.Context, f store.NewForward) (*store.Forward, error)
	Forwards(ctx context.Context, ticketID int64) ([]store.Forward, error)
}

var _ StartStore = (*store.DB)(nil)

// maxStartCc is how many Cc addresses the new-ticket form takes.
const maxStartCc = 10

// startForm is the staff new-ticket form: what was typed, and what is wrong.
type startForm struct {
	To, Cc, Subject, Text, Priority, Category, Assignee string
	Key                                                 string
	Priorities, Categories                              []string
	Staff                                               []store.User
	Error, ToError, CcError, SubjectError               string
	Held                                                heldWork
}

// startNew shows the form to open a ticket by writing to a customer; the
// saved draft (subject and message) fills it in.
func (h *inboxHandler) startNew(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	d, held, err := loadHeld(r.Context(), h.store, v.User.ID, 0)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	f := startForm{Priority: store.PriorityNormal, Category: "general", Assignee: itoa(v.User.ID), Held: held, Key: formKey()}
	if d != nil {
		f.Subject, f.Text = d.Subject, d.Text
	}
	h.renderStart(w, r, http.StatusOK, f)
}

func (h *inboxHandler) renderStart(w http.ResponseWriter, r *http.Request, status int, f startForm) {
	staff, err := h.staff.Staff(r.Context())
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	f.Staff, f.Priorities, f.Categories = staff, store.Priorities, h.categories
	if f.Key == "" {
		f.Key = formKey()
	}
	f.Held.DraftURL = "/inbox/tickets/new/draft"
	h.pages.render(w, r, status, "inbox_start.html", "New ticket", f)
}

// saveStartDraft keeps the form's subject and message as staff type.
func (h *inboxHandler) saveStartDraft(w http.ResponseWriter, r *http.Request) {
	saveDraft(w, r, h.store, store.Draft{UserID: viewerFrom(r.Context()).User.ID, Kind: store.DraftNew}, "text", true)
}

// startCreate opens the ticket and queues its first mail. Whatever stops
// it keeps everything typed, the subject and message as the draft and the
// files staged.
func (h *inboxHandler) startCreate(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	c, err := startComposing(w, r, h.store, v.User.ID, 0)
	if err != nil {
		h.pages.failForm(w, r, err)
		return
	}
	f := startForm{To: strings.TrimSpace(r.PostFormValue("to")), Cc: strings.TrimSpace(r.PostFormValue("cc")),
		Priority: r.PostFormValue("priority"), Category: r.PostFormValue("category"), Assignee: r.PostFormValue("assignee"), Key: postedKey(r)}
	var errSubject, errText error
	f.Subject, errSubject = formText(r, "subject", maxSubject)
	f.Subject = textsafe.Clean(f.Subject)
	f.Text, errText = formText(r, "text", maxTextBytes)
	hold := func(status int) {
		held, err := c.keep(r.Context(), store.Draft{Kind: store.DraftNew, Subject: f.Subject, Text: f.Text})
		if err != nil {
			h.pages.fail(w, r, err)
			return
		}
		f.Held = held
		h.renderStart(w, r, status, f)
	}
	if id, ok := c.removing(r); ok {
		if c.held.Notice, err = c.remove(r.Context(), id); err != nil {
			h.pages.fail(w, r, err)
			return
		}
		hold(http.StatusOK)
		return
	}
	to, err := store.ParseAddress(f.To, "")
	if err != nil || strings.Contains(f.To, ",") {
		f.ToError = "Type one email address, like ada@example.com."
	}
	cc, ccErr := parseCcList(f.Cc)
	f.CcError = ccErr
	switch {
	case errSubject != nil:
		f.SubjectError = errSubject.Error()
	case f.Subject == "":
		f.SubjectError = "Give the ticket a subject."
	}
	switch {
	case errText != nil:
		c.held.TextError = errText.Error()
	case strings.TrimSpace(f.Text) == "":
		c.held.TextError = "Write the message to send."
	}
	f.Error = problems(f.ToError, f.CcError, f.SubjectError, c.held.TextError, c.held.FileError)
	var assignee *int64
	switch {
	case f.Error != "":
	case !slices.Contains(store.Priorities, f.Priority):
		f.Error = "Choose a priority from the list."
	case !slices.Contains(h.categories, f.Category):
		f.Error = "Choose a category from the list."
	case f.Assignee != "":
		id, err := strconv.ParseInt(f.Assignee, 10, 64)
		if err != nil || id <= 0 {
			f.Error = "Choose an assignee from the list."
		}
		assignee = &id
	}
	if f.Error != "" {
		hold(http.StatusBadRequest)
		return
	}
	files, err := c.attachments(r.Context())
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	got, err := h.store.StartTicket(r.Context(), store.StaffStart{StaffID: v.User.ID, To: to, Cc: cc, Subject: f.Subject, Text: f.Text,
		Priority: f.Priority, Category: f.Category, AssigneeID: assignee, Attachments: files, Key: f.Key})
	switch {
	case errors.Is(err, store.ErrStaffAddress):
		f.Error = "That address belongs to staff: a ticket is started with a customer, and staff see every ticket anyway. " + addrOf(err)
	case errors.Is(err, store.ErrAddressBlocked):
		f.Error = "That address was erased at its owner's request and may not be written to again. " + addrOf(err)
	case errors.Is(err, store.ErrInvalidChange), errors.Is(err, store.ErrNotFound):
		f.Error = "Choose an assignee from the list."
	case err != nil:
		h.pages.fail(w, r, err)
		return
	}
	if f.Error != "" {
		hold(http.StatusBadRequest)
		return
	}
	c.sent(r.Context(), h.log)
	used(r, store.FeatureReplySent)
	notice := "started"
	if got.MailStatus != store.EmailQueued && got.MailStatus != "" { // "": the same form again, started before
		notice = "started-held"
	}
	http.Redirect(w, r, "/inbox/tickets/"+itoa(got.TicketNumber)+"?notice="+notice+"#latest", http.StatusSeeOther)
}

// parseCcList reads the Cc field: addresses split by commas, semicolons
// or line breaks; the problem, if any, for the form.
func parseCcList(raw string) ([]store.Person, string) {
	var out []store.Person
	seen := map[string]bool{}
	for _, part := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := store.ParseAddress(part, "")
		if err != nil {
			return nil, "“" + part + "” is not an email address: separate Cc addresses with commas."
		}
		if !seen[p.Email] {
			seen[p.Email] = true
			out = append(out, p)
		}
	}
	if len(out) > maxStartCc {
		return nil, "At most " + strconv.Itoa(maxStartCc) + " Cc addresses; add more people on the ticket afterwards."
	}
	return out, ""
}

// addrOf is the address a store error names after its last ": ", in a
// sentence ("(ada@example.com)"); "" when none.
func addrOf(err error) string {
	s := err.Error()
	i := strings.LastIndex(s, ": ")
	if i < 0 || !strings.Contains(s[i:], "@") {
		return ""
	}
	return "(" + s[i+2:] + ")"
}

// startedNotice is what the ticket page says after startCreate.
func startedNotice(r *http.Request, t *store.Ticket, customer *store.User) string {
	to := "the customer"
	if customer != nil {
		to = customer.Email
	}
	switch r.URL.Query().Get("notice") {
	case "started":
		return "Ticket #" + itoa(t.Number) + " started; mail to " + to + " queued."
	case "started-held":
		return "Ticket #" + itoa(t.Number) + " started; mail to " + to + " was not queued: the address is suppressed or its owner objects to mail. See the mail log."
	}
	return ""
}

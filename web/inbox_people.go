package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// PeopleStore is what the ticket pages need to show and change who is on a
// ticket.
type PeopleStore interface {
	Recipients(ctx context.Context, ticketID int64, kind string) ([]store.Recipient, error)
	AddParticipant(ctx context.Context, ticketID, staffID int64, p store.Person) (*store.Participant, error)
	RemoveParticipant(ctx context.Context, ticketID, userID, staffID int64) (*store.Participant, error)
}

var _ PeopleStore = (*store.DB)(nil)

// maxPersonName is the longest name staff may type for a person.
const maxPersonName = 200

// peopleView is the ticket's participants, as the side panel lists them
// and the composer says who gets a reply; and the add form as it was
// typed, with its error, after a failed add.
type peopleView struct {
	List  []personView
	Email string
	Name  string
	Error string
}

// personView is one participant: "To" (the customer) or "Cc", and why
// they would not get a reply ("" when they get it).
type personView struct {
	store.Recipient
	Field string
	Why   string
}

// Label is how pages name the person: "Name <addr>", or the address.
func (p personView) Label() string {
	if p.ErasedAt != nil {
		return store.ErasedName
	}
	if p.Name != "" {
		return p.Name + " <" + p.Email + ">"
	}
	return p.Email
}

// viewPeople turns recipients (store.Recipients) into what pages show.
func viewPeople(rs []store.Recipient) []personView {
	out := make([]personView, 0, len(rs))
	for _, r := range rs {
		v := personView{Recipient: r, Field: "Cc", Why: skipWords(r.Skip)}
		if r.Role == store.ParticipantCustomer {
			v.Field = "To"
		}
		out = append(out, v)
	}
	return out
}

// skipWords says why someone gets no copy of a reply, in words.
func skipWords(skip string) string {
	switch {
	case skip == "":
		return ""
	case skip == store.SkipErased:
		return "their data was erased"
	case skip == store.ReasonObjected:
		return "they objected to optional mail"
	case strings.HasPrefix(skip, "address suppressed: "):
		return "mail to this address is suppressed after a bounce or complaint (" + strings.TrimPrefix(skip, "address suppressed: ") + ")"
	}
	return skip
}

// loadPeople fills in who is on the ticket, keeping what a failed add
// form carries.
func (h *inboxHandler) loadPeople(ctx context.Context, t *store.Ticket, v *peopleView) error {
	rs, err := h.store.Recipients(ctx, t.ID, store.EmailReply)
	if err != nil {
		return err
	}
	v.List = viewPeople(rs)
	return nil
}

// peopleNotices are what the ticket page says after adding or removing a
// person (?notice=…&person=<user id>).
var peopleNotices = map[string]string{
	"person-added":   "Added %s. They now see this ticket in their portal and get its replies.",
	"person-already": "%s is already on this ticket.",
	"person-removed": "Removed %s. They no longer see this ticket and get no more of its mail.",
	"person-gone":    "That person was not on this ticket (perhaps a colleague removed them).",
}

// personNotice is the notice for ?notice=person-…, naming the person.
func (h *inboxHandler) personNotice(r *http.Request) string {
	text, ok := peopleNotices[r.URL.Query().Get("notice")]
	if !ok {
		return ""
	}
	if !strings.Contains(text, "%s") {
		return text
	}
	name := "them"
	if id, err := parseID(r.URL.Query().Get("person")); err == nil {
		if u, err := h.store.UserByID(r.Context(), id); err == nil && u.ErasedAt == nil {
			name = displayName(u)
		}
	}
	return strings.Replace(text, "%s", name, 1)
}

// addPerson puts someone on the ticket by address (and optional name).
func (h *inboxHandler) addPerson(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	form := peopleView{Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name"))}
	again := func(problem string) {
		form.Error = problem
		h.renderTicket(w, r, http.StatusBadRequest, t, staffTicketPage{People: form})
	}
	if len(form.Name) > maxPersonName {
		again("The name is too long (at most 200 characters).")
		return
	}
	p, err := store.ParseAddress(form.Email, form.Name)
	if err != nil {
		again("Type an email address, like ada@example.com.")
		return
	}
	added, err := h.store.AddParticipant(r.Context(), t.ID, viewerFrom(r.Context()).User.ID, p)
	notice := "person-added"
	switch {
	case errors.Is(err, store.ErrAlreadyOnTicket):
		notice = "person-already"
	case errors.Is(err, store.ErrStaffAddress):
		again("That address belongs to staff: staff see every ticket, and customers never see staff addresses.")
		return
	case errors.Is(err, store.ErrAddressBlocked):
		again("That address was erased at its owner's request and may not be added again.")
		return
	case err != nil:
		h.pages.fail(w, r, err)
		return
	}
	h.peopleDone(w, r, t, notice, added.UserID)
}

// removePerson takes someone (not the customer) off the ticket.
func (h *inboxHandler) removePerson(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	id, ok := pathID(r, "user")
	if !ok {
		h.pages.notFound(w, r)
		return
	}
	_, err = h.store.RemoveParticipant(r.Context(), t.ID, id, viewerFrom(r.Context()).User.ID)
	notice := "person-removed"
	switch {
	case errors.Is(err, store.ErrNotFound):
		notice = "person-gone"
	case errors.Is(err, store.ErrCustomerStays):
		h.renderTicket(w, r, http.StatusBadRequest, t, staffTicketPage{People: peopleView{Error: "The customer cannot be removed from their own ticket."}})
		return
	case err != nil:
		h.pages.fail(w, r, err)
		return
	}
	h.peopleDone(w, r, t, notice, id)
}

func (h *inboxHandler) peopleDone(w http.ResponseWriter, r *http.Request, t *store.Ticket, notice string, userID int64) {
	http.Redirect(w, r, "/inbox/tickets/"+itoa(t.Number)+"?notice="+notice+"&person="+itoa(userID)+"#people-h", http.StatusSeeOther) // #nosec G710 -- our own path; notice is one of our codes, the rest numbers
}

// portalPerson is someone on a ticket as its customer and Cc see them.
type portalPerson struct {
	Label    string
	You      bool
	Customer bool
}

// portalPeople lists who is on the ticket for a participant's portal page:
// each person's name, else their address masked ("a***@example.com"), and
// the viewer in full. Replies go to each person as a mail of their own
// (no Cc header), so the page does not hand out others' addresses; erased
// people are left out.
func portalPeople(ctx context.Context, s PeopleStore, t *store.Ticket, viewerID int64) ([]portalPerson, error) {
	rs, err := s.Recipients(ctx, t.ID, store.EmailReply)
	if err != nil {
		return nil, err
	}
	var out []portalPerson
	for _, r := range rs {
		if r.ErasedAt != nil {
			continue
		}
		p := portalPerson{You: r.UserID == viewerID, Customer: r.Role == store.ParticipantCustomer, Label: r.Name}
		switch {
		case p.You:
			p.Label = personView{Recipient: r}.Label()
		case p.Label == "":
			p.Label = store.MaskEmail(r.Email)
		}
		out = append(out, p)
	}
	return out, nil
}

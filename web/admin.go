package web

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/internal/seal"
	"github.com/dargo-support/dargo/store"
)

// StaffStore is what /admin/staff needs beyond Store to change roles.
type StaffStore interface {
	Invite(ctx context.Context, inv store.Invitation) (*store.RoleChange, error)
	ChangeRole(ctx context.Context, actorID, id int64, role string) (*store.RoleChange, error)
	UserByID(ctx context.Context, id int64) (*store.User, error)
}

var _ StaffStore = (*store.DB)(nil)

// adminHandler serves /admin/staff: who is staff or admin, inviting
// someone (a mailed sign-in link), changing a role and removing. Every
// change is audited with the admin as actor.
type adminHandler struct {
	store   Store
	roles   StaffStore // nil when o.Store cannot change roles
	pages   *pages
	secret  string
	baseURL string
}

// staffPage is what admin_staff.html shows.
type staffPage struct {
	List    []store.User
	Me      int64
	Notice  string
	Error   string
	Invite  inviteForm
	Confirm *selfChange // a change to one's own role, awaiting confirmation
}

// inviteForm is the invitation form, kept as typed when it is refused.
type inviteForm struct {
	Email string
	Role  string
}

// selfChange asks an admin to confirm taking away their own admin role.
type selfChange struct {
	ID       int64
	Role     string
	Sentence string
}

// staffNotices say what an action did (?notice=...&user=ID), naming the
// person ({name}) and their role now ({role}).
var staffNotices = map[string]string{
	"invited":  "Invitation sent: {name} is now {role} and has a sign-in link in their inbox.",
	"role":     "{name} is now {role}.",
	"removed":  "{name} is no longer staff: they can still sign in as a customer, with their tickets.",
	"same":     "Nothing changed: {name} was already {role}.",
	"reinvite": "A new sign-in link is on its way to {name}, who was already {role}.",
}

// roleWords names a role in a sentence.
var roleWords = map[string]string{store.RoleAdmin: "an admin", store.RoleStaff: "staff", store.RoleCustomer: "a customer"}

func (h *adminHandler) staff(w http.ResponseWriter, r *http.Request) {
	page := staffPage{Invite: inviteForm{Role: store.RoleStaff}}
	if text, ok := staffNotices[r.URL.Query().Get("notice")]; ok && h.roles != nil {
		id, _ := strconv.ParseInt(r.URL.Query().Get("user"), 10, 64)
		if u, err := h.roles.UserByID(r.Context(), id); err == nil {
			page.Notice = strings.NewReplacer("{name}", displayName(u), "{role}", roleWords[u.Role]).Replace(text)
		}
	}
	h.render(w, r, http.StatusOK, page)
}

func (h *adminHandler) render(w http.ResponseWriter, r *http.Request, status int, page staffPage) {
	list, err := h.store.Staff(r.Context())
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	page.List, page.Me = list, viewerFrom(r.Context()).User.ID
	noStore(w)
	h.pages.render(w, r, status, "admin_staff.html", "Staff", page)
}

// invite makes the form's address staff or admin and mails it a sign-in
// link, then says so on the page (the address stays out of the URL).
func (h *adminHandler) invite(w http.ResponseWriter, r *http.Request) {
	if h.roles == nil {
		h.pages.notFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	f := inviteForm{Email: strings.TrimSpace(r.PostFormValue("email")), Role: r.PostFormValue("role")}
	refuse := func(status int, why string) {
		h.render(w, r, status, staffPage{Invite: f, Error: why})
	}
	if f.Role != store.RoleStaff && f.Role != store.RoleAdmin {
		refuse(http.StatusUnprocessableEntity, "Nobody was invited: choose staff or admin.")
		return
	}
	addr, err := mail.ParseAddress(f.Email)
	if err != nil || addr.Name != "" || len(addr.Address) > 254 {
		refuse(http.StatusUnprocessableEntity, "Nobody was invited: enter an email address like name@example.com.")
		return
	}
	secret, hash := newSecret()
	sealed, err := seal.Seal(h.secret, []byte(h.baseURL+"/login/confirm?token="+secret+"&invited=1"))
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	me := viewerFrom(r.Context()).User
	c, err := h.roles.Invite(r.Context(), store.Invitation{ActorID: me.ID, Role: f.Role, Login: store.LoginRequest{
		TokenHash: hash, Email: addr.Address, Next: "/inbox", IP: ipFrom(r), UserAgent: userAgent(r), SealedLink: sealed, TTL: TokenTTL}})
	switch {
	case errors.Is(err, store.ErrAddressBlocked):
		refuse(http.StatusUnprocessableEntity, "Nobody was invited: this address was erased at its owner's request and may not be used again.")
		return
	case errors.Is(err, store.ErrLastAdmin):
		refuse(http.StatusConflict, "Nobody was invited: this address belongs to the only admin, who would stop being one. Make someone else an admin first.")
		return
	case err != nil:
		h.pages.fail(w, r, err)
		return
	}
	notice := "invited"
	if c.From == c.User.Role {
		notice = "reinvite"
	}
	h.done(w, r, notice, c.User.ID)
}

// changeRole gives a member another role: staff, admin, or customer (the
// remove button). Taking away one's own admin role asks first.
func (h *adminHandler) changeRole(w http.ResponseWriter, r *http.Request) {
	if h.roles == nil {
		h.pages.notFound(w, r)
		return
	}
	id, ok := pathID(r, "id")
	if !ok {
		h.pages.notFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	role := r.PostFormValue("role")
	if _, ok := roleWords[role]; !ok {
		h.render(w, r, http.StatusUnprocessableEntity, staffPage{Invite: inviteForm{Role: store.RoleStaff}, Error: "Nothing changed: choose staff, admin or remove."})
		return
	}
	me := viewerFrom(r.Context()).User
	if id == me.ID && role != store.RoleAdmin && r.PostFormValue("confirm") != "yes" {
		sentence := "Make yourself staff? You will no longer open the admin pages."
		if role == store.RoleCustomer {
			sentence = "Remove yourself from the staff? You will no longer see the inbox or the admin pages."
		}
		h.render(w, r, http.StatusOK, staffPage{Invite: inviteForm{Role: store.RoleStaff}, Confirm: &selfChange{ID: id, Role: role, Sentence: sentence}})
		return
	}
	c, err := h.roles.ChangeRole(r.Context(), me.ID, id, role)
	switch {
	case errors.Is(err, store.ErrLastAdmin):
		h.render(w, r, http.StatusConflict, staffPage{Invite: inviteForm{Role: store.RoleStaff},
			Error: "Nothing changed: Dargo needs at least one admin. Make someone else an admin first."})
		return
	case errors.Is(err, store.ErrNotFound):
		h.pages.notFound(w, r)
		return
	case err != nil:
		h.pages.fail(w, r, err)
		return
	}
	notice := "role"
	switch {
	case c.From == c.User.Role:
		notice = "same"
	case role == store.RoleCustomer:
		notice = "removed"
	}
	if id == me.ID && role != store.RoleAdmin {
		// The staff page is closed to them now: the account page says it.
		http.Redirect(w, r, "/account?notice=now-"+role, http.StatusSeeOther) // #nosec G710 -- a fixed path; role is one of roleWords' keys
		return
	}
	h.done(w, r, notice, c.User.ID)
}

func (h *adminHandler) done(w http.ResponseWriter, r *http.Request, notice string, id int64) {
	http.Redirect(w, r, "/admin/staff?notice="+notice+"&user="+itoa(id), http.StatusSeeOther) // #nosec G710 -- a fixed path; notice is one of our codes, id a number
}

// displayName is how a page names a person: their name, else their address.
func displayName(u *store.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

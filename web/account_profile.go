package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/dargo-support/dargo/store"
)

// ProfileStore is what the "How customers see you" form needs: a staff
// member's display name and signature.
type ProfileStore interface {
	StaffProfile(ctx context.Context, userID int64) (*store.StaffProfile, error)
	SaveStaffProfile(ctx context.Context, userID int64, displayName, signature string) (*store.StaffProfile, error)
}

var _ ProfileStore = (*store.DB)(nil)

// profileForm is the "How customers see you" form as the page shows it.
type profileForm struct {
	DisplayName  string
	Signature    string
	Field        string // the refused field: "display_name" or "signature"
	Error        string
	Notices      []string
	MaxName      int
	MaxSignature int
}

// newProfileForm is the form holding a display name and signature.
func newProfileForm(name, signature string) *profileForm {
	return &profileForm{DisplayName: name, Signature: signature, MaxName: store.MaxDisplayName, MaxSignature: store.MaxSignature}
}

// profileNotices say what the profile form did.
var profileNotices = map[string]string{
	"profile-saved": "Saved: your replies now go out as shown here.",
}

// profileFieldNames name a refused field in its error message.
var profileFieldNames = map[string]string{"display_name": "The display name", "signature": "The signature"}

// saveProfile saves the staff member's display name and signature. A
// refused one comes back in the form as typed, with the reason at the top
// of the form and next to the field.
func (h *accountHandler) saveProfile(w http.ResponseWriter, r *http.Request) {
	if h.profiles == nil {
		h.pages.notFound(w, r)
		return
	}
	v := viewerFrom(r.Context())
	name, sig := r.PostFormValue("display_name"), r.PostFormValue("signature")
	_, err := h.profiles.SaveStaffProfile(r.Context(), v.User.ID, name, sig)
	var pe *store.ProfileError
	switch {
	case errors.As(err, &pe):
		f := newProfileForm(name, sig)
		f.Field, f.Error = pe.Field, profileFieldNames[pe.Field]+" "+pe.Reason+"."
		h.showWith(w, r, http.StatusUnprocessableEntity, refusedForms{profile: f})
		return
	case errors.Is(err, store.ErrNotStaff):
		h.pages.message(w, r, http.StatusForbidden, "Not allowed", "Only staff have a profile that customers see.")
		return
	case err != nil:
		h.pages.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?notice=profile-saved#profile", http.StatusSeeOther)
}

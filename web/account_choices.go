package web

import (
	"context"
	"net/http"
	"time"

	"github.com/dargo-support/dargo/store"
)

// ChoiceStore is what the choice forms need: a person's objections to
// optional mail and usage analytics.
type ChoiceStore interface {
	Choices(ctx context.Context, userID int64) ([]store.Choice, error)
	SetChoice(ctx context.Context, userID int64, kind string, objected bool, actorID int64, via string) (bool, error)
}

var _ ChoiceStore = (*store.DB)(nil)

// choiceView is one choice as a page shows it.
type choiceView struct {
	Kind     string
	Objected bool
	Label    string // what ticking the box means
	Explain  string // "" when the label says it all
	// State is "You objected on" / "Allowed (since", then the time At in
	// the viewer's zone ({{at}}), then StateEnd: " (recorded by …)" / ")".
	State    string
	At       *time.Time
	StateEnd string
}

// choiceTexts are each kind's label and explanation on /account.
var choiceTexts = map[string][2]string{
	store.ChoiceMail: {"Don't send me optional mail (announcements).",
		"You will still get replies and status changes on your tickets, sign-in and confirmation links, and notices of significant policy changes."},
	store.ChoiceAnalytics: {"Don't record how I use Dargo (usage analytics).", ""},
}

// staffChoiceTexts are the same boxes on a customer's page, for staff.
var staffChoiceTexts = map[string][2]string{
	store.ChoiceMail: {"They object to optional mail (announcements).",
		"Replies and status changes on their tickets, sign-in and confirmation links and notices of significant policy changes still go out."},
	store.ChoiceAnalytics: {"They object to usage analytics.", ""},
}

// choiceNotices say what a choices form changed (?notice=kind-objected…).
var choiceNotices = map[string]string{
	store.ChoiceMail + "-objected":      "Saved: we will not send you optional mail.",
	store.ChoiceMail + "-allowed":       "Saved: we may send you optional mail again.",
	store.ChoiceAnalytics + "-objected": "Saved: we no longer record how you use Dargo.",
	store.ChoiceAnalytics + "-allowed":  "Saved: we may record how you use Dargo again.",
	"unchanged":                         "Nothing changed: your choices were already as sent.",
	"now-staff":                         "You are now staff: the admin pages are closed to you.",
	"now-customer":                      "You are no longer staff: you sign in as a customer now, with your tickets.",
}

// staffChoiceNotices say what the form on a customer's page changed.
var staffChoiceNotices = map[string]string{
	store.ChoiceMail + "-objected":      "Recorded: they object to optional mail.",
	store.ChoiceMail + "-allowed":       "Recorded: they allow optional mail again.",
	store.ChoiceAnalytics + "-objected": "Recorded: they object to usage analytics.",
	store.ChoiceAnalytics + "-allowed":  "Recorded: they allow usage analytics again.",
	"unchanged":                         "Nothing changed: their choices were already as sent.",
}

// viewChoices describes the choices for the person themself, or for staff.
func viewChoices(list []store.Choice, forStaff bool) []choiceView {
	texts := choiceTexts
	if forStaff {
		texts = staffChoiceTexts
	}
	out := make([]choiceView, len(list))
	for i, c := range list {
		v := choiceView{Kind: c.Kind, Objected: c.Objected, Label: texts[c.Kind][0], Explain: texts[c.Kind][1], State: "Allowed"}
		switch {
		case c.ChangedAt == nil:
		case c.Objected && forStaff && c.ChangedBy != nil:
			v.State, v.At, v.StateEnd = "Objected on", c.ChangedAt, ", recorded by staff"
		case c.Objected && forStaff:
			v.State, v.At, v.StateEnd = "Objected on", c.ChangedAt, " by the customer"
		case c.Objected && c.ChangedBy != nil:
			v.State, v.At, v.StateEnd = "You objected on", c.ChangedAt, " (recorded by our staff from your message)"
		case c.Objected:
			v.State, v.At = "You objected on", c.ChangedAt
		default:
			v.State, v.At, v.StateEnd = "Allowed (since", c.ChangedAt, ")"
		}
		out[i] = v
	}
	return out
}

// notices maps the request's ?notice= codes to their texts, unknown ones left out.
func notices(r *http.Request, texts map[string]string) []string {
	var out []string
	for _, code := range r.URL.Query()["notice"] {
		if t, ok := texts[code]; ok {
			out = append(out, t)
		}
	}
	return out
}

// saveChoices sets every kind from the form's boxes ("1": objected) and
// returns the query string of notices saying what changed.
func saveChoices(r *http.Request, cs ChoiceStore, userID, actorID int64, via string) (string, error) {
	q := ""
	for _, kind := range store.ChoiceKinds {
		objected := r.PostFormValue(kind) == "1"
		changed, err := cs.SetChoice(r.Context(), userID, kind, objected, actorID, via)
		if err != nil {
			return "", err
		}
		if !changed {
			continue
		}
		code := kind + "-allowed"
		if objected {
			code = kind + "-objected"
		}
		q += "&notice=" + code
	}
	if q == "" {
		q = "&notice=unchanged"
	}
	return "?" + q[1:], nil
}

// setChoices saves the viewer's own choices.
func (h *accountHandler) setChoices(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	q, err := saveChoices(r, h.choices, v.User.ID, 0, store.ChoiceViaAccount)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account"+q+"#choices", http.StatusSeeOther) // #nosec G710 -- a fixed path; q holds only notice codes made from store.ChoiceKinds
}

// recordCustomerChoices records, as the staff member, the choices a
// customer sent by mail.
func (h *privacyHandler) recordCustomerChoices(w http.ResponseWriter, r *http.Request) {
	u, err := h.customer(r)
	if err == nil && u.ErasedAt != nil {
		err = errHidden
	}
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	q, err := saveChoices(r, h.store, u.ID, viewerFrom(r.Context()).User.ID, store.ChoiceViaStaff)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/inbox/customers/"+itoa(u.ID)+q+"#choices", http.StatusSeeOther) // #nosec G710 -- a fixed path and a number; q holds only notice codes made from store.ChoiceKinds
}

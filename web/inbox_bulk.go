package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// BulkStore is what bulk actions on the inbox list need from the database.
type BulkStore interface {
	PlanBulk(ctx context.Context, numbers []int64, a store.BulkAction) (*store.BulkPlan, error)
	ApplyBulk(ctx context.Context, numbers []int64, a store.BulkAction) (*store.BulkResult, error)
	UndoBulk(ctx context.Context, ids []int64, actorID int64) (undone, late, others int, err error)
}

var _ BulkStore = (*store.DB)(nil)

// bulkForm is the list's bulk action form as posted: the selected tickets
// and the action with its value, as typed.
type bulkForm struct {
	Numbers                    []int64
	Action                     string
	Assignee                   string // a staff id, "me" or "none"
	Status, Priority, Category string
	Tags                       string
	SavedReply                 string // a saved reply's id
	SavedVersion               string // its version confirmed (inbox_bulk_saved.go)
	Back                       string
}

// bulkKind is one choice of the form's action list.
type bulkKind struct{ Value, Label string }

var bulkKinds = []bulkKind{
	{store.BulkAssign, "Assign to"}, {store.BulkStatus, "Set status"}, {store.BulkPriority, "Set priority"},
	{store.BulkCategory, "Set category"}, {store.BulkAddTags, "Add tags"}, {store.BulkRemoveTags, "Remove tags"},
	{store.BulkSavedReply, "Apply a saved reply's actions"},
}

// bulkPage is the confirmation of a bulk action, or the form again with
// what was wrong.
type bulkPage struct {
	Form  bulkForm
	What  string // "Set status to resolved"
	On    string // "37 tickets": those that will change
	Plan  *store.BulkPlan
	Mail  string // what mail will go out
	Error string
	// Controls are the form's, shown again with an error.
	Controls bulkControls
}

// bulkControls are the bulk form's action and value fields, on the list
// and on the form shown again with an error.
type bulkControls struct {
	Form                             bulkForm
	Kinds                            []bulkKind
	Staff                            []store.User
	Statuses, Priorities, Categories []string
	// SavedReplies are the saved replies with actions the viewer may use.
	SavedReplies []store.SavedReply
}

// parseBulk reads the bulk form: the ticket boxes ticked, and every row of
// the page when "select all on this page" is ticked (that works without
// the script). The error is for staff to read.
func parseBulk(r *http.Request) (bulkForm, string) {
	f := bulkForm{Action: r.PostFormValue("action"), Assignee: r.PostFormValue("assignee"), Status: r.PostFormValue("status"),
		Priority: r.PostFormValue("priority"), Category: r.PostFormValue("category"), Tags: r.PostFormValue("tags"),
		SavedReply: r.PostFormValue("saved_reply"), SavedVersion: r.PostFormValue("saved_version"), Back: backParam(r)}
	picked := r.PostForm["ticket"]
	if r.PostFormValue("page_all") != "" {
		picked = append(picked, r.PostForm["page"]...)
	}
	seen := map[int64]bool{}
	for _, s := range picked {
		n, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
		if err != nil || n <= 0 {
			return f, "Choose tickets from the list."
		}
		if !seen[n] {
			seen[n] = true
			f.Numbers = append(f.Numbers, n)
		}
		if len(f.Numbers) > store.MaxBulk {
			return f, "You chose more than " + strconv.Itoa(store.MaxBulk) + " tickets; a bulk action takes at most " +
				strconv.Itoa(store.MaxBulk) + ". Narrow the list with a filter and try again."
		}
	}
	if len(f.Numbers) == 0 {
		return f, "Choose at least one ticket: tick its box in the list."
	}
	return f, ""
}

// bulkWords describe an action for its confirmation: What it does, Who is
// assigned ("" when nobody is) and the Status it sets ("" when none).
type bulkWords struct{ What, Who, Status, Version string }

// action turns the form into the store's action, checked against the
// lists staff choose from, with the words that describe it; msg is for
// staff to read.
func (h *inboxHandler) action(ctx context.Context, f bulkForm) (store.BulkAction, bulkWords, string, error) {
	if f.Action == store.BulkSavedReply {
		return h.savedAction(ctx, f)
	}
	a, what, who, msg, err := h.plainAction(ctx, f)
	return a, bulkWords{What: what, Who: who, Status: a.Status}, msg, err
}

// plainAction is action for every kind but a saved reply's actions.
func (h *inboxHandler) plainAction(ctx context.Context, f bulkForm) (a store.BulkAction, what, who string, msg string, err error) {
	v := viewerFrom(ctx)
	a = store.BulkAction{Kind: f.Action, ActorID: v.User.ID, Hold: h.undo.window()}
	switch f.Action {
	case store.BulkAssign:
		switch f.Assignee {
		case "none":
			return a, "Unassign", "", "", nil
		case "me":
			a.Assignee = &v.User.ID
			return a, "Assign to you", v.User.Email, "", nil
		}
		id, perr := strconv.ParseInt(f.Assignee, 10, 64)
		staff, err := h.staff.Staff(ctx)
		if err != nil {
			return a, "", "", "", err
		}
		i := slices.IndexFunc(staff, func(u store.User) bool { return u.ID == id })
		if perr != nil || i < 0 {
			return a, "", "", "Choose whom to assign the tickets to.", nil
		}
		a.Assignee = &staff[i].ID
		return a, "Assign to " + staff[i].Email, staff[i].Email, "", nil
	case store.BulkStatus:
		a.Status = f.Status
		if !slices.Contains(store.Statuses, f.Status) {
			return a, "", "", "Choose a status from the list.", nil
		}
		return a, "Set status to " + f.Status, "", "", nil
	case store.BulkPriority:
		a.Priority = f.Priority
		if !slices.Contains(store.Priorities, f.Priority) {
			return a, "", "", "Choose a priority from the list.", nil
		}
		return a, "Set priority to " + f.Priority, "", "", nil
	case store.BulkCategory:
		a.Category = f.Category
		if !slices.Contains(h.categories, f.Category) {
			return a, "", "", "Choose a category from the list.", nil
		}
		return a, "Set category to " + f.Category, "", "", nil
	case store.BulkAddTags, store.BulkRemoveTags:
		tags, err := store.ParseTags(f.Tags)
		if err != nil || len(tags) == 0 {
			return a, "", "", "Type the tags, separated by commas (each at most " + strconv.Itoa(store.MaxTagLength) + " characters, no commas).", nil
		}
		a.Tags = tags
		if f.Action == store.BulkAddTags {
			return a, "Add tags " + strings.Join(tags, ", "), "", "", nil
		}
		return a, "Remove tags " + strings.Join(tags, ", "), "", "", nil
	}
	return a, "", "", "Choose an action from the list.", nil
}

// bulkConfirm is the list's bulk form: "Merge…" goes on to the merge
// confirmation; any other action shows what it will do to each ticket and
// what mail will go out, for one confirmation.
func (h *inboxHandler) bulkConfirm(w http.ResponseWriter, r *http.Request) {
	if h.bulk == nil {
		h.pages.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.bulkError(w, r, http.StatusBadRequest, bulkForm{}, "The form did not arrive whole; try again.")
		return
	}
	f, msg := parseBulk(r)
	if r.PostFormValue("do") == "merge" || f.Action == "merge" || f.Action == "" && r.PostFormValue("into") != "" {
		if msg != "" {
			h.pages.render(w, r, http.StatusBadRequest, "inbox_merge.html", "Merge tickets", mergePage{Error: msg, Back: f.Back})
			return
		}
		h.merge(w, r, f.Numbers)
		return
	}
	if msg != "" {
		h.bulkError(w, r, http.StatusBadRequest, f, msg)
		return
	}
	a, words, msg, err := h.action(r.Context(), f)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if msg != "" {
		h.bulkError(w, r, http.StatusUnprocessableEntity, f, msg)
		return
	}
	plan, err := h.bulk.PlanBulk(r.Context(), f.Numbers, a)
	if msg := bulkRefusal(err); msg != "" {
		h.bulkError(w, r, http.StatusUnprocessableEntity, f, msg)
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	f.SavedVersion = words.Version
	data := bulkPage{Form: f, What: words.What, On: tickets(len(plan.Change)), Plan: plan,
		Mail: bulkMail(words, plan, h.undo.window().Seconds())}
	h.pages.render(w, r, http.StatusOK, "inbox_bulk.html", "Bulk action", data)
}

// bulkError shows the bulk form again, with the selection and what was
// typed, and what is wrong.
func (h *inboxHandler) bulkError(w http.ResponseWriter, r *http.Request, status int, f bulkForm, msg string) {
	staff, err := h.staff.Staff(r.Context())
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	controls, err := h.bulkControls(r.Context(), f, staff)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	data := bulkPage{Form: f, Error: msg, Controls: controls}
	h.pages.render(w, r, status, "inbox_bulk.html", "Bulk action", data)
}

// bulkMail says what mail the planned action will send: exactly what the
// same single actions would.
func bulkMail(words bulkWords, p *store.BulkPlan, hold float64) string {
	var out []string
	if p.StatusMails > 0 {
		s := "The people on " + tickets(p.StatusMails) + " will get the " + words.Status + " mail, as when you change one ticket"
		if hold > 0 {
			s += "; it waits " + strconv.Itoa(int(hold)) + " seconds, while you can undo"
		}
		out = append(out, s+".")
	}
	if p.Notices > 0 {
		out = append(out, words.Who+" will be told of "+plural(p.Notices, "assignment")+
			", as their notification settings allow (many at once come as one digest).")
	}
	if len(out) == 0 {
		return "No mail will be sent."
	}
	return strings.Join(out, " ")
}

// bulkRefusal is what to tell staff when the store refused the action as
// a whole; "" for any other error.
func bulkRefusal(err error) string {
	switch {
	case errors.Is(err, store.ErrNoActions):
		return "That saved reply has no actions to apply; choose another, or give it actions first."
	case errors.Is(err, store.ErrNotFound):
		return "That saved reply is gone, or it is not yours to use; choose another."
	case errors.Is(err, store.ErrInvalidChange) || errors.Is(err, store.ErrInvalidTag):
		return "That change is not possible: " + err.Error()
	}
	return ""
}

// bulkControls are the bulk form's fields, filled in from f.
func (h *inboxHandler) bulkControls(ctx context.Context, f bulkForm, staff []store.User) (bulkControls, error) {
	c := bulkControls{Form: f, Kinds: bulkKinds, Staff: staff, Statuses: store.Statuses, Priorities: store.Priorities,
		Categories: h.categories}
	var err error
	c.SavedReplies, err = h.bulkSavedReplies(ctx)
	return c, err
}

package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// savedQuery tells the ticket page, after the redirect, what an update
// changed: each changed field with its value before ("saved=status:open");
// the page reads the new values from the ticket. "saved=none": nothing
// changed.
func savedQuery(r *http.Request, c store.Change) url.Values {
	q := url.Values{}
	changed := []bool{c.Status != "", c.Priority != "", c.Category != "", c.Unassign || c.Assignee != nil}
	for i, field := range savedFields {
		if changed[i] {
			q.Add("saved", field+":"+r.PostFormValue("old_"+field))
		}
	}
	if len(q) == 0 {
		q.Set("saved", "none")
	}
	return q
}

// savedFields are the update form's fields in the order the notice names them.
var savedFields = []string{"status", "priority", "category", "assignee"}

// savedNotice says what the last update changed, "Saved: status open →
// pending, assignee nobody → mia@example.com.", from savedQuery's query.
// New values come from the ticket; an old value that is not one of ours
// is left out, as the query is only a hint anyone can edit.
func (h *inboxHandler) savedNotice(r *http.Request, t *store.Ticket, staff []store.User) string {
	saved := r.URL.Query()["saved"]
	if slices.Equal(saved, []string{"none"}) {
		return "Nothing to save: nothing was changed."
	}
	person := func(id string) string {
		for _, u := range staff {
			if strconv.FormatInt(u.ID, 10) == id {
				return u.Email
			}
		}
		return "nobody"
	}
	var said []string
	for _, field := range savedFields {
		for _, s := range saved {
			name, old, _ := strings.Cut(s, ":")
			if name != field {
				continue
			}
			var now string
			known := false
			switch field {
			case "status":
				now, known = t.Status, slices.Contains(store.Statuses, old)
			case "priority":
				now, known = t.Priority, slices.Contains(store.Priorities, old)
			case "category":
				now, known = t.Category, slices.Contains(h.categories, old)
			case "assignee":
				if t.AssigneeID != nil {
					now = strconv.FormatInt(*t.AssigneeID, 10)
				}
				known, old, now = true, person(old), person(now)
			}
			switch {
			case !known: // not a value of ours (or a form without the old values): say the new one alone
				said = append(said, field+" "+now)
			case old != now:
				said = append(said, field+" "+old+" → "+now)
			}
		}
	}
	if len(said) == 0 {
		return ""
	}
	return "Saved: " + strings.Join(said, ", ") + "."
}

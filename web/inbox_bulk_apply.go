package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// bulkApply applies a confirmed bulk action, each ticket on its own (see
// store.ApplyBulk), and goes back to the list, which says what happened.
func (h *inboxHandler) bulkApply(w http.ResponseWriter, r *http.Request) {
	if h.bulk == nil {
		h.pages.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.bulkError(w, r, http.StatusBadRequest, bulkForm{}, "The form did not arrive whole; try again.")
		return
	}
	f, msg := parseBulk(r)
	if msg != "" {
		h.bulkError(w, r, http.StatusBadRequest, f, msg)
		return
	}
	a, words, msg, err := h.action(r.Context(), f)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if msg == "" && f.Action == store.BulkSavedReply && f.SavedVersion != words.Version {
		// Changed since the confirmation: what it said is not what would happen.
		msg = "That saved reply was changed since you confirmed; check what it does now and continue again."
	}
	if msg != "" {
		h.bulkError(w, r, http.StatusUnprocessableEntity, f, msg)
		return
	}
	res, err := h.bulk.ApplyBulk(r.Context(), f.Numbers, a)
	if msg := bulkRefusal(err); msg != "" {
		h.bulkError(w, r, http.StatusUnprocessableEntity, f, msg)
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	for _, t := range res.Failed {
		h.log.ErrorContext(r.Context(), "bulk action", "ticket", t.Number, "action", a.Kind, "err", t.Reason)
	}
	usedWhen(r, a.Kind == store.BulkStatus && len(res.Done) > 0, store.FeatureStatusChanged)
	http.Redirect(w, r, bulkResultURL(f, res), http.StatusSeeOther) // #nosec G710 -- our own inbox path (backParam checks it); the query holds codes and numbers
}

// bulkParams are the list's query parameters that report a bulk action;
// listBack leaves them out of the list's own address.
var bulkParams = []string{"bulk", "to", "done", "same", "merged", "erased", "missing", "failed", "undo", "undone", "late"}

// bulkResultURL is the list f came from, saying what res did.
func bulkResultURL(f bulkForm, res *store.BulkResult) string {
	back := f.Back
	if back == "" {
		back = "/inbox"
	}
	u, _ := url.Parse(back) // checked by backParam
	q := u.Query()
	for _, k := range append(bulkParams, "notice", "ticket") {
		q.Del(k)
	}
	q.Set("notice", "bulk")
	q.Set("bulk", f.Action)
	switch f.Action {
	case store.BulkAssign:
		q.Set("to", f.Assignee)
	case store.BulkStatus:
		q.Set("to", f.Status)
	case store.BulkPriority:
		q.Set("to", f.Priority)
	case store.BulkCategory:
		q.Set("to", f.Category)
	case store.BulkAddTags, store.BulkRemoveTags:
		tags, _ := store.ParseTags(f.Tags) // checked
		q.Set("to", strings.Join(tags, ","))
	case store.BulkSavedReply:
		q.Set("to", f.SavedReply)
	}
	q.Set("done", strconv.Itoa(len(res.Done)))
	q.Set("same", strconv.Itoa(len(res.Same)))
	lists := map[string][]int64{}
	for _, s := range res.Skipped {
		switch s.Reason {
		case store.BulkSkipMerged:
			lists["merged"] = append(lists["merged"], s.Number)
		case store.BulkSkipErased:
			lists["erased"] = append(lists["erased"], s.Number)
		default:
			lists["missing"] = append(lists["missing"], s.Number)
		}
	}
	for _, s := range res.Failed {
		lists["failed"] = append(lists["failed"], s.Number)
	}
	lists["undo"] = res.Undo
	for k, ns := range lists {
		if len(ns) == 0 {
			continue
		}
		q.Set(k, joinNumbers(ns))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// joinNumbers is "4,9,12".
func joinNumbers(ns []int64) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = itoa(n)
	}
	return strings.Join(s, ",")
}

// bulkNumbers reads a list bulkResultURL wrote, at most MaxBulk numbers.
func bulkNumbers(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if n, err := strconv.ParseInt(part, 10, 64); err == nil && n > 0 && len(out) < store.MaxBulk {
			out = append(out, "#"+itoa(n))
		}
	}
	return out
}

// bulkNotice says what a bulk action did, from the list's query: "Status
// set to resolved on 35 tickets; 2 already resolved." Only values staff
// can choose are named; anything else in the address says nothing.
func bulkNotice(p url.Values, staff []store.User, categories []string) string {
	done, err1 := strconv.Atoi(p.Get("done"))
	same, err2 := strconv.Atoi(p.Get("same"))
	if err1 != nil || err2 != nil || done < 0 || same < 0 {
		return ""
	}
	to := p.Get("to")
	var did, already string
	switch p.Get("bulk") {
	case store.BulkAssign:
		who := ""
		switch to {
		case "none":
			did, already = "Unassigned", "already unassigned"
		default:
			id, _ := strconv.ParseInt(to, 10, 64)
			if i := slices.IndexFunc(staff, func(u store.User) bool { return u.ID == id }); i >= 0 {
				who = staff[i].Email
			} else if to != "me" {
				return ""
			}
			if to == "me" {
				who = "you"
			}
			did, already = "Assigned to "+who, "already assigned to "+who
		}
	case store.BulkStatus:
		if !slices.Contains(store.Statuses, to) {
			return ""
		}
		did, already = "Status set to "+to, "already "+to
	case store.BulkPriority:
		if !slices.Contains(store.Priorities, to) {
			return ""
		}
		did, already = "Priority set to "+to, "already "+to
	case store.BulkCategory:
		if !slices.Contains(categories, to) {
			return ""
		}
		did, already = "Category set to "+to, "already in "+to
	case store.BulkAddTags, store.BulkRemoveTags:
		tags, err := store.ParseTags(to)
		if err != nil || len(tags) == 0 {
			return ""
		}
		if p.Get("bulk") == store.BulkAddTags {
			did, already = "Tagged "+strings.Join(tags, ", "), "had them already"
		} else {
			did, already = "Removed tags "+strings.Join(tags, ", "), "did not have them"
		}
	case store.BulkSavedReply:
		did, already = "Applied the saved reply's actions", "needed no change"
	default:
		return ""
	}
	s := did + " on " + tickets(done)
	if same > 0 {
		s += "; " + strconv.Itoa(same) + " " + already
	}
	for _, part := range []struct{ key, why string }{
		{"merged", "merged into another ticket"}, {"erased", "their customer was erased"}, {"missing", "no such ticket"},
	} {
		if ns := bulkNumbers(p.Get(part.key)); len(ns) > 0 {
			s += "; skipped " + strings.Join(ns, ", ") + " (" + part.why + ")"
		}
	}
	if ns := bulkNumbers(p.Get("failed")); len(ns) > 0 {
		s += "; FAILED on " + strings.Join(ns, ", ") + ": nothing changed on those, try them again"
	}
	return s + "."
}

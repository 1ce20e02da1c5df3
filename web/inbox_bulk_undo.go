package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// bulkUndo takes back a bulk status change while its mails wait: each
// ticket as its own Undo would (see store.UndoBulk).
func (h *inboxHandler) bulkUndo(w http.ResponseWriter, r *http.Request) {
	if h.bulk == nil {
		h.pages.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.pages.notFound(w, r)
		return
	}
	var ids []int64
	for _, s := range r.PostForm["action"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 || len(ids) >= store.MaxBulk {
			h.pages.message(w, r, http.StatusBadRequest, "Bad undo", "This Undo is not one Dargo offered. Go back to the list.")
			return
		}
		ids = append(ids, id)
	}
	undone, late, others, err := h.bulk.UndoBulk(r.Context(), ids, viewerFrom(r.Context()).User.ID)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if undone+late == 0 || others > 0 && undone == 0 {
		h.pages.notFound(w, r)
		return
	}
	back := backParam(r)
	if back == "" {
		back = "/inbox"
	}
	u, _ := url.Parse(back) // checked by backParam
	q := u.Query()
	for _, k := range append(bulkParams, "notice", "ticket") {
		q.Del(k)
	}
	q.Set("notice", "bulk-undone")
	q.Set("undone", strconv.Itoa(undone))
	q.Set("late", strconv.Itoa(late))
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther) // #nosec G710 -- our own inbox path (backParam checks it); the query holds numbers
}

// bulkUndoneNotice says what a bulk Undo did, from the list's query.
func bulkUndoneNotice(p url.Values) string {
	undone, err1 := strconv.Atoi(p.Get("undone"))
	late, err2 := strconv.Atoi(p.Get("late"))
	if err1 != nil || err2 != nil || undone < 0 || late < 0 || undone+late == 0 {
		return ""
	}
	var parts []string
	if undone > 0 {
		parts = append(parts, "Undone on "+tickets(undone)+": the status is back and no mail was sent")
	}
	if late > 0 {
		parts = append(parts, "too late on "+tickets(late)+": their mail is on its way or was undone already")
	}
	s := strings.Join(parts, "; ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// bulkIDs reads the undo list bulkResultURL wrote, at most MaxBulk ids.
func bulkIDs(s string) []int64 {
	var out []int64
	for part := range strings.SplitSeq(s, ",") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil && id > 0 && len(out) < store.MaxBulk {
			out = append(out, id)
		}
	}
	return out
}

package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/dargo-support/dargo/store"
)

// auditPage is the audit log page's data.
type auditPage struct {
	Entries []auditLine
	Action  string
	Next    string
}

// audit shows the audit log, newest first, 100 a page, to admins.
func (h *privacyHandler) audit(w http.ResponseWriter, r *http.Request) {
	q := store.AuditQuery{Action: r.URL.Query().Get("action"), Limit: 100}
	q.Before, _ = strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	entries, err := h.store.AuditLog(r.Context(), q)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	ns, _ := h.store.(AuditNameStore)
	lines, err := auditLines(r.Context(), ns, entries)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	data := auditPage{Entries: lines, Action: q.Action}
	if len(entries) == q.Limit {
		data.Next = "/admin/audit?action=" + url.QueryEscape(q.Action) + "&before=" + itoa(entries[len(entries)-1].ID)
	}
	h.pages.render(w, r, http.StatusOK, "admin_audit.html", "Audit log", data)
}

// auditExport streams the whole audit log as JSON lines.
func (h *privacyHandler) auditExport(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", `attachment; filename="dargo-audit.jsonl"`)
	enc := json.NewEncoder(w)
	q := store.AuditQuery{Action: r.URL.Query().Get("action"), Limit: 1000}
	for {
		entries, err := h.store.AuditLog(r.Context(), q)
		if err != nil {
			h.log.ErrorContext(r.Context(), "audit export", "err", err) // the status is sent: log only
			return
		}
		for _, e := range entries {
			enc.Encode(e)
		}
		if len(entries) < q.Limit {
			return
		}
		q.Before = entries[len(entries)-1].ID
	}
}

package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/store"
)

type devMail struct {
	store DevMailStore
	log   *slog.Logger
}

func (h *devMail) list(w http.ResponseWriter, r *http.Request) {
	mails, err := h.store.DevMails(r.Context(), 200)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "dev_mail_list.html", mails)
}

func (h *devMail) show(w http.ResponseWriter, r *http.Request) {
	m, ok := h.load(w, r)
	if !ok {
		return
	}
	parsed, _ := inbound.Parse(m.Raw)
	h.render(w, r, "dev_mail_show.html", struct {
		Mail   *store.DevMail
		Parsed *inbound.Mail
	}{m, parsed})
}

func (h *devMail) raw(w http.ResponseWriter, r *http.Request) {
	m, ok := h.load(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(m.Raw)
}

// html shows the mail's HTML part, sanitized, in a sandbox: no scripts, no
// same origin, no remote loads.
func (h *devMail) html(w http.ResponseWriter, r *http.Request) {
	m, ok := h.load(w, r)
	if !ok {
		return
	}
	parsed, _ := inbound.Parse(m.Raw)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'")
	// Links in a mail open outside the frame, without telling the site where from.
	w.Write([]byte(`<base target="_blank"><meta name="referrer" content="no-referrer">`))
	w.Write([]byte(parsed.HTML))
}

func (h *devMail) load(w http.ResponseWriter, r *http.Request) (*store.DevMail, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return nil, false
	}
	m, err := h.store.DevMailByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return nil, false
	}
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return m, true
}

func (h *devMail) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := templates.ExecuteTemplate(w, name, data); err != nil {
		h.log.ErrorContext(r.Context(), "render", "template", name, "err", err)
	}
}

func (h *devMail) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "dev mail", "path", r.URL.Path, "err", err)
	http.Error(w, "Something went wrong; see the log.", http.StatusInternalServerError)
}

package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/inbound/mailparse"

	"github.com/dargo-support/dargo/store"
)

// DevMailStore is what the dev outbox pages read.
type DevMailStore interface {
	DevMails(ctx context.Context, limit int) ([]store.DevMail, error)
	DevMailByID(ctx context.Context, id int64) (*store.DevMail, error)
}

// devMail serves the development outbox: every mail Dargo "sent" in
// `dargo dev`, as a list, its raw source and its rendered HTML.
type devMail struct {
	store DevMailStore
	pages *pages
}

func (h *devMail) list(w http.ResponseWriter, r *http.Request) {
	mails, err := h.store.DevMails(r.Context(), 200)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.pages.render(w, r, http.StatusOK, "dev_mail_list.html", "Dev outbox", mails)
}

func (h *devMail) show(w http.ResponseWriter, r *http.Request) {
	m, ok := h.load(w, r)
	if !ok {
		return
	}
	parsed, err := mailparse.Parse(m.Raw)
	if err != nil || parsed == nil {
		parsed = &mailparse.Mail{Text: "(Dargo cannot parse this mail: see the raw source.)"}
	}
	h.pages.render(w, r, http.StatusOK, "dev_mail_show.html", m.Subject, struct {
		Mail   *store.DevMail
		Parsed *mailparse.Mail
		Text   template.HTML
	}{m, parsed, linkify(parsed.Text)})
}

// webLink finds http and https links in plain text, up to a space or a
// character a link in text does not contain.
var webLink = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"]+`)

// linkify escapes a mail's text part and makes its http and https links
// clickable, so a sign-in link in the dev outbox is one click. Any host is
// linked: the outbox holds only mail Dargo wrote, and it is a dev tool.
// Trailing punctuation stays text ("see https://x.example/a." links /a).
func linkify(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range webLink.FindAllStringIndex(text, -1) {
		start, end := m[0], m[1]
		end = start + len(strings.TrimRight(text[start:end], ".,;:!?)]}'"))
		u, err := url.Parse(text[start:end])
		if err != nil || u.Host == "" {
			continue
		}
		b.WriteString(template.HTMLEscapeString(text[last:start]))
		href := template.HTMLEscapeString(text[start:end])
		b.WriteString(`<a href="` + href + `" rel="noopener noreferrer">` + href + `</a>`)
		last = end
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String()) // #nosec G203 -- every byte of text is escaped above; links are http(s) only
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
	parsed, _ := mailparse.Parse(m.Raw)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'")
	w.Header().Set("X-Frame-Options", "SAMEORIGIN")
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
		h.pages.fail(w, r, err)
		return nil, false
	}
	return m, true
}

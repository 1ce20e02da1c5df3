package web

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dargo-support/dargo/inbound/mailparse"

	"github.com/dargo-support/dargo/internal/textsafe"
	"github.com/dargo-support/dargo/store"
)

// HeldStore is what the held-mail page needs from the database.
type HeldStore interface {
	HeldMail(ctx context.Context, limit int) ([]store.InboundMail, error)
	InboundMail(ctx context.Context, id int64) (*store.InboundMail, error)
	InboundRaw(ctx context.Context, m *store.InboundMail) ([]byte, error)
	DeleteHeldMail(ctx context.Context, id, actorID int64) error
	Audit(ctx context.Context, a store.Audit) error
}

var _ HeldStore = (*store.DB)(nil)

// HeldReleaser processes a held mail as if it were clean, as
// `dargo quarantine release` does (the inbound pipeline's Release, wired in
// cmd/dargo), and says what became of it: its action (store.ActionCreated…)
// and the number of the ticket it made or joined, if any.
type HeldReleaser func(ctx context.Context, id int64, raw []byte, rec *store.InboundMail) (action string, ticket *int64, err error)

// adminHeld serves /admin/held: inbound mail the pipeline held back (too
// large, a spam or virus verdict, unreadable), with a plain-text preview,
// and releasing or deleting it, both audited.
type adminHeld struct {
	store    HeldStore    // nil when o.Store keeps no inbound mail
	releaser HeldReleaser // nil: no Release button
	pages    *pages
	log      *slog.Logger
}

func newAdminHeld(o Opts, p *pages) *adminHeld {
	hs, _ := o.Store.(HeldStore)
	return &adminHeld{store: hs, releaser: o.Held, pages: p, log: o.Logger}
}

// heldShown bounds the list: each row reads its mail's bytes for the preview.
const heldShown = 50

// heldNotices are what the page says after an action (?notice=...).
var heldNotices = map[string]string{
	"released":   "Released: the mail was processed as if it had never been held.",
	"created":    "Released: the mail opened a new ticket.",
	"appended":   "Released: the mail was added to its ticket.",
	"still-held": "Still held: Dargo cannot read this mail even when released. Delete it, or leave it until retention drops it.",
	"deleted":    "Deleted: the mail's bytes are gone for good. The audit log records that you deleted it.",
	"gone":       "Nothing done: that mail is no longer held (released or deleted already, perhaps by a colleague, or dropped by retention).",
}

// heldRow is one held mail as the page shows it.
type heldRow struct {
	store.InboundMail
	Subject string
	Preview string // plain text; the template escapes it
	Reason  string // cleaned of bidi controls and line breaks
}

// heldPage is what admin_held.html shows.
type heldPage struct {
	List       []heldRow
	More       bool
	CanRelease bool
	Notice     string
	Ticket     int64 // the ticket a release made or joined; 0 for none
}

func (h *adminHeld) list(w http.ResponseWriter, r *http.Request) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	ctx := r.Context()
	list, err := h.store.HeldMail(ctx, heldShown+1)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	page := heldPage{CanRelease: h.releaser != nil, Notice: heldNotices[r.URL.Query().Get("notice")]}
	if len(list) > heldShown {
		list, page.More = list[:heldShown], true
	}
	if page.Notice != "" {
		page.Ticket, _ = strconv.ParseInt(r.URL.Query().Get("ticket"), 10, 64)
	}
	for _, m := range list {
		row := heldRow{InboundMail: m, Reason: clip(m.Reason, 300)}
		raw, err := h.store.InboundRaw(ctx, &m)
		if err != nil {
			// Swept between the list and the read: say so rather than fail the page.
			h.log.WarnContext(ctx, "held mail preview", "inbound_mail", m.ID, "err", err)
			row.Preview = "(its bytes could not be read)"
		} else {
			row.Subject, row.Preview = heldPreview(raw)
		}
		page.List = append(page.List, row)
	}
	noStore(w)
	h.pages.render(w, r, http.StatusOK, "admin_held.html", "Held mail", page)
}

// release processes a held mail through the pipeline, audits it, and says
// on the page what became of it.
func (h *adminHeld) release(w http.ResponseWriter, r *http.Request) {
	if h.store == nil || h.releaser == nil {
		h.pages.notFound(w, r)
		return
	}
	ctx := r.Context()
	rec, raw, ok := h.held(w, r)
	if !ok {
		return
	}
	action, ticket, err := h.releaser(ctx, rec.ID, raw, rec)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	a := store.Audit{ActorID: viewerFrom(ctx).User.ID, Action: store.AuditHeldRelease,
		Detail: map[string]any{"inbound_mail": rec.ID, "action": action}}
	if after, err := h.store.InboundMail(ctx, rec.ID); err == nil && after.TicketID != nil {
		a.TicketID = *after.TicketID
	}
	if err := h.store.Audit(ctx, a); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	to := "/admin/held?notice="
	switch action {
	case store.ActionCreated, store.ActionAppended:
		to += action
	case store.ActionQuarantined:
		to += "still-held"
	default:
		to += "released"
	}
	if ticket != nil {
		to += "&ticket=" + itoa(*ticket)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// delete deletes a held mail's bytes for good (audited by the store).
func (h *adminHeld) delete(w http.ResponseWriter, r *http.Request) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	id, ok := pathID(r, "id")
	if !ok {
		h.pages.notFound(w, r)
		return
	}
	err := h.store.DeleteHeldMail(r.Context(), id, viewerFrom(r.Context()).User.ID)
	notice := "deleted"
	if errors.Is(err, store.ErrNotFound) {
		notice, err = "gone", nil
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/held?notice="+notice, http.StatusSeeOther)
}

// held loads the held mail {id} and its bytes; when it is no longer held
// it redirects with the "gone" notice and reports false.
func (h *adminHeld) held(w http.ResponseWriter, r *http.Request) (*store.InboundMail, []byte, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		h.pages.notFound(w, r)
		return nil, nil, false
	}
	rec, err := h.store.InboundMail(r.Context(), id)
	if err == nil && (rec.Status != "quarantined" || rec.BlobKey == "") {
		err = store.ErrNotFound
	}
	var raw []byte
	if err == nil {
		raw, err = h.store.InboundRaw(r.Context(), rec)
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrRawDeleted) {
		http.Redirect(w, r, "/admin/held?notice=gone", http.StatusSeeOther)
		return nil, nil, false
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return nil, nil, false
	}
	return rec, raw, true
}

// previewBytes is how much of a held mail the preview parses: enough for
// the text of any ordinary mail, and a 40 MB mail costs no more than this.
const previewBytes = 256 << 10

// previewRunes is how long a preview is.
const previewRunes = 300

// heldPreview returns the subject and the first words of a mail's visible
// text as plain text. A mail the parser cannot read shows the bytes after
// its header, as text; either way nothing in it is ever rendered as HTML.
func heldPreview(raw []byte) (subject, preview string) {
	head := raw[:min(len(raw), previewBytes)]
	var text string
	if m, err := mailparse.ParseText(head); err == nil {
		subject, text = m.Subject, m.VisibleText
		if strings.TrimSpace(text) == "" {
			text = m.Text
		}
	}
	if strings.TrimSpace(text) == "" {
		body := head
		for _, sep := range []string{"\r\n\r\n", "\n\n"} {
			if i := bytes.Index(head, []byte(sep)); i >= 0 {
				body = head[i+len(sep):]
				break
			}
		}
		text = string(body)
	}
	return clip(subject, 200), clip(text, previewRunes)
}

// clip makes s one line of at most n runes of valid, visible text: invalid
// UTF-8 replaced, bidi and other hidden controls stripped, whitespace and
// control characters collapsed to single spaces.
func clip(s string, n int) string {
	s = textsafe.Clean(strings.ToValidUTF8(s, "\uFFFD"))
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

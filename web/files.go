package web

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// filesHandler serves attachments and the HTML of mails, to those who may
// read the ticket they belong to.
type filesHandler struct {
	store TicketStore
	pages *pages
}

// inlineTypes may be shown in the browser; anything else is a download.
var inlineTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// attachment sends a file: as a download, or inline for safe image types,
// never sniffed, sandboxed in case a browser renders it anyway.
func (h *filesHandler) attachment(w http.ResponseWriter, r *http.Request) {
	f, err := h.file(r)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	data, err := h.store.ReadBlob(r.Context(), f.BlobKey)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	ct := strings.ToLower(f.ContentType)
	disposition := "attachment"
	if inlineTypes[ct] && inlineTypes[http.DetectContentType(data)] {
		disposition = "inline"
	} else {
		ct = "application/octet-stream"
	}
	hdr := w.Header()
	hdr.Set("Content-Type", ct)
	hdr.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": f.Filename}))
	hdr.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	hdr.Set("Cache-Control", "private, no-store")
	hdr.Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

// file loads the attachment in the path, if the viewer may read it: its
// ticket must be theirs, and a note's files are for staff only.
func (h *filesHandler) file(r *http.Request) (*store.FileOf, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, errHidden
	}
	f, err := h.store.AttachmentByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if err := h.mayRead(r, f.TicketID, f.Kind); err != nil {
		return nil, err
	}
	return f, nil
}

func (h *filesHandler) mayRead(r *http.Request, ticketID int64, kind string) error {
	v := viewerFrom(r.Context())
	if kind == store.MessageNote && !hasRole(v.User, store.RoleStaff) {
		return errHidden
	}
	return canSee(r, h.store, &store.Ticket{ID: ticketID})
}

// messageHTML serves a message's sanitized HTML for a sandboxed frame: no
// scripts, no same origin, inline (cid:) images resolved to data: URLs, and
// remote images blocked until the viewer asks (?images=1).
func (h *filesHandler) messageHTML(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.pages.notFound(w, r)
		return
	}
	m, err := h.store.MessageByID(r.Context(), id)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	if err := h.mayRead(r, m.TicketID, m.Kind); err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	files, err := h.store.Attachments(r.Context(), m.ID)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	body := newInliner(r.Context(), h.store.ReadBlob, files).inline(m.HTML)
	img := "data:"
	if r.URL.Query().Get("images") == "1" {
		img = "data: https: http:"
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; img-src "+img+
		"; style-src 'unsafe-inline'; frame-ancestors 'self'")
	hdr.Set("X-Frame-Options", "SAMEORIGIN")
	hdr.Set("Cache-Control", "private, no-store")
	w.Write([]byte(`<!doctype html><meta charset="utf-8"><base target="_blank"><meta name="referrer" content="no-referrer">`))
	w.Write([]byte(body))
}

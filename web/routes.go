package web

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/dargo-support/dargo/store"
)

// DevMailStore is what the dev outbox pages read.
type DevMailStore interface {
	DevMails(ctx context.Context, limit int) ([]store.DevMail, error)
	DevMailByID(ctx context.Context, id int64) (*store.DevMail, error)
}

// DevRoutes serves the development outbox: every mail Dargo "sent" in
// `dargo dev`, as a list, its raw source and its rendered HTML.
func DevRoutes(s DevMailStore, log *slog.Logger) http.Handler {
	h := &devMail{store: s, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dev/mail", h.list)
	mux.HandleFunc("GET /dev/mail/{id}", h.show)
	mux.HandleFunc("GET /dev/mail/{id}/raw", h.raw)
	mux.HandleFunc("GET /dev/mail/{id}/html", h.html)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/dev/mail", http.StatusSeeOther)
	})
	return securityHeaders(mux)
}

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if h.Get("Content-Security-Policy") == "" {
			h.Set("Content-Security-Policy", "default-src 'self'; frame-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'")
		}
		next.ServeHTTP(w, r)
	})
}

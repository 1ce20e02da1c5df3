package web

import (
	"net/http"
	"net/url"
	"strings"
)

// routes lists every URL Dargo serves.
func routes(o Opts, base *url.URL) http.Handler {
	p := &pages{log: o.Logger, siteKey: o.TurnstileSiteKey}
	s := &sessions{store: o.Store, log: o.Logger, secure: base.Scheme == "https"}
	lim := &limiter{redis: o.Redis, limits: o.Limits}
	login := &loginHandler{store: o.Store, pages: p, sessions: s, limiter: lim, turnstile: &o.Turnstile,
		secret: o.Secret, baseURL: strings.TrimRight(base.String(), "/"), log: o.Logger}
	account := &accountHandler{store: o.Store, pages: p, sessions: s}
	admin := &adminHandler{store: o.Store, pages: p}
	health := &healthHandler{store: o.Store, redis: o.Redis}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", health.live)
	mux.HandleFunc("GET /readyz", health.ready)
	mux.Handle("GET /static/", staticHandler())

	mux.HandleFunc("GET /{$}", home)
	mux.HandleFunc("GET /login", login.form)
	mux.HandleFunc("POST /login", login.request)
	mux.HandleFunc("GET /login/sent", login.sent)
	mux.HandleFunc("GET /login/confirm", login.confirmForm)
	mux.HandleFunc("POST /login/confirm", login.confirm)
	mux.Handle("POST /logout", requireUser(http.HandlerFunc(account.logout)))
	mux.Handle("POST /logout/everywhere", requireUser(http.HandlerFunc(account.logoutEverywhere)))
	mux.Handle("GET /account", requireUser(http.HandlerFunc(account.show)))
	mux.Handle("GET /admin/staff", requireRole(p, roleAdmin, http.HandlerFunc(admin.staff)))

	if o.DevMail != nil {
		dev := &devMail{store: o.DevMail, pages: p}
		mux.HandleFunc("GET /dev/mail", dev.list)
		mux.HandleFunc("GET /dev/mail/{id}", dev.show)
		mux.HandleFunc("GET /dev/mail/{id}/raw", dev.raw)
		mux.HandleFunc("GET /dev/mail/{id}/html", dev.html)
	}
	mux.HandleFunc("/", p.notFound)

	var h http.Handler = mux
	h = s.middleware(h)
	h = crossOrigin(p, base, h)
	h = withClientIP(o.TrustedProxies, h)
	return securityHeaders(h)
}

// home sends people where they belong: signed in to their account, otherwise
// to the login form.
func home(w http.ResponseWriter, r *http.Request) {
	if viewerFrom(r.Context()) == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

package web

import (
	"net/http"
	"net/url"
)

// csp allows our own scripts and styles and Cloudflare Turnstile's widget,
// and nothing inline.
const csp = "default-src 'none'; script-src 'self' https://challenges.cloudflare.com; " +
	"frame-src 'self' https://challenges.cloudflare.com; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// hsts keeps browsers on https for two years, this host's subdomains
// included; it is sent only when DARGO_BASE_URL is https (the TLS may end at
// a proxy in front of us).
const hsts = "max-age=63072000; includeSubDomains"

// securityHeaders sets the headers every response carries; a handler may
// set a stricter Content-Security-Policy or Referrer-Policy of its own.
func securityHeaders(base *url.URL, next http.Handler) http.Handler {
	https := base.Scheme == "https"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if https {
			h.Set("Strict-Transport-Security", hsts)
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", csp)
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing requests that a browser says came from
// another site (Go's CrossOriginProtection, by Sec-Fetch-Site and Origin).
func crossOrigin(p *pages, base *url.URL, next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	// Behind a proxy that rewrites Host, the public origin is still ours.
	if err := cop.AddTrustedOrigin(base.Scheme + "://" + base.Host); err != nil {
		panic(err) // base was validated by New
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.message(w, r, http.StatusForbidden, "Request refused",
			"This form was sent from another site, so Dargo refused it. Go back to Dargo and try again.")
	}))
	return cop.Handler(next)
}

// noStore keeps a response out of caches: pages with a person's data or a
// secret in the URL.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}

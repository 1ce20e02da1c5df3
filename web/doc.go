// Package web is Dargo's HTTP tier: the customer portal, the staff inbox and
// the admin pages, server-rendered, with a little script for what must not
// wait for a reload (drafts, presence, the saved-reply picker).
//
// Every URL is in routes.go, on the standard mux with method patterns; a
// handler is a method on a small struct per area (portal, inbox, account,
// privacy, admin pages), one action per file named after its page
// (inbox_snooze.go, admin_sla.go, rating.go). Handlers reach the database
// through interfaces declared here (Store, TicketStore and the narrower
// ones beside the pages that need them, such as SLAStore or ReportStore),
// which *store.DB implements; only this package maps errors to statuses.
//
// The areas: /login (a magic link by mail, then a confirmation page, rate
// limited per address and client in Redis) and /account (sessions, profile,
// time zone, notification and privacy choices, export, address change,
// erasure); /tickets, the portal a customer sees; /inbox for staff (queues,
// search, bulk actions, a ticket's thread, reply, notes, people, tags,
// merge, split, forward, snooze, saved replies, customers); /admin for
// admins (staff, audit log, usage, reports, business hours, SLA policies,
// held mail, suppressions, tags, broadcasts, policies, the read-only queue
// monitor at /admin/queues); /rate/{token}, the signed links of a
// resolution mail's satisfaction rating, which need no login; the public
// policy pages; and /dev/mail, the development outbox, when it is on.
//
// Sessions: the cookie holds 256 random bits, the database only their
// SHA-256; on https it is Secure and __Host- prefixed. The session
// middleware puts the viewer in the request's context; requireUser and
// requireRole guard routes, the role read from the user on every request so
// that a demotion takes effect at once. Cross-site form posts are refused by
// Go's CrossOriginProtection (Sec-Fetch-Site and Origin), so forms carry no
// CSRF tokens. Security headers (a strict Content-Security-Policy, HSTS on
// https) wrap every response; public forms may ask Cloudflare Turnstile.
//
// Templates (templates/*.html) are embedded and parsed once at start, each
// page rendered inside layout.html into a buffer, so a template error never
// sends half a page; errors are logged once and shown as a generic page.
// Static files (static/: app.js, app.css) are embedded and served under
// content-hashed names, cached for good. /healthz, /readyz and /metrics
// are on the ops listener, never on this port.
package web

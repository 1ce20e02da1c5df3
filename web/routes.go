package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dargo-support/dargo/store"
)

// routes lists every URL Dargo serves.
func routes(o Opts, base *url.URL, queues *adminQueues) http.Handler {
	p := &pages{log: o.Logger, siteKey: o.TurnstileSiteKey, labels: labels{categories: o.CategoryLabels}, zones: o.Zones, now: o.Now}
	if p.zones == nil {
		p.zones, _ = o.Store.(ZoneStore)
	}
	policyStore, _ := o.Store.(PolicyStore)
	if policyStore != nil {
		p.banners = policyStore
	}
	s := &sessions{store: o.Store, log: o.Logger, secure: base.Scheme == "https"}
	lim := &limiter{redis: o.Redis, limits: o.Limits}
	login := &loginHandler{store: o.Store, pages: p, sessions: s, limiter: lim,
		secret: o.Secret, baseURL: strings.TrimRight(base.String(), "/"), log: o.Logger}
	profiles, _ := o.Store.(ProfileStore)
	account := &accountHandler{store: o.Store, pages: p, sessions: s, choices: o.Privacy, profiles: profiles,
		notices: o.Tickets, categories: o.Categories}
	admin := &adminHandler{store: o.Store, pages: p, secret: o.Secret, baseURL: strings.TrimRight(base.String(), "/")}
	admin.roles, _ = o.Store.(StaffStore)
	human := &humanCheck{verifier: &o.Turnstile, log: o.Logger}
	login.human = human
	portal := &portalHandler{store: o.Tickets, pages: p, human: human, limiter: lim, categories: o.Categories, log: o.Logger,
		tagsVisible: o.TagsVisible}
	inbox := &inboxHandler{store: o.Tickets, staff: o.Store, pages: p, categories: o.Categories, log: o.Logger,
		presence: &presence{redis: o.Redis, log: o.Logger, now: time.Now}}
	if undo, ok := o.Tickets.(UndoStore); ok {
		inbox.undo = &undoer{store: undo, hold: o.UndoWindow}
	}
	inbox.bulk, _ = o.Tickets.(BulkStore)
	files := &filesHandler{store: o.Tickets, pages: p}
	privacy := &privacyHandler{store: o.Privacy, tickets: o.Tickets, pages: p, sessions: s, limiter: lim, human: human, secret: o.Secret,
		baseURL: strings.TrimRight(base.String(), "/"), replyTo: o.ReplyTo, tagsVisible: o.TagsVisible, log: o.Logger}
	user := func(h http.HandlerFunc) http.Handler { return requireUser(h) }
	staff := func(h http.HandlerFunc) http.Handler { return requireRole(p, store.RoleStaff, h) }

	mux := http.NewServeMux()
	// /healthz, /readyz and /metrics are on the ops listener
	// (DARGO_OPS_ADDR), never on this public port.
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

	mux.Handle("GET /tickets", user(portal.list))
	mux.Handle("GET /tickets/new", user(portal.newForm))
	mux.Handle("POST /tickets", user(portal.create))
	mux.Handle("GET /tickets/{number}", user(portal.show))
	mux.Handle("POST /tickets/{number}/reply", user(portal.reply))
	// Drafts (issue 13): the page's script saves what is typed.
	mux.Handle("POST /tickets/new/draft", user(portal.saveNewDraft))
	mux.Handle("POST /tickets/{number}/draft", user(portal.saveDraft))
	mux.Handle("POST /inbox/tickets/{number}/draft", staff(inbox.saveDraft))
	mux.Handle("GET /attachments/{id}", user(files.attachment))
	mux.Handle("GET /messages/{id}/html", user(files.messageHTML))

	mux.Handle("GET /account/export", user(privacy.exportMine))
	mux.Handle("GET /account/export.zip", user(privacy.exportMineZip))
	mux.Handle("POST /account/name", user(privacy.changeName))
	mux.Handle("POST /account/email", user(privacy.changeEmail))
	mux.Handle("POST /account/erase", user(privacy.askErase))
	mux.Handle("POST /account/choices", user(account.setChoices))
	mux.Handle("POST /account/profile", staff(account.saveProfile))
	mux.Handle("POST /account/notifications", staff(account.saveNotices))
	mux.HandleFunc("GET /account/email/confirm", privacy.emailConfirmForm)
	mux.HandleFunc("POST /account/email/confirm", privacy.emailConfirm)
	mux.HandleFunc("GET /account/email/undo", privacy.emailUndoForm)
	mux.HandleFunc("POST /account/email/undo", privacy.emailUndo)
	mux.HandleFunc("GET /account/erase/confirm", privacy.eraseConfirmForm)
	mux.HandleFunc("POST /account/erase/confirm", privacy.eraseConfirm)

	mux.Handle("GET /inbox/customers", staff(privacy.listCustomers))
	mux.Handle("GET /inbox/customers/{id}", staff(privacy.showCustomer))
	mux.Handle("GET /inbox/customers/{id}/merge", staff(privacy.confirmMerge))
	mux.Handle("POST /inbox/customers/{id}/merge", staff(privacy.mergeCustomer))
	mux.Handle("GET /inbox/customers/{id}/export", staff(privacy.exportCustomer))
	mux.Handle("POST /inbox/customers/{id}/name", staff(privacy.correctCustomerName))
	mux.Handle("POST /inbox/customers/{id}/erase", staff(privacy.eraseCustomer))
	mux.Handle("POST /inbox/customers/{id}/choices", staff(privacy.recordCustomerChoices))
	mux.Handle("GET /admin/audit", requireRole(p, store.RoleAdmin, http.HandlerFunc(privacy.audit)))
	mux.Handle("GET /admin/audit.jsonl", requireRole(p, store.RoleAdmin, http.HandlerFunc(privacy.auditExport)))
	mux.Handle("GET /inbox", staff(inbox.list))
	// Staff-started tickets and forwards (issue 17)
	mux.Handle("GET /inbox/tickets/new", staff(inbox.startNew))
	mux.Handle("POST /inbox/tickets/new", staff(inbox.startCreate))
	mux.Handle("POST /inbox/tickets/new/draft", staff(inbox.saveStartDraft))
	mux.Handle("POST /inbox/tickets/{number}/forward", staff(inbox.forward))

	mux.Handle("GET /inbox/tickets/{number}", staff(inbox.show))
	mux.Handle("POST /inbox/tickets/{number}/reply", staff(inbox.reply))
	mux.Handle("POST /inbox/tickets/{number}/update", staff(inbox.update))
	mux.Handle("POST /inbox/undo/{id}", staff(inbox.undoAction))
	mux.Handle("POST /inbox/merge", staff(inbox.mergeFromList))
	mux.Handle("POST /inbox/merges/undo", staff(inbox.undoMerge))
	mux.Handle("POST /inbox/tickets/{number}/merge", staff(inbox.mergeFromTicket))
	// Split (issue 17)
	mux.Handle("GET /inbox/tickets/{number}/messages/{id}/split", staff(inbox.splitForm))
	mux.Handle("POST /inbox/tickets/{number}/messages/{id}/split", staff(inbox.split))
	// Bulk actions (issue 17): the list's selection, one confirmation, then
	// each ticket as its single action would change it.
	mux.Handle("POST /inbox/bulk", staff(inbox.bulkConfirm))
	mux.Handle("POST /inbox/bulk/apply", staff(inbox.bulkApply))
	mux.Handle("POST /inbox/bulk/undo", staff(inbox.bulkUndo))
	mux.Handle("POST /inbox/tickets/{number}/presence", staff(inbox.heartbeat))
	mux.Handle("POST /inbox/tickets/{number}/cc/{id}/accept", staff(inbox.acceptCc))
	mux.Handle("POST /inbox/tickets/{number}/cc/{id}/dismiss", staff(inbox.dismissCc))
	mux.Handle("POST /inbox/tickets/{number}/people", staff(inbox.addPerson))
	mux.Handle("POST /inbox/tickets/{number}/people/{user}/remove", staff(inbox.removePerson))
	mux.Handle("POST /inbox/tickets/{number}/tags", staff(inbox.addTags))
	mux.Handle("POST /inbox/tickets/{number}/tags/remove", staff(inbox.removeTag))
	mux.Handle("POST /inbox/tickets/{number}/follow", staff(inbox.follow))
	mux.Handle("POST /inbox/tickets/{number}/unfollow", staff(inbox.unfollow))
	// Saved replies (issue 17): the management pages and the composer's picker.
	saved := newSavedReplies(o, p)
	mux.Handle("GET /inbox/saved-replies", staff(saved.list))
	mux.Handle("GET /inbox/saved-replies/new", staff(saved.newForm))
	mux.Handle("POST /inbox/saved-replies", staff(saved.create))
	mux.Handle("GET /inbox/saved-replies/{id}/edit", staff(saved.editForm))
	mux.Handle("POST /inbox/saved-replies/{id}", staff(saved.update))
	mux.Handle("GET /inbox/saved-replies/{id}/delete", staff(saved.confirmDelete))
	mux.Handle("POST /inbox/saved-replies/{id}/delete", staff(saved.delete))
	mux.Handle("GET /inbox/tickets/{number}/saved-replies", staff(saved.pick))
	mux.Handle("GET /inbox/tickets/{number}/saved-replies/{id}", staff(saved.preview))
	mux.Handle("GET /admin/staff", requireRole(p, store.RoleAdmin, http.HandlerFunc(admin.staff)))
	mux.Handle("POST /admin/staff/invite", requireRole(p, store.RoleAdmin, http.HandlerFunc(admin.invite)))
	mux.Handle("POST /admin/staff/{id}/role", requireRole(p, store.RoleAdmin, http.HandlerFunc(admin.changeRole)))
	mux.Handle("GET /admin/usage", requireRole(p, store.RoleAdmin, http.HandlerFunc((&adminUsage{store: o.Usage, pages: p}).show)))
	suppressions := newAdminSuppressions(o, p)
	mux.Handle("GET /admin/suppressions", requireRole(p, store.RoleAdmin, http.HandlerFunc(suppressions.list)))
	mux.Handle("POST /admin/suppressions/remove", requireRole(p, store.RoleAdmin, http.HandlerFunc(suppressions.remove)))
	tags := newAdminTags(o, p)
	mux.Handle("GET /admin/tags", requireRole(p, store.RoleAdmin, http.HandlerFunc(tags.list)))
	mux.Handle("POST /admin/tags/rename", requireRole(p, store.RoleAdmin, http.HandlerFunc(tags.rename)))
	mux.Handle("POST /admin/tags/merge", requireRole(p, store.RoleAdmin, http.HandlerFunc(tags.merge)))
	held := newAdminHeld(o, p)
	mux.Handle("GET /admin/held", requireRole(p, store.RoleAdmin, http.HandlerFunc(held.list)))
	mux.Handle("POST /admin/held/{id}/release", requireRole(p, store.RoleAdmin, http.HandlerFunc(held.release)))
	mux.Handle("POST /admin/held/{id}/delete", requireRole(p, store.RoleAdmin, http.HandlerFunc(held.delete)))
	mux.Handle("GET /admin/broadcasts", requireRole(p, store.RoleAdmin, http.HandlerFunc(newAdminBroadcasts(o, p).list)))
	mux.Handle("POST /admin/broadcasts", requireRole(p, store.RoleAdmin, http.HandlerFunc(newAdminBroadcasts(o, p).start)))
	// Queues in plain sight (issue 16): asynqmon, read-only, every method
	// (adminQueues answers 405 to all but GET and HEAD).
	mux.Handle(queuesRoot, requireRole(p, store.RoleAdmin, queues))
	mux.Handle(queuesRoot+"/", requireRole(p, store.RoleAdmin, queues))

	// Policies (issue 12): public pages, their versions, the banner, publishing.
	if policyStore != nil {
		policies := &policyHandler{store: policyStore, pages: p, log: o.Logger}
		for _, kind := range store.PolicyKinds {
			mux.HandleFunc("GET /"+kind, policies.show(kind))
			mux.HandleFunc("GET /"+kind+"/versions/{n}", policies.version(kind))
		}
		mux.Handle("POST /policy/banners/{id}/dismiss", user(p.dismissBanner))
		adminPolicies := newAdminPolicies(o, p, strings.TrimRight(base.String(), "/"))
		mux.Handle("GET /admin/policies", requireRole(p, store.RoleAdmin, http.HandlerFunc(adminPolicies.list)))
		mux.Handle("POST /admin/policies", requireRole(p, store.RoleAdmin, http.HandlerFunc(adminPolicies.post)))
	}

	if o.DevMail != nil {
		dev := &devMail{store: o.DevMail, pages: p}
		mux.HandleFunc("GET /dev/mail", dev.list)
		mux.HandleFunc("GET /dev/mail/{id}", dev.show)
		mux.HandleFunc("GET /dev/mail/{id}/raw", dev.raw)
		mux.HandleFunc("GET /dev/mail/{id}/html", dev.html)
	}
	// Satisfaction ratings (issue 18): the resolution mail's signed links,
	// without a login (rating.go).
	if ratings, ok := o.Tickets.(RatingStore); ok {
		rating := &ratingHandler{store: ratings, pages: p, limiter: lim, secret: o.Secret, log: o.Logger}
		portal.rating = rating
		mux.HandleFunc("GET /rate/{token}", rating.show)
		mux.HandleFunc("POST /rate/{token}", rating.rate)
		mux.HandleFunc("POST /rate/{token}/comment", rating.comment)
	}
	// Staff time zones (issue 18): the zone a staff member sees times in.
	mux.Handle("POST /account/time-zone", staff(account.saveTimeZone))

	// Snooze (issue 18: auto-close, reopening and snooze)
	mux.Handle("POST /inbox/tickets/{number}/snooze", staff(inbox.snooze))
	mux.Handle("POST /inbox/tickets/{number}/unsnooze", staff(inbox.unsnooze))
	// Reports (issue 18): admins only, since they compare staff members.
	if rs, ok := o.Store.(ReportStore); ok {
		reports := &adminReports{store: rs, pages: p}
		mux.Handle("GET /admin/reports", requireRole(p, store.RoleAdmin, http.HandlerFunc(reports.show)))
		mux.Handle("GET /admin/reports.csv", requireRole(p, store.RoleAdmin, http.HandlerFunc(reports.csv)))
	}
	// Business hours and SLA policies (issue 18).
	hours, sla := newAdminHours(o, p), newAdminSLA(o, p)
	mux.Handle("GET /admin/hours", requireRole(p, store.RoleAdmin, http.HandlerFunc(hours.list)))
	mux.Handle("POST /admin/hours", requireRole(p, store.RoleAdmin, http.HandlerFunc(hours.save)))
	mux.Handle("GET /admin/hours/{id}", requireRole(p, store.RoleAdmin, http.HandlerFunc(hours.edit)))
	mux.Handle("POST /admin/hours/{id}", requireRole(p, store.RoleAdmin, http.HandlerFunc(hours.save)))
	mux.Handle("POST /admin/hours/{id}/holidays", requireRole(p, store.RoleAdmin, http.HandlerFunc(hours.addHoliday)))
	mux.Handle("POST /admin/hours/{id}/holidays/{holiday}/remove", requireRole(p, store.RoleAdmin, http.HandlerFunc(hours.removeHoliday)))
	mux.Handle("GET /admin/sla", requireRole(p, store.RoleAdmin, http.HandlerFunc(sla.list)))
	mux.Handle("POST /admin/sla", requireRole(p, store.RoleAdmin, http.HandlerFunc(sla.save)))
	mux.Handle("POST /admin/sla/{id}", requireRole(p, store.RoleAdmin, http.HandlerFunc(sla.save)))
	mux.Handle("POST /admin/sla/{id}/delete", requireRole(p, store.RoleAdmin, http.HandlerFunc(sla.remove)))
	// Languages (issue 19): a customer chooses the language of their mail
	// and portal pages.
	if ls, ok := o.Store.(LanguageStore); ok {
		languages := &languageHandler{store: ls, pages: p}
		mux.Handle("POST /account/language", user(languages.save))
	}

	mux.HandleFunc("/", p.notFound)

	h := notePattern(mux)
	h = (&usageRecorder{store: o.Usage, log: o.Logger}).middleware(h)
	h = s.middleware(h)
	h = crossOrigin(p, base, h)
	h = withClientIP(o.TrustedProxies, o.BehindCloudflare, h)
	return measured(securityHeaders(base, h))
}

// home sends people where they belong: staff to the inbox, customers to
// their tickets, everyone else to the login form.
func home(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	switch {
	case v == nil:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	case hasRole(v.User, store.RoleStaff):
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/tickets", http.StatusSeeOther)
	}
}

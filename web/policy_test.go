package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

const hostileMarkdown = "## Cookies\n\nWe use **one** cookie. [Click](javascript:alert(1)) <script>alert(2)</script>\n\n" +
	"<img src=x onerror=alert(3)> <a href=\"javascript:alert(4)\">raw</a> [fine](https://example.com/more)\n"

// The public pages render the embedded default, then published versions,
// sanitized, with their dates, and keep every version readable.
func TestPolicyPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := withClock(db)
		srv := newServer(t, db, testRedis(t), Opts{})
		anon := browser(t)

		res, body := do(t, anon, "GET", srv.URL+"/privacy", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "<h1>Privacy policy</h1>") ||
			!strings.Contains(body, "expires after 15 minutes") || !strings.Contains(body, "Last updated 6 December 2026") ||
			strings.Contains(body, "All versions") {
			t.Fatalf("default privacy: %s\n%s", res.Status, body)
		}
		if res, body := do(t, anon, "GET", srv.URL+"/terms", nil); res.StatusCode != http.StatusOK || !strings.Contains(body, "<h1>Terms of service</h1>") {
			t.Fatalf("default terms: %s\n%s", res.Status, body)
		}
		// Every page's footer links both.
		for _, path := range []string{"/privacy", "/login", "/no-such-page"} {
			_, body := do(t, anon, "GET", srv.URL+path, nil)
			if !strings.Contains(body, `<a href="/privacy">Privacy policy</a>`) || !strings.Contains(body, `<a href="/terms">Terms of service</a>`) {
				t.Errorf("%s: no footer links", path)
			}
		}

		if _, _, err := db.PublishPolicy(ctx, store.NewPolicy{Kind: store.PolicyPrivacy, Text: "First version."}); err != nil {
			t.Fatal(err)
		}
		clock.Add(72 * time.Hour)
		if _, _, err := db.PublishPolicy(ctx, store.NewPolicy{Kind: store.PolicyPrivacy, Text: hostileMarkdown}); err != nil {
			t.Fatal(err)
		}
		_, body = do(t, anon, "GET", srv.URL+"/privacy", nil)
		if !strings.Contains(body, "<h2>Cookies</h2>") || !strings.Contains(body, "<strong>one</strong>") ||
			!strings.Contains(body, `href="https://example.com/more"`) ||
			!strings.Contains(body, "Last updated "+clock.Now().Format("2 January 2006")) ||
			!strings.Contains(body, `href="/privacy/versions/1"`) || !strings.Contains(body, `href="/privacy/versions/2" aria-current="page"`) {
			t.Errorf("version 2 page:\n%s", body)
		}
		text := body[strings.Index(body, `class="policy-text"`):]
		text = text[:strings.Index(text, "</article>")]
		for _, bad := range []string{"<script", "javascript:", "onerror", "<img", "alert(1)", "alert(4)"} {
			if strings.Contains(text, bad) {
				t.Errorf("policy text keeps %q:\n%s", bad, text)
			}
		}
		res, body = do(t, anon, "GET", srv.URL+"/privacy/versions/1", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "First version.") || !strings.Contains(body, "no longer in force") {
			t.Errorf("version 1: %s\n%s", res.Status, body)
		}
		for _, path := range []string{"/privacy/versions/3", "/privacy/versions/0", "/privacy/versions/x", "/terms/versions/1"} {
			if res, _ := do(t, anon, "GET", srv.URL+path, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %s, want 404", path, res.Status)
			}
		}

		// A version effective later is announced on the page, not in force.
		if _, _, err := db.PublishPolicy(ctx, store.NewPolicy{Kind: store.PolicyPrivacy, Text: "Third.", Summary: "Shorter.",
			Effective: clock.Now().Add(7 * 24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		_, body = do(t, anon, "GET", srv.URL+"/privacy", nil)
		if !strings.Contains(body, "<h2>Cookies</h2>") || !strings.Contains(body, "A new version takes effect on") ||
			!strings.Contains(body, `<a href="/privacy/versions/3">Read the upcoming version</a>`) {
			t.Errorf("with an upcoming version:\n%s", body)
		}
	})
}

// The admin previews without publishing, then publishes a significant
// version: the open ticket shows the notice, the closed one not, the
// customer sees the banner once and dismisses it for good.
func TestAdminPublishesSignificantPolicy(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := withClock(db)
		rdb := testRedis(t)
		srv := newServer(t, db, rdb, Opts{})
		if _, err := db.SetRole(ctx, "admin@example.com", "admin"); err != nil {
			t.Fatal(err)
		}
		admin, carol := browser(t), browser(t)
		signIn(t, srv, db, admin, "admin@example.com")
		signIn(t, srv, db, carol, "carol@example.com")
		open := deliver(t, db, newMail("carol@example.com", "Still open", "Help"))
		closed := deliver(t, db, newMail("carol@example.com", "All done", "Thanks"))
		if err := db.SetStatus(ctx, closed.TicketID, "closed"); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Hour)

		form := url.Values{"kind": {"privacy"}, "text": {hostileMarkdown}, "summary": {"We now keep sign-in records for 30 days."},
			"significant": {"yes"}, "action": {"preview"}}
		if res, _ := do(t, carol, "POST", srv.URL+"/admin/policies", form); res.StatusCode != http.StatusForbidden {
			t.Errorf("customer POST: %s", res.Status)
		}
		res, body := do(t, admin, "POST", srv.URL+"/admin/policies", form)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Preview") || !strings.Contains(body, "<h2>Cookies</h2>") ||
			strings.Contains(body, "<script>alert(2)") || !strings.Contains(body, "&lt;script&gt;alert(2)&lt;/script&gt;") ||
			!strings.Contains(body, `value="We now keep sign-in records for 30 days."`) {
			t.Fatalf("preview: %s\n%s", res.Status, body)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM policy_versions`); n != 0 {
			t.Fatalf("the preview published %d versions", n)
		}
		// A bad date keeps the text.
		form.Set("action", "publish")
		form.Set("effective", "soon")
		if res, body := do(t, admin, "POST", srv.URL+"/admin/policies", form); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "not a date") || !strings.Contains(body, "We use **one** cookie.") {
			t.Errorf("bad date: %s\n%s", res.Status, body)
		}
		form.Set("effective", clock.Now().Format(time.DateOnly))
		res, _ = do(t, admin, "POST", srv.URL+"/admin/policies", form)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "notice=published") {
			t.Fatalf("publish: %s %s", res.Status, loc)
		}
		_, body = do(t, admin, "GET", srv.URL+loc, nil)
		if !strings.Contains(body, "Published version 1 of the privacy policy.") || !strings.Contains(body, "tickets that got a notice in their thread now: 1") {
			t.Errorf("after publishing:\n%s", body)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, store.AuditPolicyPublish); n != 1 {
			t.Errorf("%d publishes audited", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM broadcasts WHERE kind = ?`, store.EmailPolicyNotice); n != 1 {
			t.Errorf("%d policy broadcasts", n)
		}
		// The same text again while the worker has not queued the mails yet:
		// the announcement is continued, nobody is told twice.
		res, _ = do(t, admin, "POST", srv.URL+"/admin/policies", form)
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "notice=resumed") || !strings.Contains(loc, "tickets=0") {
			t.Errorf("resume: %s %s", res.Status, loc)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM broadcasts`); n != 1 {
			t.Errorf("%d broadcasts after resuming", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM ticket_policy_notices`); n != 1 {
			t.Errorf("%d ticket notices after resuming", n)
		}
		// The queueing is a worker's task (one: its TaskID); run it, and
		// send the mails through the real send handler.
		info, err := asynq.NewInspectorFromRedisClient(rdb).GetTaskInfo(jobs.QueueLow, jobs.BroadcastTaskID(1))
		if err != nil || info.Type != jobs.TypeBroadcastQueue {
			t.Fatalf("queued task: %+v, %v", info, err)
		}
		h := jobs.NewHandlers(jobs.Opts{Store: db, Logger: slog.New(slog.DiscardHandler)})
		if err := h.HandleBroadcastQueue(ctx, asynq.NewTask(jobs.TypeBroadcastQueue, []byte(`{"broadcast_id":1}`))); err != nil {
			t.Fatal(err)
		}
		m := deliverMail(t, db, testSecret, "carol@example.com")
		if m.Subject != "We updated our privacy policy" || !strings.Contains(m.Text, "We now keep sign-in records for 30 days.") ||
			!strings.Contains(m.Text, srv.URL+"/privacy/versions/1") || !strings.Contains(m.Text, "Privacy policy: http://x/privacy") {
			t.Errorf("mail: %q\n%s", m.Subject, m.Text)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails e JOIN users u ON u.id = e.user_id WHERE u.email = 'carol@example.com' AND e.kind = ?`, store.EmailPolicyNotice); n != 1 {
			t.Errorf("carol got %d policy mails", n)
		}
		// Announced: the same text again is refused.
		if res, body := do(t, admin, "POST", srv.URL+"/admin/policies", form); res.StatusCode != http.StatusConflict || !strings.Contains(body, "has this text already") {
			t.Errorf("again: %s\n%s", res.Status, body)
		}

		// The customer's open ticket shows the notice; the closed one not.
		_, body = do(t, carol, "GET", srv.URL+"/tickets/"+itoa(open.TicketNumber), nil)
		if !strings.Contains(body, `class="msg msg-policy"`) || !strings.Contains(body, "Our privacy policy changed on") ||
			!strings.Contains(body, "We now keep sign-in records for 30 days.") || !strings.Contains(body, `<a href="/privacy/versions/1">read it</a>`) {
			t.Errorf("open ticket:\n%s", body)
		}
		if _, body := do(t, carol, "GET", srv.URL+"/tickets/"+itoa(closed.TicketNumber), nil); strings.Contains(body, "msg-policy") {
			t.Errorf("closed ticket has the notice")
		}
		// Staff see it too.
		if _, body := do(t, admin, "GET", srv.URL+"/inbox/tickets/"+itoa(open.TicketNumber), nil); !strings.Contains(body, "shown here, not mailed") {
			t.Errorf("inbox thread has no notice:\n%s", body)
		}

		// The banner: on every page until dismissed, then never again.
		for _, path := range []string{"/tickets", "/account", "/privacy"} {
			if _, body := do(t, carol, "GET", srv.URL+path, nil); strings.Count(body, `class="policy-banner"`) != 1 {
				t.Errorf("%s: no banner", path)
			}
		}
		if _, body := do(t, browser(t), "GET", srv.URL+"/privacy", nil); strings.Contains(body, `class="policy-banner"`) {
			t.Error("a banner for nobody")
		}
		res, _ = do(t, carol, "POST", srv.URL+"/policy/banners/1/dismiss", url.Values{"back": {"/tickets?status=open"}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/tickets?banner=dismissed&status=open" {
			t.Fatalf("dismiss: %s %s", res.Status, loc)
		}
		_, body = do(t, carol, "GET", srv.URL+"/tickets?banner=dismissed&status=open", nil)
		if strings.Contains(body, `class="policy-banner"`) || !strings.Contains(body, "Notice dismissed.") {
			t.Errorf("after dismissing:\n%s", body)
		}
		if _, body := do(t, carol, "GET", srv.URL+"/account", nil); strings.Contains(body, `class="policy-banner"`) {
			t.Error("the banner came back")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM policy_dismissals d JOIN users u ON u.id = d.user_id WHERE u.email = 'carol@example.com'`); n != 1 {
			t.Errorf("%d dismissals", n)
		}
		// A foreign back address goes home instead.
		if res, _ := do(t, admin, "POST", srv.URL+"/policy/banners/1/dismiss", url.Values{"back": {"//evil.example/x"}}); res.Header.Get("Location") != "/?banner=dismissed" {
			t.Errorf("foreign back: %s", res.Header.Get("Location"))
		}
		// Cross-site posts are refused by the CSRF middleware.
		if res, _ := do(t, carol, "POST", srv.URL+"/policy/banners/1/dismiss", url.Values{}, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site dismiss: %s", res.Status)
		}
	})
}

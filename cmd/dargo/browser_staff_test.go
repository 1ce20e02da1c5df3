package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserStaffInvite in Chromium at 390 px: the admin invites Mia as
// staff on /admin/staff, sees it said on the page, which fits the phone;
// Mia's invitation mail signs her in to the inbox; the admin makes her an
// admin, and the audit log says so.
func TestBrowserStaffInvite(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-staff-failure.png", 90*time.Second)
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844))
	fits := func(what string) {
		t.Helper()
		js := `Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)`
		if w := fromBrowser(t, ctx, chromedp.Evaluate[int](js)); w > 390 {
			t.Errorf("%s is %d px wide at 390 px", what, w)
		}
	}

	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/admin/staff"))
	expectPage(t, ctx, base+"/admin/staff", "Staff", "admin@localhost", "Invite someone")
	fits("/admin/staff")
	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("invite-email"), "mia@example.com"))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action="/admin/staff/invite"] button`))
	expectPage(t, ctx, "", "Invitation sent: mia@example.com is now staff and has a sign-in link in their inbox.", "mia@example.com")
	fits("/admin/staff after inviting")
	screenshot(t, ctx, "admin-staff-invited-390.png")

	// Mia's mail signs her in, in her own browser, and she lands in the inbox.
	mia := newBrowser(t, chromium, "browser-staff-mia-failure.png", 60*time.Second)
	inBrowser(t, mia, chromedp.EmulateViewport(390, 844))
	mails := waitForMail(t, mia, base, "mia@example.com", "You are invited to Dargo Support")
	clickAndLoad(t, mia, chromedp.CSS(`main a[href="`+mails[0].Href+`"]`))
	link := signInLink(t, mia, base)
	inBrowser(t, mia, chromedp.Navigate(link))
	expectPage(t, mia, "", "Confirm sign-in", "mia@example.com")
	clickAndLoad(t, mia, chromedp.ID("confirm"))
	expectPage(t, mia, base+"/inbox")

	// The admin makes her an admin.
	clickAndLoad(t, ctx, chromedp.CSS(`button[aria-label="Make mia@example.com an admin"]`))
	expectPage(t, ctx, "", "mia@example.com is now an admin.")
	fits("/admin/staff after a role change")
	screenshot(t, ctx, "admin-staff-role-390.png")

	// The audit log says it in words.
	clickAndLoad(t, ctx, chromedp.CSS(`main a[href="/admin/audit?action=role_change"]`))
	expectPage(t, ctx, "", "admin@localhost made mia@example.com staff.", "admin@localhost made mia@example.com an admin.")
	fits("/admin/audit")
	screenshot(t, ctx, "admin-audit-390.png")
}

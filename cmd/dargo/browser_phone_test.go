package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// phonePage is a page every width must fit: its path ({customer} is Ada's
// customer page id, {mail} the newest dev outbox mail) and a text it shows,
// so that a sign-in page in its place fails the test.
type phonePage struct{ path, shows string }

// Pages by who sees them. Add a page here when you add one to Dargo.
var (
	phonePublicPages = []phonePage{
		{"/login", "Sign in"},
		{"/login/sent", "Check your email"},
		{"/privacy", "Privacy"},
		{"/terms", "Terms"},
		{"/dev/mail", "Dev outbox"},
		{"/dev/mail/{mail}", "Text"},
		{"/login/confirm?token=spent", "This link cannot sign you in"},
		{"/no/such/page", "Not found"},
	}
	phoneStaffPages = []phonePage{
		{"/inbox", "Inbox"},
		{"/inbox?q=printer", "Inbox"},
		{"/inbox/tickets/1", "printer.png"},
		{"/inbox/customers", ada},
		{"/inbox/customers?q=lovelace", ada},
		{"/inbox/customers/{customer}", ada},
		{"/inbox/saved-replies", "Saved replies"},
		{"/inbox/saved-replies/new", "New saved reply"},
		{"/inbox/tickets/1/saved-replies", "Saved replies for #1"},
		{"/account", "Your account"},
		{"/admin/staff", "Staff"},
		{"/admin/audit", "Audit"},
		{"/admin/broadcasts", "Notices"},
		{"/admin/suppressions", "Suppress"},
		{"/admin/held", "Held mail"},
		{"/admin/policies", "Policies"},
		{"/admin/usage", "Usage"},
	}
	phoneCustomerPages = []phonePage{
		{"/tickets", "Your tickets"},
		{"/tickets/new", "New ticket"},
		{"/tickets/1", "printer.png"},
		{"/account", "Your account"},
	}
)

// ada's address is as long as some are, and has nowhere to break either.
const ada = "ada.augusta.king.countess.of.lovelace@analytical-engine.example.com"

// longURL is a link without a place to break, as mail programs paste them.
const longURL = "https://printers.example.com/support/downloads/drivers?model=LaserJet4&os=windows-11-x64&token=" +
	"aHR0cHM6Ly9wcmludGVycy5leGFtcGxlLmNvbS9zdXBwb3J0L2Rvd25sb2Fkcy9kcml2ZXJzP21vZGVsPUxhc2VySmV0NA0K0123456789abcdef"

// TestBrowserPhoneWidth visits every page at a 390 px phone and at 1280 px
// and fails, naming the page and its widest element, when one scrolls
// sideways. On the staff ticket page the ticket's controls come before the
// thread on a phone and beside it on a desktop. Screenshots with
// DARGO_TEST_SCREENSHOTS.
func TestBrowserPhoneWidth(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-phone-failure.png", 150*time.Second)
	long := "my printer is on fire. The driver page says to download " + longURL +
		" but it does not load.\n\n" + strings.Repeat("It smells of burnt toner and the paper tray is melting. ", 12)
	first := strings.ReplaceAll(string(firstMail(t, "My printer is on fire and the driver page will not load at all", long)), "ada@example.com", ada)
	sendMail(t, dev.smtp, ada, "support@localhost", []byte(first))
	mails := waitForMail(t, ctx, base, ada, "We received your request [#1] My printer is on fire and the driver page will not load at all")
	vars := strings.NewReplacer("{mail}", strings.TrimPrefix(mails[0].Href, "/dev/mail/"))
	fitsBothWidths(t, ctx, base, vars, phonePublicPages)

	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	customer := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.querySelector("a[href^='/inbox/customers/']").getAttribute("href")`))
	vars = strings.NewReplacer("{mail}", strings.TrimPrefix(mails[0].Href, "/dev/mail/"), "{customer}", strings.TrimPrefix(customer, "/inbox/customers/"))
	fitsBothWidths(t, ctx, base, vars, phoneStaffPages)
	ticketControls(t, ctx, base)
	clickAndLoad(t, ctx, chromedp.CSS(`header form[action="/logout"] button`))

	signInByClick(t, ctx, base, ada)
	fitsBothWidths(t, ctx, base, vars, phoneCustomerPages)
	setWidth(t, ctx, 390)
	inBrowser(t, ctx, chromedp.Navigate(base+"/account"))
	screenshot(t, ctx, "phone-account-customer-390.png")
}

// fitsBothWidths checks each page at 390 and at 1280 px.
func fitsBothWidths(t *testing.T, ctx context.Context, base string, vars *strings.Replacer, pages []phonePage) {
	t.Helper()
	for _, width := range []int64{390, 1280} {
		setWidth(t, ctx, width)
		for _, p := range pages {
			path := vars.Replace(p.path)
			inBrowser(t, ctx, chromedp.Navigate(base+path))
			expectPage(t, ctx, "", p.shows)
			if wide := fromBrowser(t, ctx, chromedp.Evaluate[string](widestJS)); wide != "" {
				t.Errorf("%s scrolls sideways at %d px: %s", path, width, wide)
			}
		}
	}
}

// setWidth sets the viewport: 390 px is a phone, touch and 2x pixels.
func setWidth(t *testing.T, ctx context.Context, width int64) {
	t.Helper()
	if width < 600 {
		inBrowser(t, ctx, chromedp.EmulateViewport(width, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		return
	}
	inBrowser(t, ctx, chromedp.EmulateViewport(width, 900))
}

// widestJS is "" when the page fits its viewport, and otherwise says how
// wide it is and which elements reach furthest right (innermost, by
// their box or their overflowing content, ignoring content inside a box
// that scrolls on its own).
const widestJS = `(() => {
	const doc = document.documentElement, w = doc.clientWidth;
	if (doc.scrollWidth <= w) return "";
	const clipped = e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
		if (getComputedStyle(p).overflowX !== "visible") return true; } return false; };
	const right = e => { const r = e.getBoundingClientRect(); return r.left + Math.max(r.width, e.scrollWidth); };
	const over = Array.from(document.body.querySelectorAll("*")).filter(e => right(e) > w + 0.5 && !clipped(e));
	const inner = over.filter(e => !over.some(o => o !== e && e.contains(o)));
	const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
		(typeof e.className === "string" && e.className.trim() ? "." + e.className.trim().split(/\s+/).join(".") : "");
	const path = e => { const p = []; for (let x = e; x && x !== document.body; x = x.parentElement) p.unshift(name(x)); return p.join(" > "); };
	inner.sort((a, b) => right(b) - right(a));
	return doc.scrollWidth + " px wide in " + w + " px; widest: " + inner.slice(0, 3).map(e =>
		path(e) + " (to " + Math.round(right(e)) + " px)").join("; ");
})()`

// ticketControls checks the staff ticket page's layout: on a phone the
// status and assignee controls come before the thread; at 1280 px the side
// panel sits right of the thread, as before.
func ticketControls(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	const tops = `[document.getElementById("status").getBoundingClientRect().top,
		document.getElementById("assignee").getBoundingClientRect().bottom,
		document.querySelector("ol.thread").getBoundingClientRect().top,
		document.querySelector(".ticket > .main").getBoundingClientRect().right,
		document.querySelector("aside.side").getBoundingClientRect().left]`
	setWidth(t, ctx, 390)
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	screenshot(t, ctx, "phone-staff-ticket-390.png")
	if at := fromBrowser(t, ctx, chromedp.Evaluate[[]float64](tops)); at[1] > at[2] {
		t.Errorf("at 390 px the status control is at %.0f px and the assignee ends at %.0f px, after the thread at %.0f px", at[0], at[1], at[2])
	}
	inBrowser(t, ctx, chromedp.Navigate(base+"/account"))
	screenshot(t, ctx, "phone-account-staff-390.png")

	setWidth(t, ctx, 1280)
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	screenshot(t, ctx, "phone-staff-ticket-1280.png")
	if at := fromBrowser(t, ctx, chromedp.Evaluate[[]float64](tops)); at[4] < at[3] || at[0] > at[2]+200 {
		t.Errorf("at 1280 px the side panel starts at %.0f px, left of the thread's end at %.0f px (or the controls at %.0f px are far below the thread at %.0f px)", at[4], at[3], at[0], at[2])
	}
	inBrowser(t, ctx, chromedp.Navigate(base+"/account"))
	screenshot(t, ctx, "phone-account-staff-1280.png")
}

// signInByClick signs email in as a person does in dev: the login form,
// then a click on the link in the mail the dev outbox shows, which opens
// the confirm page.
func signInByClick(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	inBrowser(t, ctx, chromedp.Navigate(base+"/login"), chromedp.SendKeys(chromedp.ID("email"), email))
	clickAndLoad(t, ctx, chromedp.CSS(`main button[type=submit]`))
	mails := waitForMail(t, ctx, base, email, "Your sign-in link")
	clickAndLoad(t, ctx, chromedp.CSS(`main a[href="`+mails[0].Href+`"]`))
	link := signInLink(t, ctx, base)
	if rel := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.querySelector("main pre a").rel`)); rel != "noopener noreferrer" {
		t.Errorf("the link in the mail has rel=%q, want noopener noreferrer", rel)
	}
	clickAndLoad(t, ctx, chromedp.CSS(`main pre a[href="`+link+`"]`))
	expectPage(t, ctx, link, "Confirm sign-in", email)
	clickAndLoad(t, ctx, chromedp.ID("confirm"))
}

package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/dargo-support/dargo/internal/useragent"
	"github.com/dargo-support/dargo/store"
)

// accountHandler shows who is signed in, where, and signs them out.
type accountHandler struct {
	store    Store
	pages    *pages
	sessions *sessions
	choices  ChoiceStore
	profiles ProfileStore // nil: no "How customers see you" section
	// notices and categories serve staff's "Notifications" section
	// (account_notices.go); nil notices: no such section.
	notices    NoticeStore
	categories []string
}

// accountPage is the account page's data.
type accountPage struct {
	Sessions []sessionRow // live, newest first
	Ended    []sessionRow // recently ended, newest end first
	Logins   []loginRow
	Choices  []choiceView
	Notices  []string     // what the last action changed
	Profile  *profileForm // staff only
	// NameNotice says what the name form saved.
	NameNotice string
	// Notifications are a staff member's notice choices; nil for customers.
	Notifications *noticeForm
	// TimeZone is a staff member's time zone form; nil for customers.
	TimeZone *zoneForm
	// Languages are the customer's language choices; nil for staff,
	// whose pages and mail are English.
	Languages []languageOption
	// LanguageNotice says what the language form saved.
	LanguageNotice string
}

// refusedForms are forms sent back as typed, with their error; nil ones
// are shown as saved.
type refusedForms struct {
	profile *profileForm
	zone    *zoneForm
}

// sessionRow is a session as the account page shows it.
type sessionRow struct {
	store.Session
	Agent   string // "Chrome on macOS, desktop"
	Lasted  string // "2 h 10 min": so far while live
	Ended   string // how it ended, in words
	ThisOne bool   // the browser looking at the page
}

// loginRow is a sign-in as the account page shows it.
type loginRow struct {
	store.LoginRecord
	Agent string
}

// endedSessionsShown is how many ended sessions the page lists.
const endedSessionsShown = 10

func (h *accountHandler) show(w http.ResponseWriter, r *http.Request) {
	h.showWith(w, r, http.StatusOK, refusedForms{})
}

// showWith renders the account page; a refused form comes back as typed,
// with its error.
func (h *accountHandler) showWith(w http.ResponseWriter, r *http.Request, status int, refused refusedForms) {
	v := viewerFrom(r.Context())
	live, err := h.store.Sessions(r.Context(), v.User.ID)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	ended, err := h.store.EndedSessions(r.Context(), v.User.ID, endedSessionsShown)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	logins, err := h.store.Logins(r.Context(), v.User.ID, 20)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	now := time.Now()
	choices, err := h.choices.Choices(r.Context(), v.User.ID)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	data := accountPage{Choices: viewChoices(choices, false), Notices: notices(r, choiceNotices), Profile: refused.profile,
		NameNotice: nameNotice(r, "your", v.User.Name)}
	if !hasRole(v.User, store.RoleStaff) {
		data.Languages, data.LanguageNotice = languageOptions(v.User, pageLang(r, v)), languageNotice(r, v.User)
	}
	if data.Profile == nil && h.profiles != nil && hasRole(v.User, store.RoleStaff) {
		p, err := h.profiles.StaffProfile(r.Context(), v.User.ID)
		if err != nil {
			h.pages.fail(w, r, err)
			return
		}
		data.Profile = newProfileForm(p.DisplayName, p.Signature)
		data.Profile.Notices = notices(r, profileNotices)
	}
	if data.Notifications, err = h.noticeFormFor(r); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if data.TimeZone = refused.zone; data.TimeZone == nil {
		if data.TimeZone, err = h.zoneFormFor(r); err != nil {
			h.pages.fail(w, r, err)
			return
		}
	}
	for _, s := range live {
		data.Sessions = append(data.Sessions, sessionRow{Session: s, Agent: describeAgent(s.Browser, s.OS, s.Device, s.UserAgent),
			Lasted: humanDuration(s.Duration(now)), ThisOne: s.ID == v.Session.ID})
	}
	for _, s := range ended {
		data.Ended = append(data.Ended, sessionRow{Session: s, Agent: describeAgent(s.Browser, s.OS, s.Device, s.UserAgent),
			Lasted: humanDuration(s.Duration(now)), Ended: endReasons[s.EndReason]})
	}
	for _, l := range logins {
		data.Logins = append(data.Logins, loginRow{LoginRecord: l, Agent: describeAgent(l.Browser, l.OS, l.Device, l.UserAgent)})
	}
	h.pages.render(w, r, status, "account.html", "Your account", data)
}

// endReasons says how a session ended, by store's end reason.
var endReasons = map[string]string{
	store.EndLogout:   "Logged out",
	store.EndExpired:  "Expired after 7 days",
	store.EndRevoked:  "Ended by “Log out everywhere” or an address change",
	store.EndReplaced: "Signed in again",
}

// describeAgent describes a browser as recorded. Rows from before browsers
// were parsed at sign-in (no device) are parsed from their user agent here.
func describeAgent(browser, os, device, ua string) string {
	if device == "" {
		return useragent.Describe(ua)
	}
	return useragent.Agent{Browser: browser, OS: os, Device: device}.Describe()
}

// humanDuration is a duration as people say it: "under a minute",
// "45 min", "2 h 10 min", "3 d 4 h".
func humanDuration(d time.Duration) string {
	days, hours, mins := strconv.Itoa(int(d/(24*time.Hour))), int(d/time.Hour)%24, int(d/time.Minute)%60
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return strconv.Itoa(mins) + " min"
	case d < 24*time.Hour && mins == 0:
		return strconv.Itoa(hours) + " h"
	case d < 24*time.Hour:
		return strconv.Itoa(hours) + " h " + strconv.Itoa(mins) + " min"
	case hours == 0:
		return days + " d"
	}
	return days + " d " + strconv.Itoa(hours) + " h"
}

// logout ends this browser's session, on the server as well as the cookie.
func (h *accountHandler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.store.Logout(r.Context(), viewerFrom(r.Context()).tokenHash); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.sessions.clear(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// logoutEverywhere ends every session of the user, this one included.
func (h *accountHandler) logoutEverywhere(w http.ResponseWriter, r *http.Request) {
	if _, err := h.store.LogoutEverywhere(r.Context(), viewerFrom(r.Context()).User.ID); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.sessions.clear(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

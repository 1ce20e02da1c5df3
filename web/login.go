package web

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/mail"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/internal/seal"
	"github.com/dargo-support/dargo/store"
)

// loginHandler runs magic-link sign-in: the form, the mail, the confirmation.
type loginHandler struct {
	store    Store
	pages    *pages
	sessions *sessions
	limiter  *limiter
	human    *humanCheck
	secret   string
	baseURL  string
	log      *slog.Logger
}

// loginForm is the login page's data.
type loginForm struct {
	Email string
	Next  string
	Error string
}

func (h *loginHandler) form(w http.ResponseWriter, r *http.Request) {
	h.pages.render(w, r, http.StatusOK, "login.html", "Sign in", loginForm{Next: safeNext(r.URL.Query().Get("next"))})
}

// request mails a sign-in link. It answers the same whether or not the
// address is known: the link goes to any address (a new one becomes a
// customer when the link is confirmed), so nobody learns who has an account.
func (h *loginHandler) request(w http.ResponseWriter, r *http.Request) {
	f := loginForm{Email: strings.TrimSpace(r.PostFormValue("email")), Next: safeNext(r.PostFormValue("next"))}
	addr, err := mail.ParseAddress(f.Email)
	if err != nil || addr.Name != "" || len(addr.Address) > 254 || !strings.Contains(addr.Address, "@") {
		f.Error = "Enter an email address like name@example.com."
		metrics.SigninLinks.WithLabelValues("invalid_address").Inc()
		h.pages.render(w, r, http.StatusBadRequest, "login.html", "Sign in", f)
		return
	}
	ip := ipFrom(r)
	if h.limited(w, r, "link-ip", ipBucket(ip), h.limiter.limits.LinksPerIP) {
		return
	}
	if _, status, problem := h.human.check(r); problem != "" {
		f.Error = problem
		metrics.SigninLinks.WithLabelValues("bot_check").Inc()
		h.pages.render(w, r, status, "login.html", "Sign in", f)
		return
	}
	if h.limited(w, r, "link-address", store.NormalizeEmail(addr.Address), h.limiter.limits.LinksPerAddress) {
		return
	}
	secret, hash := newSecret()
	link := h.baseURL + "/login/confirm?token=" + secret
	sealed, err := seal.Seal(h.secret, []byte(link))
	if err == nil {
		err = h.store.RequestLogin(r.Context(), store.LoginRequest{TokenHash: hash, Email: addr.Address, Next: f.Next,
			IP: ip, UserAgent: userAgent(r), SealedLink: sealed, TTL: TokenTTL})
	}
	if err != nil {
		metrics.SigninLinks.WithLabelValues("unavailable").Inc()
		h.pages.fail(w, r, err)
		return
	}
	metrics.SigninLinks.WithLabelValues("sent").Inc()
	http.Redirect(w, r, "/login/sent", http.StatusSeeOther)
}

func (h *loginHandler) sent(w http.ResponseWriter, r *http.Request) {
	h.pages.render(w, r, http.StatusOK, "login_sent.html", "Check your email", nil)
}

// limited spends one request of key's budget and, when it is spent, answers
// 429 with a page saying when to try again. A Redis outage refuses the
// request too: limits that fail open invite abuse.
func (h *loginHandler) limited(w http.ResponseWriter, r *http.Request, kind, key string, perHour int) bool {
	count := metrics.SigninConfirms
	if strings.HasPrefix(kind, "link-") {
		count = metrics.SigninLinks
	}
	wait, err := h.limiter.allow(r.Context(), kind, key, perHour)
	if err != nil {
		count.WithLabelValues("unavailable").Inc()
		h.log.ErrorContext(r.Context(), "rate limit", "err", err)
		h.pages.message(w, r, http.StatusServiceUnavailable, "Try again shortly",
			"Dargo cannot sign anyone in for a moment. Please try again in a minute.")
		return true
	}
	if wait == 0 {
		return false
	}
	count.WithLabelValues("rate_limited").Inc()
	mins := int(math.Ceil(wait.Minutes()))
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	h.pages.render(w, r, http.StatusTooManyRequests, "rate_limited.html", "Too many attempts", mins)
	return true
}

// Every result exists from the start, at 0, so that increase() sees the
// first event after a restart.
func init() {
	for _, r := range []string{"sent", "rate_limited", "bot_check", "invalid_address", "unavailable"} {
		metrics.SigninLinks.WithLabelValues(r)
	}
	for _, r := range []string{"ok", "expired", "used", "invalid", "rate_limited", "bot_check", "unavailable"} {
		metrics.SigninConfirms.WithLabelValues(r)
	}
}

// confirmRefused counts a sign-in link's use (a POST, not a look at the
// confirm page) that err refused.
func confirmRefused(err error) {
	result := "unavailable"
	switch {
	case errors.Is(err, store.ErrTokenExpired):
		result = "expired"
	case errors.Is(err, store.ErrTokenUsed):
		result = "used"
	case isTokenError(err):
		result = "invalid"
	}
	metrics.SigninConfirms.WithLabelValues(result).Inc()
}

func userAgent(r *http.Request) string {
	ua := r.UserAgent()
	if len(ua) > 512 {
		ua = ua[:512]
	}
	return ua
}

// tokenProblem explains a link that cannot sign anyone in and offers a new one.
func (h *loginHandler) tokenProblem(w http.ResponseWriter, r *http.Request, err error) {
	var status int
	var why string
	switch {
	case errors.Is(err, store.ErrTokenExpired):
		status, why = http.StatusGone, "This sign-in link has expired: links work for 15 minutes."
	case errors.Is(err, store.ErrTokenUsed):
		status, why = http.StatusGone, "This sign-in link has already been used: each link works once."
	default:
		status, why = http.StatusNotFound, "This sign-in link is not valid. It may have been copied incompletely."
	}
	h.pages.render(w, r, status, "login_problem.html", "Link not valid", loginForm{Error: why, Next: "/"})
}

package web

import (
	"errors"
	"net/http"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/store"
)

// confirmPage is the confirm page's data.
type confirmPage struct {
	Token string
	Email string
	Error string
}

// confirmForm shows the link's address and a button. Opening the link
// changes nothing, so mail scanners that follow links neither spend nor use
// it; only the button's POST signs in.
func (h *loginHandler) confirmForm(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
	token := r.URL.Query().Get("token")
	if len(token) != 43 {
		h.tokenProblem(w, r, store.ErrNotFound)
		return
	}
	email, err := h.store.TokenEmail(r.Context(), hashSecret(token))
	if err != nil && !isTokenError(err) {
		h.pages.fail(w, r, err)
		return
	}
	if err != nil {
		h.tokenProblem(w, r, err)
		return
	}
	h.pages.render(w, r, http.StatusOK, "login_confirm.html", "Confirm sign-in", &confirmPage{Token: token, Email: email})
}

// confirm spends the token and starts a session for the address the link
// was mailed to; nothing in the form can name another account.
func (h *loginHandler) confirm(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	w.Header().Set("Referrer-Policy", "no-referrer")
	ip := ipFrom(r)
	if h.limited(w, r, "confirm-ip", ipBucket(ip), h.limiter.limits.ConfirmsPerIP) {
		return
	}
	token := r.PostFormValue("token")
	if len(token) != 43 {
		confirmRefused(store.ErrNotFound)
		h.tokenProblem(w, r, store.ErrNotFound)
		return
	}
	hash := hashSecret(token)
	email, err := h.store.TokenEmail(r.Context(), hash)
	if err != nil {
		confirmRefused(err)
		if isTokenError(err) {
			h.tokenProblem(w, r, err)
		} else {
			h.pages.fail(w, r, err)
		}
		return
	}
	page := &confirmPage{Token: token, Email: email}
	outcome, status, problem := h.human.check(r)
	if problem != "" {
		page.Error = problem
		metrics.SigninConfirms.WithLabelValues("bot_check").Inc()
		h.pages.render(w, r, status, "login_confirm.html", "Confirm sign-in", page)
		return
	}
	var replaces string
	if v := viewerFrom(r.Context()); v != nil {
		replaces = v.tokenHash
	}
	secret, sessHash := newSecret()
	in, err := h.store.ConfirmLogin(r.Context(), store.Login{TokenHash: hash, SessionHash: sessHash, Replaces: replaces,
		IP: ip, UserAgent: userAgent(r), Turnstile: string(outcome), SessionTTL: SessionTTL})
	if err != nil {
		confirmRefused(err)
	}
	if isTokenError(err) {
		h.tokenProblem(w, r, err)
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	metrics.SigninConfirms.WithLabelValues("ok").Inc()
	h.sessions.set(w, secret, in.ExpiresAt)
	usedBy(r, in.User.ID, store.FeatureSignedIn)
	h.log.InfoContext(r.Context(), "signed in", "user", in.User.ID, "role", in.User.Role)
	http.Redirect(w, r, safeNext(in.Next), http.StatusSeeOther)
}

func isTokenError(err error) bool {
	return errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrTokenUsed) || errors.Is(err, store.ErrTokenExpired)
}

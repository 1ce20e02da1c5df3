package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dargo-support/dargo/store"
)

// viewer is who is asking: the session from the cookie and its user.
type viewer struct {
	Session   *store.Session
	User      *store.User
	tokenHash string
	zone      *time.Location // the staff member's, once pages.location read it
}

type viewerKey struct{}

func viewerFrom(ctx context.Context) *viewer {
	v, _ := ctx.Value(viewerKey{}).(*viewer)
	return v
}

// sessions reads and writes the session cookie.
type sessions struct {
	store  Store
	log    *slog.Logger
	secure bool
}

// cookieName is __Host- prefixed on https: the browser then insists on
// Secure, Path=/ and no Domain, so no subdomain can plant or read it.
func (s *sessions) cookieName() string {
	if s.secure {
		return "__Host-dargo_session"
	}
	return "dargo_session"
}

// newSecret returns 256 random bits, URL-safe, and their SHA-256 hash (hex),
// which is all the database keeps.
func newSecret() (secret, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, hashSecret(secret)
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// middleware puts the viewer of a live session in the request's context and
// notes the session as seen (the store does it at most once a minute).
func (s *sessions) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sessionless(r.URL.Path) {
			next.ServeHTTP(w, r) // no database round trip for an asset or a probe
			return
		}
		c, err := r.Cookie(s.cookieName())
		if err != nil || c.Value == "" || len(c.Value) > 64 {
			next.ServeHTTP(w, r)
			return
		}
		hash := hashSecret(c.Value)
		sess, user, err := s.store.SessionUser(r.Context(), hash)
		if errors.Is(err, store.ErrNotFound) {
			s.clear(w) // expired or logged out elsewhere
			next.ServeHTTP(w, r)
			return
		}
		if err != nil {
			s.log.ErrorContext(r.Context(), "load session", "err", err)
			http.Error(w, "Dargo cannot reach its database; try again in a minute.", http.StatusServiceUnavailable)
			return
		}
		if time.Since(sess.LastSeenAt) > time.Minute {
			if err := s.store.TouchSession(r.Context(), sess.ID); err != nil {
				s.log.WarnContext(r.Context(), "touch session", "err", err)
			}
		}
		v := &viewer{Session: sess, User: user, tokenHash: hash}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), viewerKey{}, v)))
	})
}

// sessionless are the paths whose handlers never look at the viewer.
func sessionless(path string) bool {
	return strings.HasPrefix(path, "/static/")
}

// set gives the browser its session cookie.
func (s *sessions) set(w http.ResponseWriter, secret string, expires time.Time) {
	// #nosec G124 -- Secure whenever DARGO_BASE_URL is https; dargo dev on http needs it off
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: secret, Path: "/", Expires: expires,
		MaxAge: int(time.Until(expires).Round(time.Second).Seconds()), HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// clear removes the session cookie.
func (s *sessions) clear(w http.ResponseWriter) {
	// #nosec G124 -- Secure whenever DARGO_BASE_URL is https; dargo dev on http needs it off
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// signedOut removes the session cookie and returns the request without its
// viewer, so that the page it renders (an erasure's or an address change's
// last page) no longer shows the address in the header.
func (s *sessions) signedOut(w http.ResponseWriter, r *http.Request) *http.Request {
	s.clear(w)
	return r.WithContext(context.WithValue(r.Context(), viewerKey{}, (*viewer)(nil)))
}

// requireUser sends anyone without a session to the login form, with a way
// back to where they were going.
func requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if viewerFrom(r.Context()) == nil {
			if r.Method != http.MethodGet {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		noStore(w)
		next.ServeHTTP(w, r)
	})
}

// requireRole lets through only viewers whose role, read from the session's
// user on this request, is role or above.
func requireRole(p *pages, role string, next http.Handler) http.Handler {
	return requireUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hasRole(viewerFrom(r.Context()).User, role) {
			p.message(w, r, http.StatusForbidden, "Not allowed", "Your account cannot open this page.")
			return
		}
		next.ServeHTTP(w, r)
	}))
}

func hasRole(u *store.User, role string) bool {
	rank := map[string]int{store.RoleCustomer: 1, store.RoleStaff: 2, store.RoleAdmin: 3}
	return rank[u.Role] >= rank[role] && rank[role] > 0
}

// safeNext returns next when it is a path on this site, and "/" otherwise:
// no open redirects after login.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || len(next) > 512 {
		return "/"
	}
	if len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return "/"
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

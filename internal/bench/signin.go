package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/dargo-support/dargo/internal/seal"
	"github.com/dargo-support/dargo/store"
)

// signIn measures magic-link sign-in through the production web handler:
// "signin_request" POSTs /login for a new address each time (the rate
// limits counted in Redis, the token and its mail queued in one
// transaction); "signin_confirm" POSTs each mailed link's token to
// /login/confirm, which starts a session. Every request comes from
// 127.0.0.1, so the caller's wiring must raise the per-IP limits.
func signIn(ctx context.Context, r *run) ([]Row, error) {
	srv, err := startWeb(r)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	n, clients := r.sizes.Requests, r.sizes.Clients
	addr := func(i int) string { return fmt.Sprintf("signin-%d@bench.example", i) }
	post := func(path string, form url.Values) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPost, srv.base+path, strings.NewReader(form.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req, nil
	}
	sent := func(res *http.Response, _ []byte) error {
		if loc := res.Header.Get("Location"); loc != "/login/sent" {
			return fmt.Errorf("POST /login: redirected to %q, want /login/sent", loc)
		}
		return nil
	}
	lat, elapsed, err := srv.load(ctx, clients, n, http.StatusSeeOther, func(i int) (*http.Request, error) {
		return post("/login", url.Values{"email": {addr(i)}, "next": {"/"}})
	}, sent)
	if err != nil {
		return nil, err
	}
	request := lat.row("signin_request", len(lat), elapsed, "req/s")
	request.Note = fmt.Sprintf("POST /login, a new address each, %d clients from 127.0.0.1 (per-IP limits raised for the bench)", clients)

	tokens, err := mailedTokens(ctx, r, n)
	if err != nil {
		return nil, err
	}
	signedIn := func(res *http.Response, _ []byte) error {
		for _, c := range res.Cookies() {
			if strings.HasSuffix(c.Name, "dargo_session") && c.Value != "" {
				return nil
			}
		}
		return fmt.Errorf("POST /login/confirm: no session cookie (redirected to %q)", res.Header.Get("Location"))
	}
	lat, elapsed, err = srv.load(ctx, clients, len(tokens), http.StatusSeeOther, func(i int) (*http.Request, error) {
		return post("/login/confirm", url.Values{"token": {tokens[i]}})
	}, signedIn)
	if err != nil {
		return nil, err
	}
	confirm := lat.row("signin_confirm", len(lat), elapsed, "req/s")
	confirm.Note = fmt.Sprintf("POST /login/confirm with each mailed link's token: a new customer and session each, %d clients", clients)
	return []Row{request, confirm}, nil
}

// mailedTokens opens the sealed links of the sign-in mails waiting in the
// outbox, as the worker would to send them, and returns their tokens.
func mailedTokens(ctx context.Context, r *run, want int) ([]string, error) {
	var payloads []string
	err := r.db.X.SelectContext(ctx, &payloads, r.db.X.Rebind(`SELECT o.payload FROM outbox o JOIN emails e ON e.id = o.email_id
		WHERE e.kind = ? AND e.to_email LIKE 'signin-%@bench.example' ORDER BY o.id`), store.EmailMagicLink)
	if err != nil {
		return nil, fmt.Errorf("sign-in mails: %w", err)
	}
	if len(payloads) != want {
		return nil, fmt.Errorf("%d sign-in mails queued, want %d", len(payloads), want)
	}
	tokens := make([]string, 0, len(payloads))
	for _, p := range payloads {
		var row struct {
			Sealed string `json:"sealed"`
		}
		if err := json.Unmarshal([]byte(p), &row); err != nil {
			return nil, fmt.Errorf("outbox payload: %w", err)
		}
		link, err := seal.Open(r.o.Secret, row.Sealed)
		if err != nil {
			return nil, fmt.Errorf("open sign-in link: %w", err)
		}
		u, err := url.Parse(string(link))
		if err != nil {
			return nil, fmt.Errorf("sign-in link: %w", err)
		}
		tokens = append(tokens, u.Query().Get("token"))
	}
	return tokens, nil
}

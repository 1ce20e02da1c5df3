// Package turnstile verifies Cloudflare Turnstile tokens on the server.
//
// A public form embeds the Turnstile widget, which fills the FormField field
// with a short-lived token. The handler passes that token to Verifier.Verify,
// which posts it with the secret key to Cloudflare's siteverify endpoint and
// sorts the answer into an Outcome: Failed means the visitor did not pass (no
// token, a rejected token, or one issued for another hostname); Unavailable
// means Cloudflare gave no usable answer in time, so the caller decides
// whether to fail closed. Each call sends a fresh idempotency key, so the one
// retry after a network error is not mistaken for a replayed token. Errors are
// meant for logs; what the visitor sees is up to the caller.
package turnstile

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Outcome of a verification, recorded with each login.
type Outcome string

const (
	Off         Outcome = "off"         // no secret configured (dev): verification skipped
	Passed      Outcome = "passed"      // Cloudflare accepted the token
	Failed      Outcome = "failed"      // Cloudflare said no, or hostname mismatch, or token missing
	Unavailable Outcome = "unavailable" // siteverify timed out / network error / non-2xx / bad JSON
)

// DefaultVerifyURL is Cloudflare's siteverify endpoint.
const DefaultVerifyURL = "https://challenges.cloudflare.com/turnstile/v0/siteverify"

// FormField is the form field the widget fills.
const FormField = "cf-turnstile-response"

const (
	maxTokenLen     = 2048     // Cloudflare's documented maximum
	maxResponseSize = 64 << 10 // siteverify answers are a few hundred bytes
	defaultTimeout  = 5 * time.Second
	clientTimeout   = 10 * time.Second
)

var (
	// ErrRejected wraps every error returned with Failed.
	ErrRejected = errors.New("turnstile: rejected")
	// ErrUnavailable wraps every error returned with Unavailable.
	ErrUnavailable = errors.New("turnstile: siteverify unavailable")
)

// Verifier checks Turnstile tokens against siteverify. The zero value is
// usable and verifies nothing (Off).
type Verifier struct {
	Secret   string        // empty: Verify returns Off, nil
	URL      string        // empty: DefaultVerifyURL
	Hostname string        // when set, the hostname siteverify reports must equal it (case-insensitive)
	Client   *http.Client  // nil: a client with a 10 s timeout
	Timeout  time.Duration // per-call timeout, covering the retry; 0: 5 s
}

// siteverifyResponse is Cloudflare's answer. Success is a pointer so that a
// body without it counts as garbage rather than as a rejection.
type siteverifyResponse struct {
	Success     *bool    `json:"success"`
	ErrorCodes  []string `json:"error-codes"`
	Hostname    string   `json:"hostname"`
	ChallengeTS string   `json:"challenge_ts"`
	Action      string   `json:"action"`
	CData       string   `json:"cdata"`
}

// Verify checks token for the client at remoteIP. It returns (Passed, nil) on
// success; (Failed, err) when the token is missing, too long, rejected or
// issued for another hostname, with errors.Is(err, ErrRejected); and
// (Unavailable, err) when siteverify cannot be reached in time or answers
// garbage, a non-2xx status or "internal-error", with
// errors.Is(err, ErrUnavailable).
func (v *Verifier) Verify(ctx context.Context, token, remoteIP string) (Outcome, error) {
	if v.Secret == "" {
		return Off, nil
	}
	if token == "" {
		return Failed, fmt.Errorf("%w: missing token", ErrRejected)
	}
	if len(token) > maxTokenLen {
		return Failed, fmt.Errorf("%w: token too long (%d bytes)", ErrRejected, len(token))
	}

	ctx, cancel := context.WithTimeout(ctx, cmp.Or(v.Timeout, defaultTimeout))
	defer cancel()

	form := url.Values{
		"secret":          {v.Secret},
		"response":        {token},
		"idempotency_key": {newUUID()},
	}
	if remoteIP != "" {
		form.Set("remoteip", remoteIP)
	}
	body := form.Encode()
	resp, err := v.post(ctx, body)
	if err != nil && ctx.Err() == nil {
		// A network error, not our deadline: Cloudflare documents retrying
		// with the same idempotency key, which lets the token be checked again.
		resp, err = v.post(ctx, body)
	}
	if err != nil {
		return Unavailable, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()

	res, err := decode(resp)
	if err != nil {
		return Unavailable, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if !*res.Success {
		codes := strings.Join(res.ErrorCodes, ", ")
		if slices.Contains(res.ErrorCodes, "internal-error") {
			// Cloudflare's fault, not the visitor's; it says to retry.
			return Unavailable, fmt.Errorf("%w: error-codes %s", ErrUnavailable, codes)
		}
		return Failed, fmt.Errorf("%w: error-codes %s", ErrRejected, cmp.Or(codes, "(none)"))
	}
	if v.Hostname != "" && !strings.EqualFold(res.Hostname, v.Hostname) {
		return Failed, fmt.Errorf("%w: hostname %q, want %q", ErrRejected, res.Hostname, v.Hostname)
	}
	return Passed, nil
}

func (v *Verifier) post(ctx context.Context, body string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cmp.Or(v.URL, DefaultVerifyURL), strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	client := v.Client
	if client == nil {
		client = &http.Client{Timeout: clientTimeout}
	}
	return client.Do(req)
}

func decode(resp *http.Response) (siteverifyResponse, error) {
	var res siteverifyResponse
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize+1))
	if err != nil {
		return res, fmt.Errorf("read response: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return res, fmt.Errorf("status %s", resp.Status)
	}
	if len(data) > maxResponseSize {
		return res, fmt.Errorf("response larger than %d bytes", maxResponseSize)
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return res, fmt.Errorf("decode response: %w", err)
	}
	if res.Success == nil {
		return res, errors.New("decode response: no success field")
	}
	return res, nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails since Go 1.24
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

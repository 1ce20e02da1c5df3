package turnstile

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const testSecret = "s3cret"

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// replyFunc answers the n-th (from 1) siteverify request of one test.
type replyFunc func(w http.ResponseWriter, r *http.Request, n int)

func reply(body string) replyFunc {
	return replyWith(http.StatusOK, body)
}

func replyWith(status int, body string) replyFunc {
	return func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// hangUp closes the connection without answering, as a network failure would.
func hangUp(w http.ResponseWriter, r *http.Request, n int) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "cannot hijack: "+err.Error(), http.StatusTeapot)
		return
	}
	conn.Close()
}

// stall answers only after the client has given up.
func stall(w http.ResponseWriter, r *http.Request, n int) {
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
	reply(`{"success":true}`)(w, r, n)
}

// siteverify is an in-test siteverify endpoint that checks each posted form.
type siteverify struct {
	t               *testing.T
	token, remoteIP string
	reply           replyFunc
	mu              sync.Mutex
	keys            []string // idempotency_key of each request
}

func (s *siteverify) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.t.Errorf("method %s, want POST", r.Method)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		s.t.Errorf("Content-Type %q", ct)
	}
	if err := r.ParseForm(); err != nil {
		s.t.Errorf("parse form: %v", err)
	}
	f := r.PostForm
	if got := f.Get("secret"); got != testSecret {
		s.t.Errorf("secret %q, want %q", got, testSecret)
	}
	if got := f.Get("response"); got != s.token {
		s.t.Errorf("response %q, want %q", got, s.token)
	}
	if ip, ok := f["remoteip"]; s.remoteIP == "" && ok {
		s.t.Errorf("remoteip %q sent, want it omitted", ip)
	} else if s.remoteIP != "" && f.Get("remoteip") != s.remoteIP {
		s.t.Errorf("remoteip %q, want %q", f.Get("remoteip"), s.remoteIP)
	}
	key := f.Get("idempotency_key")
	if !uuidV4.MatchString(key) {
		s.t.Errorf("idempotency_key %q is not a UUIDv4", key)
	}
	s.mu.Lock()
	s.keys = append(s.keys, key)
	n := len(s.keys)
	s.mu.Unlock()
	s.reply(w, r, n)
}

func TestVerify(t *testing.T) {
	pass := reply(`{"success":true,"error-codes":[],"challenge_ts":"2025-01-02T03:04:05.678Z","hostname":"dargo.example","action":"login","cdata":""}`)
	tests := []struct {
		name      string
		noSecret  bool
		token     string
		remoteIP  string
		hostname  string
		timeout   time.Duration
		reply     replyFunc
		want      Outcome
		wantErr   error
		wantInErr string
		wantCalls int
	}{
		{name: "pass", token: "tok", remoteIP: "192.0.2.7", reply: pass, want: Passed, wantCalls: 1},
		{name: "pass without remoteip", token: "tok", reply: pass, want: Passed, wantCalls: 1},
		{name: "pass hostname any case", token: "tok", hostname: "Dargo.Example", reply: pass, want: Passed, wantCalls: 1},
		{
			name: "fail", token: "tok", remoteIP: "192.0.2.7",
			reply: reply(`{"success":false,"error-codes":["invalid-input-response"]}`),
			want:  Failed, wantErr: ErrRejected, wantInErr: "invalid-input-response", wantCalls: 1,
		},
		{
			name: "hostname mismatch", token: "tok", hostname: "other.example", reply: pass,
			want: Failed, wantErr: ErrRejected, wantInErr: `"dargo.example"`, wantCalls: 1,
		},
		{name: "missing token", token: "", reply: pass, want: Failed, wantErr: ErrRejected, wantCalls: 0},
		{name: "token too long", token: strings.Repeat("x", 2049), reply: pass, want: Failed, wantErr: ErrRejected, wantCalls: 0},
		{name: "off", noSecret: true, token: "tok", reply: pass, want: Off, wantCalls: 0},
		{name: "off without token", noSecret: true, token: "", reply: pass, want: Off, wantCalls: 0},
		{
			name: "timeout", token: "tok", timeout: 200 * time.Millisecond, reply: stall,
			want: Unavailable, wantErr: ErrUnavailable, wantInErr: "deadline exceeded", wantCalls: 1,
		},
		{
			name: "non-200", token: "tok", reply: replyWith(http.StatusBadGateway, `{"success":true}`),
			want: Unavailable, wantErr: ErrUnavailable, wantInErr: "502", wantCalls: 1,
		},
		{name: "garbage JSON", token: "tok", reply: reply(`<html>oops`), want: Unavailable, wantErr: ErrUnavailable, wantCalls: 1},
		{name: "JSON without success", token: "tok", reply: reply(`{}`), want: Unavailable, wantErr: ErrUnavailable, wantCalls: 1},
		{
			name: "body over 64 KiB", token: "tok", reply: reply(strings.Repeat(" ", 64<<10) + `{"success":true}`),
			want: Unavailable, wantErr: ErrUnavailable, wantCalls: 1,
		},
		{
			name: "cloudflare internal error", token: "tok",
			reply: reply(`{"success":false,"error-codes":["internal-error"]}`),
			want:  Unavailable, wantErr: ErrUnavailable, wantInErr: "internal-error", wantCalls: 1,
		},
		{
			name: "retry after hang-up", token: "tok", remoteIP: "2001:db8::1",
			reply: func(w http.ResponseWriter, r *http.Request, n int) {
				if n == 1 {
					hangUp(w, r, n)
					return
				}
				pass(w, r, n)
			},
			want: Passed, wantCalls: 2,
		},
		{name: "hang-up twice", token: "tok", reply: hangUp, want: Unavailable, wantErr: ErrUnavailable, wantCalls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sv := &siteverify{t: t, token: tt.token, remoteIP: tt.remoteIP, reply: tt.reply}
			srv := httptest.NewServer(sv)
			defer srv.Close()
			v := &Verifier{Secret: testSecret, URL: srv.URL, Hostname: tt.hostname, Timeout: tt.timeout}
			if tt.noSecret {
				v.Secret = ""
			}

			start := time.Now()
			got, err := v.Verify(t.Context(), tt.token, tt.remoteIP)
			elapsed := time.Since(start)
			srv.Close() // waits for handlers, so the count below is final

			if got != tt.want {
				t.Errorf("outcome %q, want %q (err: %v)", got, tt.want, err)
			}
			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("err %v, want nil", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("err %v, want errors.Is %v", err, tt.wantErr)
			case tt.wantInErr != "" && !strings.Contains(err.Error(), tt.wantInErr):
				t.Errorf("err %q, want it to contain %q", err, tt.wantInErr)
			}
			if tt.timeout > 0 && elapsed > tt.timeout+time.Second {
				t.Errorf("Verify took %v with Timeout %v", elapsed, tt.timeout)
			}
			if len(sv.keys) != tt.wantCalls {
				t.Fatalf("siteverify called %d times, want %d", len(sv.keys), tt.wantCalls)
			}
			for _, k := range sv.keys {
				if k != sv.keys[0] {
					t.Errorf("retry sent idempotency_key %q, first attempt %q", k, sv.keys[0])
				}
			}
		})
	}
}

func TestVerifyFreshKeyPerCall(t *testing.T) {
	sv := &siteverify{t: t, token: "tok", reply: reply(`{"success":true}`)}
	srv := httptest.NewServer(sv)
	defer srv.Close()
	v := &Verifier{Secret: testSecret, URL: srv.URL}
	for range 2 {
		if got, err := v.Verify(t.Context(), "tok", ""); got != Passed || err != nil {
			t.Fatalf("Verify = %q, %v; want passed", got, err)
		}
	}
	if len(sv.keys) != 2 || sv.keys[0] == sv.keys[1] {
		t.Errorf("idempotency keys %q, want two different ones", sv.keys)
	}
}

// A login handler verifies the widget's token before it checks anything else
// and keeps the outcome with the login attempt.
func ExampleVerifier_Verify() {
	v := &Verifier{Secret: "0x4AAA...", Hostname: "dargo.example"}
	_ = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, _, _ := net.SplitHostPort(r.RemoteAddr)
		outcome, err := v.Verify(r.Context(), r.PostFormValue(FormField), ip)
		if err != nil {
			slog.WarnContext(r.Context(), "turnstile", "outcome", outcome, "err", err)
		}
		if outcome != Passed && outcome != Off {
			http.Error(w, "Please try again.", http.StatusForbidden)
			return
		}
		// ... check the credentials, record outcome with the login.
	})
}

//go:build faults

package faults

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// sesDelay is how long the suite's SES answers a SendEmail after moto took
// the mail. Real SES answers in tens of milliseconds, moto in less: without
// the delay a worker is almost never killed inside the SES call, which is
// the one place a mail can go out twice (issue 15), and the suite would not
// see what a kill there does.
const sesDelay = time.Second

// sesProxy is moto behind a slow answer: held counts the SendEmail answers
// it is holding right now (mails SES took that a worker has not heard of).
type sesProxy struct {
	url  string
	held atomic.Int32
}

// waitHeld waits up to limit until a SendEmail answer is held, so that a
// kill lands inside the SES call; it reports whether one was.
func (p *sesProxy) waitHeld(limit time.Duration) bool {
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if p.held.Load() > 0 {
			return true
		}
	}
	return false
}

// slowSES starts a proxy in front of moto that passes every request on at
// once and holds the answer to each SendEmail for sesDelay: a worker killed
// meanwhile has sent the mail without learning so.
func slowSES(t *testing.T, endpoint string) *sesProxy {
	t.Helper()
	target, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	p := &sesProxy{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(res *http.Response) error {
		if res.Request.Method == http.MethodPost && strings.HasPrefix(res.Request.URL.Path, "/v2/email/outbound-emails") {
			p.held.Add(1)
			time.Sleep(sesDelay)
			p.held.Add(-1)
		}
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

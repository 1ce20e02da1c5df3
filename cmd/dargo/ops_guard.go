package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
)

// opsGuard decides who may read the ops listener's private parts. The
// listener is meant for a private network (a kubelet, a Prometheus), so
// /healthz and /readyz are open. With DARGO_METRICS_TOKEN set, /metrics,
// /debug/pprof and /debug/vars ask every peer for it, loopback too: a
// service-mesh sidecar or a proxy on the host makes every peer loopback.
// Without a token, /metrics is open and /debug (stacks, profiles, the
// command line) answers loopback peers only.
type opsGuard struct{ token string }

func (g opsGuard) metrics(h http.Handler) http.Handler {
	return g.check(h, true)
}

func (g opsGuard) private(h http.Handler) http.Handler {
	return g.check(h, false)
}

// check admits the token when there is one; without, everyone when open,
// else loopback peers.
func (g opsGuard) check(h http.Handler, open bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allowed := open || loopbackPeer(r)
		if g.token != "" {
			allowed = g.bearer(r)
		}
		if allowed {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="dargo ops"`)
		msg := "ask from loopback (the ops port's host)"
		if g.token != "" {
			msg = "ask with Authorization: Bearer $DARGO_METRICS_TOKEN"
		}
		http.Error(w, msg, http.StatusUnauthorized)
	})
}

// bearer compares the token as hashes in constant time, so that not even
// its length leaks.
func (g opsGuard) bearer(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || g.token == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(g.token))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func loopbackPeer(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// promLog is promhttp's error log on slog.
type promLog struct{ log *slog.Logger }

func (l promLog) Println(v ...any) {
	l.log.Error("metrics", "err", fmt.Sprint(v...))
}

package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dargo-support/dargo/internal/metrics"
)

// routeKey holds, in a request's context, where the mux writes the route
// pattern it chose, so that the outermost middleware can label the
// request's metrics with it.
type routeKey struct{}

// measured counts every request by route pattern, method and status, and
// times it by route pattern (metrics.HTTPRequests, HTTPDuration). It
// wraps the whole chain, so requests refused before the mux (cross-origin
// forms) count too, as "unmatched".
func measured(next http.Handler) http.Handler {
	route := promhttp.WithLabelFromCtx("route", func(ctx context.Context) string {
		if p, _ := ctx.Value(routeKey{}).(*string); p != nil && *p != "" {
			return *p
		}
		return "unmatched"
	})
	h := promhttp.InstrumentHandlerDuration(metrics.HTTPDuration, next, route)
	h = promhttp.InstrumentHandlerCounter(metrics.HTTPRequests, h, route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), routeKey{}, new(string))))
	})
}

// notePattern sits right around the mux: once the mux has routed the
// request, it records the pattern (without its method) for measured.
// Patterns are the fixed strings of routes.go, never a raw path.
func notePattern(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if p, _ := r.Context().Value(routeKey{}).(*string); p != nil {
			_, path, ok := strings.Cut(r.Pattern, " ")
			if !ok {
				path = r.Pattern
			}
			*p = path
		}
	})
}

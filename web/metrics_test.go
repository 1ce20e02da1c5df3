package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestHTTPMetricsByRoutePattern: requests are counted and timed by the
// mux's pattern, never by the raw path, and requests that no route takes
// or that are refused before routing still count.
func TestHTTPMetricsByRoutePattern(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{})
		count := func(route, method, code string) float64 {
			return testutil.ToFloat64(metrics.HTTPRequests.WithLabelValues(route, method, code))
		}
		before := map[string]float64{
			"login":   count("/login", "get", "200"),
			"ticket":  count("/tickets/{number}", "get", "303"),
			"missing": count("/", "get", "404"),
			"refused": count("unmatched", "post", "403"),
		}
		timed := histogramCount(t, "/tickets/{number}")
		c := browser(t)
		do(t, c, "GET", srv.URL+"/login", nil)
		do(t, c, "GET", srv.URL+"/tickets/4711", nil) // not signed in: to the login form
		do(t, c, "GET", srv.URL+"/tickets/4712", nil)
		do(t, c, "GET", srv.URL+"/no/such/page", nil)
		do(t, c, "POST", srv.URL+"/login", url.Values{"email": {"ada@example.com"}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		for name, want := range map[string]float64{"login": 1, "ticket": 2, "missing": 1} {
			route := map[string][3]string{"login": {"/login", "get", "200"}, "ticket": {"/tickets/{number}", "get", "303"},
				"missing": {"/", "get", "404"}}[name]
			if d := count(route[0], route[1], route[2]) - before[name]; d != want {
				t.Errorf("%v: counted %v, want %v", route, d, want)
			}
		}
		if d := count("unmatched", "post", "403") + count("/login", "post", "403") - before["refused"]; d < 1 {
			t.Errorf("a cross-site POST refused before routing was not counted")
		}
		if d := histogramCount(t, "/tickets/{number}") - timed; d != 2 {
			t.Errorf("the ticket route was timed %d times, want 2", d)
		}
		// No label value is a raw path.
		reg := prometheus.NewRegistry()
		reg.MustRegister(metrics.HTTPRequests)
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range families {
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					if strings.Contains(l.GetValue(), "4711") || strings.Contains(l.GetValue(), "no/such") {
						t.Errorf("label %s=%q is a raw path", l.GetName(), l.GetValue())
					}
				}
			}
		}
	})
}

// histogramCount is how many requests to route were timed.
func histogramCount(t *testing.T, route string) uint64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.HTTPDuration)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == route {
				return m.GetHistogram().GetSampleCount()
			}
		}
	}
	return 0
}

// TestSigninMetrics: links sent and refused, and link uses, by result.
func TestSigninMetrics(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{Limits: Limits{LinksPerAddress: 1, LinksPerIP: 20, ConfirmsPerIP: 30}})
		links := func(result string) float64 { return testutil.ToFloat64(metrics.SigninLinks.WithLabelValues(result)) }
		uses := func(result string) float64 { return testutil.ToFloat64(metrics.SigninConfirms.WithLabelValues(result)) }
		before := map[string]float64{"sent": links("sent"), "rate_limited": links("rate_limited"), "invalid_address": links("invalid_address"),
			"ok": uses("ok"), "used": uses("used"), "invalid": uses("invalid")}
		c := browser(t)
		signIn(t, srv, db, c, "ada@example.com") // one link sent, used once
		_, token := tokenFromMail(t, db, "ada@example.com")
		if res, _ := do(t, browser(t), "POST", srv.URL+"/login/confirm", url.Values{"token": {token}}); res.StatusCode != http.StatusGone {
			t.Errorf("second use: %s", res.Status)
		}
		do(t, browser(t), "POST", srv.URL+"/login/confirm", url.Values{"token": {strings.Repeat("x", 43)}})
		do(t, browser(t), "POST", srv.URL+"/login", url.Values{"email": {"ada@example.com"}}) // over the address's limit
		do(t, browser(t), "POST", srv.URL+"/login", url.Values{"email": {"not an address"}})
		for name, got := range map[string]float64{"sent": links("sent"), "rate_limited": links("rate_limited"), "invalid_address": links("invalid_address"),
			"ok": uses("ok"), "used": uses("used"), "invalid": uses("invalid")} {
			if d := got - before[name]; d != 1 {
				t.Errorf("%s rose by %v, want 1", name, d)
			}
		}
	})
}

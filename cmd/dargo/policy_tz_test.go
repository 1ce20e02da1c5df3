package main

import (
	"strings"
	"testing"
	"time"
)

// TestPolicyDatesInAnyTimeZone: the effective date is a UTC day; the
// command says that day whatever the machine's time zone is.
func TestPolicyDatesInAnyTimeZone(t *testing.T) {
	databases(t, func(t *testing.T, url string) {
		bcOpen(t, baseEnv(url), url)
		day := time.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
		for _, tz := range []string{"America/Los_Angeles", "Pacific/Kiritimati"} {
			env := append(baseEnv(url), "DARGO_BASE_URL=https://help.example.com/", "TZ="+tz)
			out, errOut, code := dargo(t, env, []byte("Terms written in "+tz+".\n"), "policy", "publish", "--kind", "terms", "--effective", day, "-")
			if code != 0 || !strings.Contains(out, "effective "+day+":") {
				t.Errorf("TZ=%s publish --effective %s: exit %d\n%s%s", tz, day, code, out, errOut)
			}
			out, errOut, code = dargo(t, env, nil, "policy", "list")
			if code != 0 || !strings.Contains(out, " "+day+" ") {
				t.Errorf("TZ=%s list does not show %s:\n%s%s", tz, day, out, errOut)
			}
		}
	})
}

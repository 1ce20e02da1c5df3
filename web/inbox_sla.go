package web

import (
	"net/url"
	"time"

	"github.com/dargo-support/dargo/store"
)

// slaLabel is how an inbox row's SLA clock stands: "due in 40 min",
// "overdue 2 h", "paused" while pending, "" when no clock runs; true when
// overdue.
func slaLabel(r store.InboxRow, now time.Time) (string, bool) {
	switch {
	case r.SLAPolicyID == nil:
		return "", false
	case r.SLAPausedAt != nil:
		return "paused", false
	}
	due := r.SLANextDue()
	if due == nil {
		return "", false
	}
	if left := due.Sub(now); left >= 0 {
		return "due in " + waitingFor(left), false
	}
	return "overdue " + waitingFor(now.Sub(*due)), true
}

// listSort is the inbox's sort and the links that switch it, each keeping
// the list's filters.
type listSort struct {
	ByDue             bool
	DueURL, RecentURL string
}

func sortLinks(p url.Values) listSort {
	link := func(sort string) string {
		v := url.Values{}
		for k, vs := range p {
			if k != "after" && k != "notice" && k != "sort" && k != "ticket" && k != "undo" {
				v[k] = vs
			}
		}
		if sort != "" {
			v.Set("sort", sort)
		}
		if len(v) == 0 {
			return "/inbox"
		}
		return "/inbox?" + v.Encode()
	}
	return listSort{ByDue: p.Get("sort") == store.SortDue, DueURL: link(store.SortDue), RecentURL: link("")}
}

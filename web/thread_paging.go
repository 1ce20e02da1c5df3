package web

import (
	"net/http"
	"strconv"

	"github.com/dargo-support/dargo/store"
)

// threadPageSize is how many of a thread's latest messages a ticket page
// shows at first; each "Show earlier" adds as many.
const threadPageSize = 50

// threadPaging is what a ticket page says about messages it leaves out: how
// many are earlier than those shown, and the link that shows more. It works
// without JavaScript: ?show=N shows the latest N, and the link's fragment
// keeps the reader at the message they were at.
type threadPaging struct {
	Earlier     int
	EarlierLink string
}

// threadShown is how many of the latest messages to show: ?show=N, in
// steps of threadPageSize, at least one step.
func threadShown(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("show"))
	if err != nil || n < threadPageSize {
		return threadPageSize
	}
	return min(n, 1_000_000)
}

// pagingFor is the paging of a thread cut to shown messages with earlier
// ones left out, for a ticket page at path.
func pagingFor(path string, msgs []store.ThreadMessage, shown, earlier int) threadPaging {
	if earlier == 0 {
		return threadPaging{}
	}
	link := path + "?show=" + strconv.Itoa(shown+threadPageSize)
	for _, m := range msgs {
		if m.Policy == nil {
			link += "#m" + itoa(m.ID)
			break
		}
	}
	return threadPaging{Earlier: earlier, EarlierLink: link}
}

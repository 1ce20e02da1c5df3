package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// customerLinkRE finds the customer links of the list.
var customerLinkRE = regexp.MustCompile(`<td data-label="Customer"><a href="/inbox/customers/(\d+)">([^<]*)</a>`)

func customerNames(body string) []string {
	out := []string{}
	for _, m := range customerLinkRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[2])
	}
	return out
}

func TestCustomersList(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := privacyServer(t, db)
		staff, _ := staffMember(t, srv, db, "sam@support.example")
		for i := range 55 {
			d := newMail(fmt.Sprintf("c%02d@list.example", i), "Question", "Hi.")
			d.From.Name = fmt.Sprintf("Customer %02d", i)
			deliver(t, db, d)
		}
		d := newMail("ada@example.com", "Printer on fire", "Help.")
		d.From.Name = "Ada Lovelace"
		deliver(t, db, d)
		ada := customer(t, srv, db, "ada@example.com")

		res, body := get(t, staff, srv, "/inbox/customers")
		names := customerNames(body)
		if res.StatusCode != 200 || len(names) != store.CustomersPerPage || names[0] != "Ada Lovelace" {
			t.Fatalf("GET /inbox/customers: %s, %d rows, first %q", res.Status, len(names), names)
		}
		if !strings.Contains(body, `<a href="/inbox/customers">Customers</a>`) || !strings.Contains(body, `rel="next"`) ||
			!regexp.MustCompile(`<time datetime="[^"]+" title="\w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC">(just now|\d+ min ago)</time>`).MatchString(body) {
			t.Errorf("the list lacks the navigation link, the next page or the last contact:\n%s", body)
		}
		_, body = get(t, staff, srv, "/inbox/customers?page=2")
		if got := customerNames(body); len(got) != 6 || !strings.Contains(body, `rel="prev"`) {
			t.Errorf("page 2: %q", got)
		}
		_, body = get(t, staff, srv, "/inbox/customers?q="+url.QueryEscape("LOVELACE"))
		if got := customerNames(body); len(got) != 1 || got[0] != "Ada Lovelace" || !strings.Contains(body, `<td data-label="Open">1</td><td data-label="Tickets">1</td>`) {
			t.Errorf("search by name: %q\n%s", got, body)
		}
		_, body = get(t, staff, srv, "/inbox/customers?q=c07%40list")
		if got := customerNames(body); len(got) != 1 || got[0] != "Customer 07" {
			t.Errorf("search by address: %q", got)
		}
		_, body = get(t, staff, srv, "/inbox/customers?q=nobody")
		if !strings.Contains(body, "No customers match.") {
			t.Errorf("an empty search says nothing")
		}
		if res, _ := get(t, ada, srv, "/inbox/customers"); res.StatusCode != http.StatusForbidden {
			t.Errorf("a customer got the list: %s", res.Status)
		}
	})
}

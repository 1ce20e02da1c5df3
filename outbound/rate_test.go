package outbound

import (
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/ratelink"
	"github.com/dargo-support/dargo/store"
)

// rateOpts signs rating links as the worker does (cmd/dargo's wiring).
func rateOpts(now time.Time) Opts {
	opts := testOpts()
	opts.RateLink = func(ticketID, userID int64, rating string) (string, error) {
		tok, err := ratelink.Rate("s3cret", ticketID, userID, rating, now.Add(ratelink.TTL))
		return "https://help.example.com/rate/" + tok, err
	}
	return opts
}

func TestBuildRatingLinks(t *testing.T) {
	now := time.Now()
	for _, kind := range []string{store.EmailStatus, store.EmailReply} {
		o := testOutgoing(kind)
		o.Email.Announces = "resolved"
		o.Rate = true
		m, err := Build(o, rateOpts(now))
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range []string{m.Text, m.HTML} {
			for _, r := range []string{"good", "okay", "bad"} {
				i := strings.Index(part, "https://help.example.com/rate/")
				if i < 0 {
					t.Fatalf("%s mail lacks a %s link:\n%s", kind, r, part)
				}
				part = part[i+len("https://help.example.com/rate/"):]
				end := strings.IndexAny(part, "\"\n ")
				tok, err := ratelink.Open("s3cret", ratelink.KindRate, part[:end], now)
				if err != nil || tok.TicketID != 9 || tok.UserID != 1 || tok.Rating != r {
					t.Errorf("%s mail's %s link opens as %+v, %v", kind, r, tok, err)
				}
			}
		}
		if !strings.Contains(m.Text, "How did we do?") || !strings.Contains(m.HTML, "How did we do?") {
			t.Errorf("%s mail does not ask:\n%s", kind, m.Text)
		}
		// Store decides who gets links (Outgoing.Rate): a Cc, an objection,
		// a spam ticket get a mail without them.
		o.Rate = false
		if m, _ := Build(o, rateOpts(now)); strings.Contains(m.Text+m.HTML, "/rate/") {
			t.Errorf("%s mail without Rate has links:\n%s", kind, m.Text)
		}
		// And no RateLink (no secret wired) means none either.
		o.Rate = true
		if m, _ := Build(o, testOpts()); strings.Contains(m.Text+m.HTML, "/rate/") {
			t.Errorf("%s mail without RateLink has links", kind)
		}
	}
}

package outbound

import (
	"fmt"

	"github.com/dargo-support/dargo/store"
)

// rateLink is one of a resolution mail's rating links.
type rateLink struct {
	Rating string // good, okay, bad
	Label  string // what the customer reads
	URL    string
}

// rateLinks are the links of a mail store marked as carrying them
// (Outgoing.Rate: a resolution mail to the ticket's customer): none
// without Opts.RateLink.
func rateLinks(o *store.Outgoing, v view, opts Opts) ([]rateLink, error) {
	if !o.Rate || opts.RateLink == nil || o.User == nil {
		return nil, nil
	}
	out := make([]rateLink, 0, len(store.RatingValues))
	for _, r := range store.RatingValues {
		link, err := opts.RateLink(o.Ticket.ID, o.User.ID, r)
		if err != nil {
			return nil, fmt.Errorf("outbound: rating link: %w", err)
		}
		out = append(out, rateLink{Rating: r, Label: v.T("rate." + r), URL: link})
	}
	return out, nil
}

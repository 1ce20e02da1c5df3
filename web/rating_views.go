package web

import (
	"context"

	"github.com/dargo-support/dargo/internal/ratelink"
	"github.com/dargo-support/dargo/store"
)

// staffRatings are a ticket's ratings for its staff page; none when the
// store keeps no ratings.
func staffRatings(ctx context.Context, s any, ticketID int64) ([]store.TicketRating, error) {
	rs, ok := s.(RatingStore)
	if !ok {
		return nil, nil
	}
	return rs.TicketRatings(ctx, ticketID)
}

// portalRating is the customer's rating on their ticket's page, with the
// buttons that give or change it.
type portalRating struct {
	Current *store.Rating
	Choices []rateChoice
}

// portalRatingFor is what the ticket's page shows its customer: their
// rating, or on a resolved or closed ticket the choice to rate it; nil
// for anyone else (a Cc does not rate) and without a rating handler.
func (h *ratingHandler) portalRatingFor(ctx context.Context, t *store.Ticket, viewerID int64) (*portalRating, error) {
	if h == nil || t.CustomerID != viewerID || t.MergedInto != nil {
		return nil, nil
	}
	rs, err := h.store.TicketRatings(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	out := &portalRating{}
	for _, r := range rs {
		if r.UserID == viewerID {
			out.Current = &r.Rating
		}
	}
	if out.Current == nil && t.Status != store.StatusResolved && t.Status != store.StatusClosed {
		return nil, nil
	}
	expires := h.store.Clock().Add(ratelink.TTL)
	for _, v := range store.RatingValues {
		tok, err := ratelink.Rate(h.secret, t.ID, viewerID, v, expires)
		if err != nil {
			return nil, err
		}
		out.Choices = append(out.Choices, rateChoice{Rating: v, Label: rateLabels[v], Token: tok,
			Current: out.Current != nil && out.Current.Value == v})
	}
	return out, nil
}

package web

import (
	"context"

	"github.com/dargo-support/dargo/store"
)

// markRead records that the staff member was shown the ticket up to its
// newest message on the page.
func (h *inboxHandler) markRead(ctx context.Context, ticketID, userID int64, msgs []store.ThreadMessage) error {
	var newest int64
	for _, m := range msgs {
		newest = max(newest, m.ID)
	}
	if newest == 0 {
		return nil
	}
	return h.store.MarkRead(ctx, ticketID, userID, newest)
}

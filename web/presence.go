package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dargo-support/dargo/store"
)

// presence tracks which staff have a ticket open, and who is writing a
// reply, in Redis (shared by every web replica). An entry lives 45 seconds
// unless the page renews it.
type presence struct {
	redis redis.UniversalClient
	log   *slog.Logger
	now   func() time.Time
}

const presenceTTL = 45 * time.Second

// viewerNote is another staff member on the same ticket.
type viewerNote struct {
	Email string `json:"email"`
	State string `json:"state"` // viewing or replying
}

type presenceEntry struct {
	Email string `json:"e"`
	State string `json:"s"`
	At    int64  `json:"t"`
}

func presenceKey(ticketID int64) string { return "dargo:presence:" + strconv.FormatInt(ticketID, 10) }

// see records the user on the ticket in state and returns the others there.
// Presence is a courtesy: a Redis failure is logged, never shown.
func (p *presence) see(ctx context.Context, ticketID int64, u *store.User, state string) []viewerNote {
	now := p.now()
	key := presenceKey(ticketID)
	entry, _ := json.Marshal(presenceEntry{Email: u.Email, State: state, At: now.Unix()})
	pipe := p.redis.TxPipeline()
	pipe.HSet(ctx, key, strconv.FormatInt(u.ID, 10), entry)
	pipe.Expire(ctx, key, 2*presenceTTL)
	all := pipe.HGetAll(ctx, key)
	if _, err := pipe.Exec(ctx); err != nil {
		p.log.WarnContext(ctx, "presence", "err", err)
		return nil
	}
	var out []viewerNote
	for id, raw := range all.Val() {
		var e presenceEntry
		if id == strconv.FormatInt(u.ID, 10) || json.Unmarshal([]byte(raw), &e) != nil {
			continue
		}
		if now.Sub(time.Unix(e.At, 0)) > presenceTTL {
			p.redis.HDel(ctx, key, id)
			continue
		}
		out = append(out, viewerNote{Email: e.Email, State: e.State})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Email < out[j].Email })
	return out
}

// leave forgets the user on the ticket (after a reply is sent).
func (p *presence) leave(ctx context.Context, ticketID, userID int64) {
	if err := p.redis.HDel(ctx, presenceKey(ticketID), strconv.FormatInt(userID, 10)).Err(); err != nil {
		p.log.WarnContext(ctx, "presence", "err", err)
	}
}

// heartbeat is what the ticket page's script posts every 15 seconds: it
// renews the viewer's presence and answers with the others on the ticket.
func (h *inboxHandler) heartbeat(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	state := "viewing"
	if r.PostFormValue("state") == "replying" {
		state = "replying"
	}
	others := h.presence.see(r.Context(), t.ID, viewerFrom(r.Context()).User, state)
	last, err := h.store.LastMessageID(r.Context(), t.ID)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(struct {
		Others      []viewerNote `json:"others"`
		LastMessage int64        `json:"last_message"`
	}{Others: others, LastMessage: last})
}

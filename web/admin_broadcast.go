package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/internal/textsafe"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// BroadcastStore is what the broadcast page needs from the database.
type BroadcastStore interface {
	Broadcasts(ctx context.Context, limit int) ([]store.BroadcastSummary, error)
	StartBroadcast(ctx context.Context, nb store.NewBroadcast) (*store.Broadcast, error)
}

var _ BroadcastStore = (*store.DB)(nil)

// adminBroadcasts serves /admin/broadcasts: the broadcasts with their mails
// counted, and the form that starts one. Starting records the broadcast and
// hands the queueing to a worker (a broadcast:queue task): queueing ten
// thousand mails does not belong in a request, and the task's retries
// resume it if a worker dies.
type adminBroadcasts struct {
	store BroadcastStore // nil when o.Store has no broadcasts
	queue *asynq.Client
	pages *pages
	log   *slog.Logger
}

// newAdminBroadcasts returns the handler; it shares the web tier's Redis
// connection, so there is nothing to close.
func newAdminBroadcasts(o Opts, p *pages) *adminBroadcasts {
	bs, _ := o.Store.(BroadcastStore)
	return &adminBroadcasts{store: bs, queue: asynq.NewClientFromRedisClient(o.Redis), pages: p, log: o.Logger}
}

// broadcastsPage is what admin_broadcasts.html shows.
type broadcastsPage struct {
	List    []store.BroadcastSummary
	Started int64  // the broadcast just started, to say so
	Error   string // what was wrong with the form
	Subject string // the form as it was sent
	Body    string
}

// maxBroadcastForm bounds the form: the longest text, in 4-byte runes, and room.
const maxBroadcastForm = 4*store.MaxBroadcastBody + 4096

func (h *adminBroadcasts) list(w http.ResponseWriter, r *http.Request) {
	var started int64
	fmt.Sscan(r.URL.Query().Get("started"), &started)
	h.render(w, r, http.StatusOK, broadcastsPage{Started: started})
}

func (h *adminBroadcasts) render(w http.ResponseWriter, r *http.Request, status int, page broadcastsPage) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	var err error
	if page.List, err = h.store.Broadcasts(r.Context(), 50); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.pages.render(w, r, status, "admin_broadcasts.html", "Broadcasts", page)
}

// start records a broadcast from the form and queues it on a worker.
func (h *adminBroadcasts) start(w http.ResponseWriter, r *http.Request) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBroadcastForm)
	if err := r.ParseForm(); err != nil {
		h.pages.message(w, r, http.StatusRequestEntityTooLarge, "Too long", "The text is longer than a broadcast may be.")
		return
	}
	form := broadcastsPage{Subject: textsafe.Clean(r.PostFormValue("subject")), Body: r.PostFormValue("body")}
	if r.PostFormValue("confirm") != "yes" {
		form.Error = "Tick the box to confirm that this goes to every active user."
		h.render(w, r, http.StatusUnprocessableEntity, form)
		return
	}
	b, err := h.store.StartBroadcast(r.Context(), store.NewBroadcast{Subject: form.Subject, Body: form.Body, ActorID: viewerFrom(r.Context()).User.ID})
	var exists *store.BroadcastExistsError
	switch {
	case errors.Is(err, store.ErrBadBroadcast):
		form.Error = broadcastProblem(err)
		h.render(w, r, http.StatusUnprocessableEntity, form)
		return
	case errors.As(err, &exists):
		form.Error = fmt.Sprintf("Broadcast %d already has this subject and text; it is not sent twice.", exists.Broadcast.ID)
		h.render(w, r, http.StatusConflict, form)
		return
	case err != nil:
		h.pages.fail(w, r, err)
		return
	}
	task, err := jobs.NewBroadcastQueueTask(b.ID)
	if err == nil {
		_, err = h.queue.EnqueueContext(r.Context(), task)
	}
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		h.log.ErrorContext(r.Context(), "broadcast not handed to the workers", "broadcast", b.ID, "err", err)
		h.pages.message(w, r, http.StatusServiceUnavailable, "Broadcast saved, not queued",
			fmt.Sprintf("Broadcast %d is saved, but the workers could not be reached. Queue it with: dargo broadcast --resume %d", b.ID, b.ID))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/broadcasts?started=%d", b.ID), http.StatusSeeOther)
}

// broadcastProblem is CleanBroadcast's complaint, without the package prefix.
func broadcastProblem(err error) string {
	msg := err.Error()
	prefix := store.ErrBadBroadcast.Error() + ": "
	if len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
		msg = msg[len(prefix):]
	}
	return "Not started: " + msg + "."
}

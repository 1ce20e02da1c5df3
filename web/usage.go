package web

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/dargo-support/dargo/store"
)

// UsageStore records usage events and adds them up for /admin/usage.
type UsageStore interface {
	// RecordUsage is the one way in: it writes nothing for a person who
	// objected to analytics.
	RecordUsage(ctx context.Context, userID int64, kind, name string) error
	UsageReport(ctx context.Context, days int) (*store.UsageReport, error)
}

var _ UsageStore = (*store.DB)(nil)

// usage is a request's link to the recorder: handlers record features
// with used and usedBy as they happen; the page view is recorded once the
// handler has returned, if pages.render wrote a page.
type usage struct {
	rec        *usageRecorder
	pageStatus int // the status of the page pages.render wrote; 0: none
}

type usageKey struct{}

func usageFrom(r *http.Request) *usage {
	u, _ := r.Context().Value(usageKey{}).(*usage)
	return u
}

// used notes that the viewer used a feature (a store.Feature name).
func used(r *http.Request, feature string) {
	if v := viewerFrom(r.Context()); v != nil {
		usedBy(r, v.User.ID, feature)
	}
}

// usedWhen notes the feature when cond holds.
func usedWhen(r *http.Request, cond bool, feature string) {
	if cond {
		used(r, feature)
	}
}

// usedBy notes that a user who is not (yet) the viewer used a feature: the
// person who has just signed in.
func usedBy(r *http.Request, userID int64, feature string) {
	if u := usageFrom(r); u != nil {
		u.rec.record(r.Context(), userID, store.UsageFeature, feature)
	}
}

// replyFeature is the feature a staff reply form used.
func replyFeature(note bool) string {
	if note {
		return store.FeatureNoteAdded
	}
	return store.FeatureReplySent
}

// exportFeature is the feature an export download used.
func exportFeature(zipped bool) string {
	if zipped {
		return store.FeatureExportZIP
	}
	return store.FeatureExportJSON
}

// renderedPage notes the status of the page being rendered.
func renderedPage(r *http.Request, status int) {
	if u := usageFrom(r); u != nil {
		u.pageStatus = status
	}
}

// usageRecorder records page views and feature use of signed-in people.
// Anonymous visitors are not counted: there is nobody to pseudonymise, and
// nobody who could object.
type usageRecorder struct {
	store  UsageStore
	log    *slog.Logger
	failed atomic.Bool // a failure has been logged as a warning since the last success
}

// recordTimeout bounds how long a response's end waits for its events.
const recordTimeout = 2 * time.Second

// middleware sits between the session middleware and the mux: after the
// mux has served the request, r.Pattern holds the route it matched. A
// signed-in viewer's successful GET of a page counts as a view of that
// pattern, never of the URL.
func (rec *usageRecorder) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sessionless(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		u := &usage{rec: rec}
		r = r.WithContext(context.WithValue(r.Context(), usageKey{}, u))
		next.ServeHTTP(w, r) // the mux sets r.Pattern on this very request
		if v := viewerFrom(r.Context()); v != nil && r.Method == http.MethodGet && u.pageStatus == http.StatusOK && r.Pattern != "" && r.Pattern != "/" {
			rec.record(r.Context(), v.User.ID, store.UsagePage, r.Pattern)
		}
	})
}

// record writes one event. A failure never reaches the person: it is
// logged as a warning once, then at debug level until a record succeeds.
func (rec *usageRecorder) record(ctx context.Context, userID int64, kind, name string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	err := rec.store.RecordUsage(ctx, userID, kind, name)
	switch {
	case err == nil:
		if rec.failed.Load() {
			rec.failed.Store(false)
		}
	case rec.failed.CompareAndSwap(false, true):
		rec.log.WarnContext(ctx, "usage event not recorded; further failures are logged at debug level", "kind", kind, "name", name, "err", err)
	default:
		rec.log.DebugContext(ctx, "usage event not recorded", "kind", kind, "name", name, "err", err)
	}
}

package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/dargo-support/dargo/store"
)

// PolicyStore is what the policy pages, the admin's publishing page and
// the banner need from the database.
type PolicyStore interface {
	Policy(ctx context.Context, kind string) (*store.PolicyState, error)
	PolicyVersion(ctx context.Context, kind string, n int) (*store.PolicyVersion, error)
	PublishPolicy(ctx context.Context, np store.NewPolicy) (*store.PolicyVersion, bool, error)
	ContinuePolicyPublish(ctx context.Context, versionID int64, baseURL string) (*store.Broadcast, int, error)
	PolicyBanners(ctx context.Context, user *store.User) ([]store.PolicyBanner, error)
	DismissPolicyBanner(ctx context.Context, userID, versionID int64) error
}

var _ PolicyStore = (*store.DB)(nil)

// policyHandler serves /privacy and /terms, public pages, and their
// earlier versions.
type policyHandler struct {
	store PolicyStore
	pages *pages
	log   *slog.Logger
}

// policyPage is what policy.html shows: one version of a document.
type policyPage struct {
	Kind     string
	Title    string // "Privacy policy"
	Shown    store.PolicyVersion
	HTML     template.HTML
	Current  store.PolicyVersion   // the version in force
	Upcoming *store.PolicyVersion  // published, effective later
	Versions []store.PolicyVersion // every published version, newest first
	Archived bool                  // Shown is an earlier (or later) version than Current
}

func policyHeading(kind string) string {
	if kind == store.PolicyTerms {
		return "Terms of service"
	}
	return "Privacy policy"
}

// show serves the version in force.
func (h *policyHandler) show(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := h.store.Policy(r.Context(), kind)
		if err != nil {
			h.pages.fail(w, r, err)
			return
		}
		h.render(w, r, s, s.Current)
	}
}

// version serves /{kind}/versions/{n}: any published version.
func (h *policyHandler) version(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n < 1 {
			h.pages.notFound(w, r)
			return
		}
		v, err := h.store.PolicyVersion(r.Context(), kind, n)
		if err != nil {
			h.pages.failOr404(w, r, err)
			return
		}
		s, err := h.store.Policy(r.Context(), kind)
		if err != nil {
			h.pages.fail(w, r, err)
			return
		}
		h.render(w, r, s, *v)
	}
}

func (h *policyHandler) render(w http.ResponseWriter, r *http.Request, s *store.PolicyState, shown store.PolicyVersion) {
	kind := shown.Kind
	title := policyHeading(kind)
	data := policyPage{Kind: kind, Title: title, Shown: shown, HTML: renderMarkdown(shown.Text), Current: s.Current,
		Upcoming: s.Upcoming, Versions: s.Versions, Archived: shown.Version != s.Current.Version}
	if data.Archived {
		title += ", version " + strconv.Itoa(shown.Version)
	}
	h.pages.render(w, r, http.StatusOK, "policy.html", title, data)
}

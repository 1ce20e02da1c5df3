package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// bannerSource is what the layout's banners need from the database.
type bannerSource interface {
	PolicyBanners(ctx context.Context, user *store.User) ([]store.PolicyBanner, error)
	DismissPolicyBanner(ctx context.Context, userID, versionID int64) error
}

// policyBanners is what the layout shows about significant policy changes.
type policyBanners struct {
	List      []store.PolicyBanner
	Back      string // the page to return to after dismissing
	Dismissed bool   // a banner was just dismissed: say so
}

// policyBanners loads the viewer's banners. A failure costs the banner,
// not the page: it is logged and the page is shown without it.
func (p *pages) policyBanners(r *http.Request, v *viewer) policyBanners {
	out := policyBanners{Dismissed: r.URL.Query().Get("banner") == "dismissed"}
	if v == nil || p.banners == nil {
		return out
	}
	list, err := p.banners.PolicyBanners(r.Context(), v.User)
	if err != nil {
		p.log.ErrorContext(r.Context(), "policy banners", "err", err)
		return out
	}
	out.List, out.Back = list, "/"
	if r.Method == http.MethodGet {
		out.Back = r.URL.RequestURI()
	}
	return out
}

// dismissBanner records that the viewer closed a policy change's banner
// (POST /policy/banners/{id}/dismiss) and goes back to the page it was on,
// which then says so.
func (p *pages) dismissBanner(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok || p.banners == nil {
		p.notFound(w, r)
		return
	}
	if err := p.banners.DismissPolicyBanner(r.Context(), viewerFrom(r.Context()).User.ID, id); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, backWithNotice(r.PostFormValue("back")), http.StatusSeeOther) // #nosec G710 -- backWithNotice keeps only a path on this site
}

// backWithNotice is the local path back, with banner=dismissed added; "/"
// when back is not a path on this site.
func backWithNotice(back string) string {
	u, err := url.Parse(back)
	if err != nil || !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.HasPrefix(back, "/\\") ||
		u.Scheme != "" || u.Host != "" {
		u = &url.URL{Path: "/"}
	}
	q := u.Query()
	q.Set("banner", "dismissed")
	u.RawQuery = q.Encode()
	u.Fragment = ""
	return u.RequestURI()
}

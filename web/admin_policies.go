package web

import (
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// adminPolicies serves /admin/policies: every version of the privacy
// policy and the terms, and the form that previews and publishes a new
// one. A significant version's announcement starts here (broadcast
// recorded, ticket notices added); its mails are queued by a worker, as a
// broadcast's are.
type adminPolicies struct {
	store   PolicyStore // nil when o.Store has no policies
	queue   *asynq.Client
	pages   *pages
	baseURL string
	log     *slog.Logger
}

func newAdminPolicies(o Opts, p *pages, baseURL string) *adminPolicies {
	ps, _ := o.Store.(PolicyStore)
	return &adminPolicies{store: ps, queue: asynq.NewClientFromRedisClient(o.Redis), pages: p, baseURL: baseURL, log: o.Logger}
}

// policyForm is the form as it was sent, kept through previews and errors.
type policyForm struct {
	Kind        string
	Text        string
	Summary     string
	Effective   string // YYYY-MM-DD
	Significant bool
}

// adminPoliciesPage is what admin_policies.html shows.
type adminPoliciesPage struct {
	Kinds   []adminPolicyKind
	Form    policyForm
	Preview template.HTML // the form's text rendered, when previewing
	Error   string
	Notice  string
	Today   string
}

type adminPolicyKind struct {
	Kind  string
	Title string
	State *store.PolicyState
}

// maxPolicyForm bounds the form: the longest text and summary, URL-encoded
// (up to 3 bytes for each byte of non-ASCII text), with room to spare, so a
// text somewhat over the limit comes back in the form with the error rather
// than as a bare "Too long" page.
const maxPolicyForm = 4*store.MaxPolicyText + 12*store.MaxPolicySummary + 8192

func (h *adminPolicies) list(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, adminPoliciesPage{Form: policyForm{Kind: store.PolicyPrivacy}, Notice: policyNotice(r.URL.Query())})
}

func (h *adminPolicies) render(w http.ResponseWriter, r *http.Request, status int, page adminPoliciesPage) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	for _, kind := range store.PolicyKinds {
		s, err := h.store.Policy(r.Context(), kind)
		if err != nil && r.Method != http.MethodPost {
			h.pages.fail(w, r, err)
			return
		}
		if err != nil {
			// The form still comes back with what was typed; only the
			// lists of versions are missing.
			h.log.ErrorContext(r.Context(), "policy versions", "kind", kind, "err", err)
			page.Kinds = nil
			break
		}
		page.Kinds = append(page.Kinds, adminPolicyKind{Kind: kind, Title: policyHeading(kind), State: s})
	}
	page.Today = time.Now().UTC().Format(time.DateOnly)
	h.pages.render(w, r, status, "admin_policies.html", "Policies", page)
}

// post previews (action=preview) or publishes (action=publish) the form.
func (h *adminPolicies) post(w http.ResponseWriter, r *http.Request) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxPolicyForm)
	if err := r.ParseForm(); err != nil {
		h.pages.message(w, r, http.StatusRequestEntityTooLarge, "Too long", "The text is longer than a policy may be.")
		return
	}
	form := policyForm{Kind: r.PostFormValue("kind"), Text: r.PostFormValue("text"), Summary: r.PostFormValue("summary"),
		Effective: strings.TrimSpace(r.PostFormValue("effective")), Significant: r.PostFormValue("significant") == "yes"}
	page := adminPoliciesPage{Form: form}
	np := store.NewPolicy{Kind: form.Kind, Text: form.Text, Summary: form.Summary, Significant: form.Significant,
		ActorID: viewerFrom(r.Context()).User.ID}
	if form.Effective != "" {
		day, err := time.Parse(time.DateOnly, form.Effective)
		if err != nil {
			page.Error = "Not published: the effective date is not a date (YYYY-MM-DD)."
			h.render(w, r, http.StatusUnprocessableEntity, page)
			return
		}
		np.Effective = day
	}
	if r.PostFormValue("action") != "publish" {
		// Nothing is stored: the text comes back in the form, rendered below.
		page.Preview = renderMarkdown(strings.ReplaceAll(form.Text, "\r\n", "\n"))
		if _, err := store.CleanPolicy(np, time.Now()); err != nil {
			page.Error = "Publishing would fail: " + policyProblem(err)
		}
		h.render(w, r, http.StatusOK, page)
		return
	}
	v, resumed, err := h.store.PublishPolicy(r.Context(), np)
	var same *store.PolicyUnchangedError
	switch {
	case errors.Is(err, store.ErrBadPolicy):
		page.Error = "Not published: " + policyProblem(err)
		h.render(w, r, http.StatusUnprocessableEntity, page)
		return
	case errors.As(err, &same):
		page.Error = fmt.Sprintf("Not published: version %d of the %s has this text already.", same.Version.Version, store.PolicyTitle(same.Version.Kind))
		h.render(w, r, http.StatusConflict, page)
		return
	case err != nil:
		h.log.ErrorContext(r.Context(), "publish policy", "kind", form.Kind, "err", err)
		page.Error = "Not published: Dargo could not reach its database. Your text is kept below; try again in a minute."
		h.render(w, r, http.StatusServiceUnavailable, page)
		return
	}
	q := url.Values{"notice": {"published"}, "kind": {v.Kind}, "version": {strconv.Itoa(v.Version)}}
	if resumed {
		q.Set("notice", "resumed")
	}
	if v.Significant {
		b, n, err := h.store.ContinuePolicyPublish(r.Context(), v.ID, h.baseURL)
		if err != nil {
			h.pages.fail(w, r, err)
			return
		}
		task, err := jobs.NewBroadcastQueueTask(b.ID)
		if err == nil {
			_, err = h.queue.EnqueueContext(r.Context(), task)
		}
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			h.log.ErrorContext(r.Context(), "policy notice not handed to the workers", "broadcast", b.ID, "err", err)
			h.pages.message(w, r, http.StatusServiceUnavailable, "Published, mail not queued",
				fmt.Sprintf("Version %d is published and its ticket notices and banner are shown, but the workers could not be reached to mail the notice. Queue the mails with: dargo broadcast --resume %d", v.Version, b.ID))
			return
		}
		q.Set("significant", "1")
		q.Set("tickets", strconv.Itoa(n))
		q.Set("broadcast", strconv.FormatInt(b.ID, 10))
	}
	http.Redirect(w, r, "/admin/policies?"+q.Encode(), http.StatusSeeOther)
}

// policyNotice says what the last publish did, from its redirect's query.
func policyNotice(q url.Values) string {
	kind, version := q.Get("kind"), q.Get("version")
	if !store.IsPolicyKind(kind) {
		return ""
	}
	n, err := strconv.Atoi(version)
	if err != nil || n < 1 {
		return ""
	}
	var msg string
	switch q.Get("notice") {
	case "published":
		msg = fmt.Sprintf("Published version %d of the %s.", n, store.PolicyTitle(kind))
	case "resumed":
		msg = fmt.Sprintf("Version %d of the %s had this text and an unfinished announcement: it was continued, nobody is told twice.", n, store.PolicyTitle(kind))
	default:
		return ""
	}
	if q.Get("significant") == "1" {
		tickets, _ := strconv.Atoi(q.Get("tickets"))
		broadcast, _ := strconv.Atoi(q.Get("broadcast"))
		msg += fmt.Sprintf(" Its announcement: a worker is queueing the mail to every active user (broadcast %d on the Notices page); open or pending tickets that got a notice in their thread now: %d; everyone signed in sees a banner until they dismiss it.", broadcast, tickets)
	}
	return msg
}

// policyProblem is CleanPolicy's complaint, without the package prefix.
func policyProblem(err error) string {
	return strings.TrimPrefix(err.Error(), store.ErrBadPolicy.Error()+": ") + "."
}

package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/mail"
	"strings"

	"github.com/dargo-support/dargo/internal/exportzip"
	"github.com/dargo-support/dargo/internal/seal"
	"github.com/dargo-support/dargo/store"
)

// PrivacyStore is what the privacy pages need from the database.
type PrivacyStore interface {
	Export(ctx context.Context, email string, replyTo func(number int64) string, opts ...store.ExportOpts) (*store.Export, error)
	ExportFiles(ctx context.Context, email string) ([]store.ExportFile, error)
	ReadBlob(ctx context.Context, key string) ([]byte, error)
	ChangeName(ctx context.Context, actorID, userID int64, name string) error
	RequestLogin(ctx context.Context, r store.LoginRequest) error
	Token(ctx context.Context, tokenHash string) (*store.LoginToken, error)
	ChangeEmail(ctx context.Context, tokenHash string, undo store.AddressUndo) (*store.User, error)
	UndoEmailChange(ctx context.Context, tokenHash string) (*store.User, error)
	EraseConfirmers(ctx context.Context, userID int64) ([]string, error)
	SpendEraseToken(ctx context.Context, tokenHash string) (*store.EraseConsent, error)
	Erase(ctx context.Context, userID int64, o store.EraseOpts) (*store.Erased, error)
	Audit(ctx context.Context, a store.Audit) error
	UserByID(ctx context.Context, id int64) (*store.User, error)
	UserByEmail(ctx context.Context, email string) (*store.User, error)
	AuditLog(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error)
	Customers(ctx context.Context, query string, page int) (*store.CustomerPage, error)
	OtherAddresses(ctx context.Context, userID int64) ([]string, error)
	PlanMerge(ctx context.Context, keepID, mergeID int64) (*store.CustomerMerge, error)
	MergeCustomers(ctx context.Context, keepID, mergeID, staffID int64) (*store.CustomerMerge, error)
	ChoiceStore
}

var _ PrivacyStore = (*store.DB)(nil)

// privacyHandler keeps the privacy policy's promises in the browser: a copy
// of your data, correcting it, and erasing it.
type privacyHandler struct {
	store       PrivacyStore
	tickets     TicketStore
	pages       *pages
	sessions    *sessions
	limiter     *limiter
	human       *humanCheck
	secret      string
	baseURL     string
	replyTo     func(number int64) string
	tagsVisible bool // exports hold tickets' tags (DARGO_TAGS_VISIBLE)
	log         *slog.Logger
}

// sendExport writes a user's export as JSON, or as a ZIP with their files,
// as a download, and audits who took it.
func (h *privacyHandler) sendExport(w http.ResponseWriter, r *http.Request, u *store.User, zipped bool) {
	ctx := r.Context()
	used(r, exportFeature(zipped)) // first, so the download shows itself
	doc, err := h.store.Export(ctx, u.Email, h.replyTo, store.ExportOpts{Tags: h.tagsVisible})
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	var files []store.ExportFile
	if zipped {
		if files, err = h.store.ExportFiles(ctx, u.Email); err != nil {
			h.pages.fail(w, r, err)
			return
		}
	}
	format := "json"
	if zipped {
		format = "zip"
	}
	if err := h.store.Audit(ctx, store.Audit{ActorID: viewerFrom(ctx).User.ID, Action: store.AuditExport, UserID: u.ID,
		Detail: map[string]any{"format": format}}); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	noStore(w)
	if !zipped {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", `attachment; filename="dargo-data.json"`)
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(doc)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="dargo-data.zip"`)
	if err := exportzip.Write(ctx, w, doc, files, h.store.ReadBlob); err != nil {
		h.log.ErrorContext(ctx, "export zip", "user", u.ID, "err", err) // the headers are gone: log only
	}
}

func (h *privacyHandler) exportMine(w http.ResponseWriter, r *http.Request) {
	h.sendExport(w, r, viewerFrom(r.Context()).User, false)
}

func (h *privacyHandler) exportMineZip(w http.ResponseWriter, r *http.Request) {
	h.sendExport(w, r, viewerFrom(r.Context()).User, true)
}

// changeName corrects the viewer's own name.
func (h *privacyHandler) changeName(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	name, err := formText(r, "name", 100)
	if err != nil {
		h.pages.message(w, r, http.StatusBadRequest, "Name not changed", err.Error())
		return
	}
	if err := h.store.ChangeName(r.Context(), v.User.ID, v.User.ID, name); err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?notice=name-saved#name", http.StatusSeeOther)
}

// changeEmail mails a link to the new address; the address changes only
// when that link is confirmed, so nobody can move an account to an address
// they do not read.
func (h *privacyHandler) changeEmail(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	addr, err := mail.ParseAddress(strings.TrimSpace(r.PostFormValue("email")))
	if err != nil || addr.Name != "" || len(addr.Address) > 254 {
		h.pages.message(w, r, http.StatusBadRequest, "Address not changed", "Enter an email address like name@example.com.")
		return
	}
	if h.mailLink(w, r, store.PurposeEmailChange, addr.Address, v.User.ID, "/account/email/confirm") {
		h.pages.message(w, r, http.StatusOK, "Check your new inbox",
			"We mailed a link to "+addr.Address+". Your address changes when you open it and confirm; until then nothing changes.")
	}
}

// askErase mails the viewer a link that confirms the erasure: a stolen
// session alone cannot erase an account. Within AddressChangeWindow of an
// address change the address before it gets a link too, and both must
// confirm: a thief who moved the account to their own mailbox cannot erase
// it either.
func (h *privacyHandler) askErase(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	if hasRole(v.User, store.RoleStaff) {
		h.pages.message(w, r, http.StatusForbidden, "Not here", "Staff accounts are removed by an admin (dargo staff remove), then erased.")
		return
	}
	addrs, err := h.store.EraseConfirmers(r.Context(), v.User.ID)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	if !h.mailLinks(w, r, store.PurposeErase, addrs, v.User.ID, "/account/erase/confirm") {
		return
	}
	if len(addrs) == 1 {
		h.pages.message(w, r, http.StatusOK, "Check your email",
			"We mailed you a link. Your data is erased only when you open it and confirm.")
		return
	}
	var others []string
	for _, a := range addrs {
		if a != v.User.Email {
			others = append(others, store.MaskEmail(a))
		}
	}
	h.pages.message(w, r, http.StatusOK, "Check your email",
		"We mailed you a link, and one to "+strings.Join(others, ", ")+": this account's address changed less than 7 days ago, "+
			"so the address before the change must confirm too. Your data is erased only when every link is opened and confirmed within 15 minutes.")
}

// linkSubjects are the subjects outbound gives these links' mails, so the
// emails row (mail log, export) says what was sent.
var linkSubjects = map[string]string{
	store.PurposeEmailChange: "Confirm your new email address",
	store.PurposeErase:       "Confirm erasing your data",
}

// mailLink queues a one-time link of the purpose to addr, within the
// per-address rate limit; false when it answered already.
func (h *privacyHandler) mailLink(w http.ResponseWriter, r *http.Request, purpose, addr string, userID int64, path string) bool {
	return h.mailLinks(w, r, purpose, []string{addr}, userID, path)
}

// mailLinks queues a one-time link of the purpose to each address, within
// the rate limits, audited once; false when it answered already.
//
// Its buckets are its own: a signed-in person asking for address changes
// must not use up somebody else's sign-in links. They are counted per
// account, per target address and per IP.
func (h *privacyHandler) mailLinks(w http.ResponseWriter, r *http.Request, purpose string, addrs []string, userID int64, path string) bool {
	l := h.limiter.limits
	type bucket struct {
		kind, key string
		perHour   int
	}
	buckets := []bucket{{purpose + "-user", itoa(userID), l.LinksPerAddress}}
	for _, a := range addrs {
		buckets = append(buckets, bucket{purpose + "-address", store.NormalizeEmail(a), l.LinksPerAddress})
	}
	buckets = append(buckets, bucket{purpose + "-ip", ipBucket(ipFrom(r)), l.LinksPerIP})
	for _, b := range buckets {
		wait, err := h.limiter.allow(r.Context(), b.kind, b.key, b.perHour)
		if err != nil {
			h.log.ErrorContext(r.Context(), "rate limit", "err", err)
			h.pages.message(w, r, http.StatusServiceUnavailable, "Try again shortly", "Dargo cannot send links for a moment. Please try again in a minute.")
			return false
		}
		if wait > 0 {
			w.Header().Set("Retry-After", itoa(int64(wait.Seconds())+1))
			h.pages.message(w, r, http.StatusTooManyRequests, "Too many attempts", "Too many links were asked for. Try again later.")
			return false
		}
	}
	action := map[string]string{store.PurposeEmailChange: store.AuditEmailChangeAsk, store.PurposeErase: store.AuditErasureAsk}[purpose]
	if err := h.store.Audit(r.Context(), store.Audit{ActorID: userID, Action: action, UserID: userID}); err != nil {
		h.pages.fail(w, r, err)
		return false
	}
	for _, a := range addrs {
		secret, hash := newSecret()
		sealed, err := seal.Seal(h.secret, []byte(h.baseURL+path+"?token="+secret))
		if err == nil {
			err = h.store.RequestLogin(r.Context(), store.LoginRequest{TokenHash: hash, Email: a, IP: ipFrom(r), UserAgent: userAgent(r),
				SealedLink: sealed, TTL: TokenTTL, Purpose: purpose, UserID: userID, Subject: linkSubjects[purpose]})
		}
		if err != nil {
			h.pages.fail(w, r, err)
			return false
		}
	}
	return true
}

// linkToken loads the token of a confirm page, checking its purpose.
func (h *privacyHandler) linkToken(r *http.Request, purpose string) (string, *store.LoginToken, error) {
	token := r.FormValue("token")
	if len(token) != 43 {
		return "", nil, store.ErrNotFound
	}
	t, err := h.store.Token(r.Context(), hashSecret(token))
	if err != nil {
		return "", nil, err
	}
	if t.Purpose != purpose || t.UserID == nil {
		return "", nil, store.ErrNotFound
	}
	return token, t, nil
}

// linkProblem explains a confirm link that cannot be used.
func (h *privacyHandler) linkProblem(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrTokenExpired):
		h.pages.message(w, r, http.StatusGone, "Link expired", "This link has expired: confirm links work for 15 minutes, undo links for 7 days. Ask for a new one on your account page.")
	case errors.Is(err, store.ErrTokenUsed):
		h.pages.message(w, r, http.StatusGone, "Link already used", "This link has already been used: each link works once.")
	case errors.Is(err, store.ErrNotFound):
		h.pages.message(w, r, http.StatusNotFound, "Link not valid", "This link is not valid. It may have been copied incompletely.")
	default:
		h.pages.fail(w, r, err)
	}
}
